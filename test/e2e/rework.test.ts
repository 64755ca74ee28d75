import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capsOfCase, packageUuids, seedLine, TEST_EPCIS, type LineMaterial } from './batch-line-fixture.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { statusFromInt } from '../../edge/domain/kinds.ts';
import { startBatch } from '../../edge/store/batches.ts';
import { commitCase } from '../../edge/store/case-commit.ts';
import { openStore, type Store } from '../../edge/store/open.ts';
import { commitPallet } from '../../edge/store/pallet-commit.ts';
import {
  ACTIONS, LOCKOUT_MS, MAX_FAILED_ATTEMPTS, PERMISSIONS, ROLES, addUser, authenticateByBadge, authenticateByPin, getUser, listUsers, mayPerform, requireRole,
  type Action, type Role,
} from '../../edge/store/users.ts';
import {
  reworkAdd, reworkBreakPallet, reworkDestroy, reworkMove, reworkRelabel, reworkRemove, reworkRepack, reworkReplace, reworkSample,
  type ReworkEnv, type Signature,
} from '../../edge/store/rework/index.ts';
import { verifyStore } from '../../edge/store/verify.ts';

const T0 = Date.UTC(2026, 2, 1, 8, 0, 0);
const PIN = '246810';
const PINS: Record<string, string> = { qa1: PIN, op1: '135792', it1: '975310', admin1: '864200' };

let dir: TempDir;
let store: Store;
let m: LineMaterial;
let batchId: number;
let now: number;
let env: ReworkEnv;

const qa = (reason = '瓶盖破损 (damaged cap)'): Signature => ({ userId: 'qa1', pin: PIN, reason });

beforeEach(() => {
  dir = makeTempDir();
  store = openStore(dir.file('wuma.db'), { checkpointer: false });
  const db = store.db;
  m = seedLine(db, { cases: 6, spareCaps: 8, palletCodes: 3 });
  batchId = startBatch(db, { productId: m.productId, lot: 'L2026-03-01', productionDate: '2026-03-01', line: 'A1', packages: packageUuids(m), actor: 'op1' }).id;
  for (let i = 0; i < 3; i += 1) {
    commitCase(db, { batchId, caseCode: caseOuter(i), children: capsOfCase(m, i), at: T0 + i, actor: 'station', epcis: TEST_EPCIS });
  }
  commitPallet(db, { batchId, palletCode: pallet(0), cases: [caseOuter(0), caseOuter(1), caseOuter(2)], at: T0 + 10, actor: 'station', epcis: TEST_EPCIS });
  // Caps 24..27 (spares) left the line as rejects; the reject path leaves them rejected in this batch with their inner codes.
  const reject = db.prepare('UPDATE codes SET status = 5, batch_id = ? WHERE code = ?');
  for (const c of m.caps.slice(24, 28)) { reject.run(batchId, c.outer); reject.run(batchId, c.inner); }
  for (const [id, role] of [['qa1', 'qa'], ['op1', 'operator'], ['it1', 'it'], ['admin1', 'admin']] as const) {
    addUser(db, { id, name: `用户 ${id}`, role, pin: PINS[id] ?? '', badge: `BADGE-${id}` }, 'admin');
  }
  now = T0 + 60_000;
  env = { epcis: TEST_EPCIS, clock: () => new Date((now += 1000)) };
});
afterEach(async () => {
  await store.close();
  dir.remove();
});

function caseOuter(i: number): string { return m.cases[i]?.outer ?? ''; }
function caseInner(i: number): string { return m.cases[i]?.inner ?? ''; }
/** Case code i as a loose replacement label: its carton (and case-inner) is not used. */
function looseLabel(i: number): void {
  store.db.prepare('UPDATE codes SET pair = NULL WHERE code IN (?, ?)').run(caseOuter(i), caseInner(i));
}
function pallet(i: number): string { return m.palletCodes[i] ?? ''; }
function cap(i: number): { outer: string; inner: string } { const c = m.caps[i]; if (!c) throw new Error(`no cap ${i}`); return c; }

function row(code: string): { status: string; parent: string | null; pair: string | null } {
  const r = store.db.prepare('SELECT status, parent, pair FROM codes WHERE code = ?').get(code) as { status: number; parent: string | null; pair: string | null };
  return { status: statusFromInt(r.status), parent: r.parent, pair: r.pair };
}
function container(code: string): { level: string; state: string; child_count: number } | undefined {
  return store.db.prepare('SELECT level, state, child_count FROM containers WHERE code = ?').get(code) as { level: string; state: string; child_count: number } | undefined;
}
function snapshot(): unknown {
  const db = store.db;
  return {
    codes: db.prepare('SELECT * FROM codes ORDER BY code').all(),
    containers: db.prepare('SELECT * FROM containers ORDER BY code').all(),
    audit: db.prepare('SELECT count(*) FROM audit_log').pluck().get(),
    outbox: db.prepare('SELECT count(*) FROM outbox').pluck().get(),
    users: db.prepare('SELECT * FROM users ORDER BY id').all(),
  };
}
function outboxSince(id: number): { event_type: string; body: string; pallet: string | null; batch_id: number | null }[] {
  return store.db.prepare('SELECT event_type, body, pallet, batch_id FROM outbox WHERE id > ? ORDER BY id').all(id) as never;
}
function lastOutboxId(): number { return store.db.prepare('SELECT coalesce(max(id), 0) FROM outbox').pluck().get() as number; }
function lastAudit(): { actor: string; action: string; subject: string | null; reason: string | null; detail: string } {
  return store.db.prepare('SELECT actor, action, subject, reason, detail FROM audit_log ORDER BY seq DESC LIMIT 1').get() as never;
}
function bizSteps(events: { body: string }[]): string[] {
  return events.map((e) => {
    const b = JSON.parse(e.body) as { type: string; action: string; bizStep: string };
    return `${b.type}/${b.action}/${b.bizStep.replace(/^.*[/:]/, '')}`;
  });
}
function expectVerified(): void {
  const report = verifyStore(store.db);
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
}
function expectRefused(fn: () => unknown, code: string, message?: RegExp): void {
  const before = snapshot();
  let error: unknown;
  try { fn(); } catch (e) { error = e; }
  expect((error as { code?: string } | undefined)?.code, String(error)).toBe(code);
  if (message) expect((error as Error).message).toMatch(message);
  expect(snapshot()).toEqual(before);
}

describe('permission table', () => {
  const expected: Record<Role, readonly Action[]> = {
    operator: ['batch.start', 'batch.pause', 'pallet.force-close', 'capture.manual'],
    qa: [...ACTIONS.filter((a) => a.startsWith('rework.')), 'batch.start', 'batch.pause', 'batch.close', 'batch.close-unreconciled', 'pallet.force-close', 'capture.manual', 'trace.finding', 'trace.inner'],
    it: ['codes.import', 'codes.export', 'device.settings', 'product.edit', 'sync.settings', 'dispatch.order'],
    admin: ACTIONS,
    warehouse: ['dispatch.scan', 'dispatch.return'],
  };
  for (const role of ROLES) {
    for (const action of ACTIONS) {
      const allowed = expected[role].includes(action);
      it(`${role} × ${action} → ${allowed ? 'allowed' : 'refused'}`, () => {
        expect(mayPerform(role, action)).toBe(allowed);
        const check = (): void => { requireRole({ id: 'u', role, active: true }, action); };
        if (allowed) expect(check).not.toThrow();
        else expect(check).toThrow(expect.objectContaining({ code: 'FORBIDDEN', message: expect.stringContaining(PERMISSIONS[action].join(' or ')) }));
      });
    }
  }

  it('a deactivated user may do nothing', () => {
    expect(() => { requireRole({ id: 'u', role: 'admin', active: false }, 'rework.add'); }).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
  });

  it('every rework operation refuses operator and IT with the roles it needs, and changes nothing', () => {
    for (const userId of ['op1', 'it1']) {
      const sig = { userId, pin: PINS[userId] ?? '', reason: 'x' };
      expectRefused(() => reworkRemove(store.db, env, sig, { code: cap(0).outer }), 'FORBIDDEN', /质检 qa \/ 管理员 admin/);
      expectRefused(() => reworkDestroy(store.db, env, sig, { codes: [cap(0).outer] }), 'FORBIDDEN');
      expectRefused(() => reworkBreakPallet(store.db, env, sig, { pallet: pallet(0) }), 'FORBIDDEN');
      expectRefused(() => reworkSample(store.db, env, sig, { codes: [cap(0).outer] }), 'FORBIDDEN');
    }
    expect(reworkRemove(store.db, env, { userId: 'admin1', pin: PINS['admin1'] ?? '', reason: '管理员返工' }, { code: cap(0).outer }).signedBy.role).toBe('admin');
  });
});

describe('users', () => {
  it('stores only hashes and lists without them', () => {
    const raw = JSON.stringify(store.db.prepare('SELECT * FROM users').all());
    for (const pin of Object.values(PINS)) expect(raw).not.toContain(pin);
    expect(raw).not.toContain('BADGE-');
    const listed = JSON.stringify(listUsers(store.db));
    expect(listed).not.toMatch(/scrypt|hash/i);
    expect(listUsers(store.db).map((u) => u.id)).toEqual(['admin1', 'it1', 'op1', 'qa1']);
  });

  it('refuses bad input and duplicates with the DB unchanged', () => {
    expectRefused(() => addUser(store.db, { id: 'x y', name: '', role: 'boss', pin: '12' }, 'admin'), 'INVALID_INPUT', /id:.*\n.*name:.*\n.*role:.*\n.*pin:/s);
    expectRefused(() => addUser(store.db, { id: 'qa1', name: 'again', role: 'qa', pin: '555777' }, 'admin'), 'CONFLICT');
    expectRefused(() => addUser(store.db, { id: 'qa2', name: 'copy', role: 'qa', badge: 'BADGE-qa1' }, 'admin'), 'CONFLICT', /工卡/);
    expectRefused(() => addUser(store.db, { id: 'qa2', name: 'nothing', role: 'qa' }, 'admin'), 'INVALID_INPUT');
  });

  it('authenticates by badge and by PIN', () => {
    expect(authenticateByBadge(store.db, 'BADGE-op1')).toMatchObject({ kind: 'ok', user: { id: 'op1', role: 'operator' } });
    expect(authenticateByBadge(store.db, 'BADGE-nobody')).toEqual({ kind: 'bad-credentials', attemptsLeft: null });
    expect(authenticateByPin(store.db, 'qa1', PIN)).toMatchObject({ kind: 'ok', user: { id: 'qa1' } });
    expect(authenticateByPin(store.db, 'ghost', PIN)).toEqual({ kind: 'bad-credentials', attemptsLeft: null });
  });

  it(`locks after ${MAX_FAILED_ATTEMPTS} wrong PINs, also for the right PIN and the badge, until the lockout ends`, () => {
    const t = new Date(T0);
    for (let i = 1; i < MAX_FAILED_ATTEMPTS; i += 1) {
      expect(authenticateByPin(store.db, 'qa1', '000111', t)).toEqual({ kind: 'bad-credentials', attemptsLeft: MAX_FAILED_ATTEMPTS - i });
    }
    const locked = authenticateByPin(store.db, 'qa1', '000111', t);
    expect(locked.kind).toBe('locked');
    expect(authenticateByPin(store.db, 'qa1', PIN, new Date(T0 + 1000)).kind).toBe('locked');
    expect(authenticateByBadge(store.db, 'BADGE-qa1', new Date(T0 + 1000)).kind).toBe('locked');
    expect(lastAudit()).toMatchObject({ action: 'user.locked', subject: 'qa1' });
    expect(authenticateByPin(store.db, 'qa1', PIN, new Date(T0 + LOCKOUT_MS + 1))).toMatchObject({ kind: 'ok' });
    expect(getUser(store.db, 'qa1')).toMatchObject({ failedAttempts: 0, lockedUntil: null });
  });

  it('a signed rework action with a wrong PIN counts the attempt and changes nothing else; the 5th locks', () => {
    const before = store.db.prepare('SELECT * FROM codes ORDER BY code').all();
    for (let i = 1; i < MAX_FAILED_ATTEMPTS; i += 1) {
      expect(() => reworkRemove(store.db, env, { ...qa(), pin: '999999' }, { code: cap(0).outer }))
        .toThrow(expect.objectContaining({ code: 'AUTH_FAILED', message: expect.stringContaining(`还可尝试 ${MAX_FAILED_ATTEMPTS - i} 次`) }));
      expect(getUser(store.db, 'qa1')?.failedAttempts).toBe(i);
    }
    expect(() => reworkRemove(store.db, env, { ...qa(), pin: '999999' }, { code: cap(0).outer })).toThrow(expect.objectContaining({ code: 'LOCKED_OUT' }));
    expect(() => reworkRemove(store.db, env, qa(), { code: cap(0).outer })).toThrow(expect.objectContaining({ code: 'LOCKED_OUT' }));
    expect(store.db.prepare('SELECT * FROM codes ORDER BY code').all()).toEqual(before);
    expect(store.db.prepare('SELECT count(*) FROM outbox WHERE body LIKE ?').pluck().get(`%${cap(0).outer}%unpacking%`)).toBe(0);
  });

  it('a good PIN resets the counter only together with the action it signs', () => {
    expect(() => reworkRemove(store.db, env, { ...qa(), pin: '999999' }, { code: cap(0).outer })).toThrow();
    expect(getUser(store.db, 'qa1')?.failedAttempts).toBe(1);
    expectRefused(() => reworkRemove(store.db, env, qa(), { code: 'NOSUCHCODE0000' }), 'NOT_FOUND');
    expect(getUser(store.db, 'qa1')?.failedAttempts).toBe(1);
    reworkRemove(store.db, env, qa(), { code: cap(0).outer });
    expect(getUser(store.db, 'qa1')?.failedAttempts).toBe(0);
  });
});

describe('rework operations', () => {
  it('remove: the bottle goes back to commissioned, the case is one short, unpacking event, signed audit row', () => {
    const mark = lastOutboxId();
    const r = reworkRemove(store.db, env, qa(), { code: cap(1).outer });
    expect(r.result).toEqual({ code: cap(1).outer, from: caseOuter(0), childCount: 3, ratio: 4 });
    expect(row(cap(1).outer)).toMatchObject({ status: 'commissioned', parent: null });
    expect(row(cap(1).inner).status).toBe('commissioned');
    expect(container(caseOuter(0))).toMatchObject({ child_count: 3, state: 'closed' });
    const events = outboxSince(mark);
    expect(bizSteps(events)).toEqual(['AggregationEvent/DELETE/unpacking']);
    expect(events[0]).toMatchObject({ pallet: pallet(0), batch_id: batchId });
    const audit = lastAudit();
    expect(audit).toMatchObject({ actor: 'qa1', action: 'rework.remove', subject: cap(1).outer, reason: '瓶盖破损 (damaged cap)' });
    expect(JSON.parse(audit.detail).signature).toMatchObject({ userId: 'qa1', name: '用户 qa1', role: 'qa', method: 'pin', signedAt: r.signedAt, meaning: expect.stringContaining('质检确认') });
    expectVerified();
  });

  it('add: a loose bottle goes into a short case; a full case, a bottle already packed or of the wrong kind is refused', () => {
    reworkRemove(store.db, env, qa(), { code: cap(1).outer });
    expectRefused(() => reworkAdd(store.db, env, qa(), { container: caseOuter(1), code: cap(1).outer }), 'CONFLICT', /已满 \(4\/4\)/);
    expectRefused(() => reworkAdd(store.db, env, qa(), { container: caseOuter(0), code: cap(5).outer }), 'CONFLICT', /已在容器/);
    expectRefused(() => reworkAdd(store.db, env, qa(), { container: caseOuter(0), code: cap(12).outer }), 'CONFLICT', /状态为 已印刷/);
    expectRefused(() => reworkAdd(store.db, env, qa(), { container: caseOuter(0), code: cap(5).inner }), 'INVALID_INPUT', /盖内码/);
    const mark = lastOutboxId();
    const r = reworkAdd(store.db, env, qa(), { container: caseOuter(0), code: cap(1).outer });
    expect(r.result).toMatchObject({ childCount: 4, ratio: 4, readmitted: false });
    expect(row(cap(1).outer)).toMatchObject({ status: 'aggregated', parent: caseOuter(0) });
    expect(bizSteps(outboxSince(mark))).toEqual(['AggregationEvent/ADD/packing']);
    expectVerified();
  });

  it('add re-admits a rejected bottle with its cap-inner code', () => {
    reworkRemove(store.db, env, qa(), { code: cap(2).outer });
    reworkAdd(store.db, env, qa('返工合格 (reworked, good)'), { container: caseOuter(0), code: cap(24).outer });
    expect(row(cap(24).outer)).toMatchObject({ status: 'aggregated', parent: caseOuter(0) });
    expect(row(cap(24).inner).status).toBe('commissioned');
    expect(store.db.prepare('SELECT count(*) FROM reworked_codes WHERE code IN (?, ?)').pluck().get(cap(24).outer, cap(24).inner)).toBe(2);
    expectVerified();
  });

  it('replace: one signed swap, unpacking then packing', () => {
    const mark = lastOutboxId();
    const r = reworkReplace(store.db, env, qa(), { oldCode: cap(3).outer, newCode: cap(25).outer });
    expect(r.result).toEqual({ removed: cap(3).outer, added: cap(25).outer, container: caseOuter(0) });
    expect(row(cap(3).outer)).toMatchObject({ status: 'commissioned', parent: null });
    expect(row(cap(25).outer)).toMatchObject({ status: 'aggregated', parent: caseOuter(0) });
    expect(container(caseOuter(0))?.child_count).toBe(4);
    expect(bizSteps(outboxSince(mark))).toEqual(['AggregationEvent/DELETE/unpacking', 'AggregationEvent/ADD/packing']);
    expectVerified();
  });

  it('relabel a case on a pallet: the new code takes children, pallet place and case-inner pair; the old is voided', () => {
    expectRefused(() => reworkRelabel(store.db, env, qa(), { oldCode: caseOuter(1), newCode: caseOuter(3) }), 'CONFLICT', /已有同级关联/);
    looseLabel(3);
    const mark = lastOutboxId();
    const r = reworkRelabel(store.db, env, qa('箱标破损 (damaged label)'), { oldCode: caseOuter(1), newCode: caseOuter(3) });
    expect(r.result).toEqual({ oldCode: caseOuter(1), newCode: caseOuter(3), children: 4 });
    expect(row(caseOuter(1))).toMatchObject({ status: 'voided', parent: null, pair: null });
    expect(row(caseOuter(3))).toMatchObject({ status: 'aggregated', parent: pallet(0), pair: caseInner(1) });
    expect(row(caseInner(1)).pair).toBe(caseOuter(3));
    expect(container(caseOuter(1))).toMatchObject({ state: 'broken', child_count: 0 });
    expect(container(caseOuter(3))).toMatchObject({ level: 'case', state: 'closed', child_count: 4 });
    expect(container(pallet(0))?.child_count).toBe(3);
    for (const c of capsOfCase(m, 1)) expect(row(c).parent).toBe(caseOuter(3));
    expect(bizSteps(outboxSince(mark))).toEqual([
      'ObjectEvent/ADD/commissioning', 'AggregationEvent/DELETE/unpacking', 'AggregationEvent/ADD/packing',
      'AggregationEvent/DELETE/unpacking', 'AggregationEvent/ADD/packing', 'ObjectEvent/DELETE/decommissioning',
    ]);
    expect(outboxSince(mark).every((e) => e.pallet === pallet(0))).toBe(true);
    expectVerified();
  });

  it('relabel refuses a used code, a code outside the batch packages and a code of another kind', () => {
    expectRefused(() => reworkRelabel(store.db, env, qa(), { oldCode: caseOuter(1), newCode: caseOuter(2) }), 'CONFLICT', /状态为 已关联|已被使用/);
    expectRefused(() => reworkRelabel(store.db, env, qa(), { oldCode: caseOuter(1), newCode: pallet(1) }), 'INVALID_INPUT', /pallet/);
    store.db.prepare('DELETE FROM batch_packages WHERE batch_id = ? AND package_id = (SELECT package_id FROM codes WHERE code = ?)').run(batchId, caseOuter(4));
    expectRefused(() => reworkRelabel(store.db, env, qa(), { oldCode: caseOuter(1), newCode: caseOuter(4) }), 'CONFLICT', /码包/);
  });

  it('relabel a pallet keeps its cases', () => {
    reworkRelabel(store.db, env, qa(), { oldCode: pallet(0), newCode: pallet(1) });
    for (let i = 0; i < 3; i += 1) expect(row(caseOuter(i)).parent).toBe(pallet(1));
    expect(row(pallet(0)).status).toBe('voided');
    expect(container(pallet(1))).toMatchObject({ level: 'pallet', child_count: 3 });
    expectVerified();
  });

  it('move: contents to a new case code; old case and its inner code voided, new inner commissioned', () => {
    const r = reworkMove(store.db, env, qa('纸箱破损 (carton damaged)'), { fromCase: caseOuter(2), toCase: caseOuter(4) });
    expect(r.result.children).toBe(4);
    expect(row(caseOuter(2)).status).toBe('voided');
    expect(row(caseInner(2)).status).toBe('voided');
    expect(row(caseOuter(4))).toMatchObject({ status: 'aggregated', parent: pallet(0), pair: caseInner(4) });
    expect(row(caseInner(4)).status).toBe('commissioned');
    for (const c of capsOfCase(m, 2)) expect(row(c)).toMatchObject({ status: 'aggregated', parent: caseOuter(4) });
    expectVerified();
  });

  it('break-pallet: every case loose and commissioned, the pallet broken and its code voided', () => {
    const mark = lastOutboxId();
    const r = reworkBreakPallet(store.db, env, qa('拆垛重组 (restack)'), { pallet: pallet(0) });
    expect(r.result.cases).toHaveLength(3);
    for (let i = 0; i < 3; i += 1) expect(row(caseOuter(i))).toMatchObject({ status: 'commissioned', parent: null });
    expect(container(pallet(0))).toMatchObject({ state: 'broken', child_count: 0 });
    expect(row(pallet(0)).status).toBe('voided');
    expect(bizSteps(outboxSince(mark))).toEqual(['AggregationEvent/DELETE/unpacking', 'ObjectEvent/DELETE/decommissioning']);
    expectRefused(() => reworkBreakPallet(store.db, env, qa(), { pallet: pallet(0) }), 'CONFLICT', /已拆除/);
    expectVerified();
  });

  it('destroy a bottle: disaggregated, destroyed with its cap-inner, permanent', () => {
    const mark = lastOutboxId();
    const r = reworkDestroy(store.db, env, qa('瓶身破裂 (broken bottle)'), { codes: [cap(0).outer] });
    expect(r.result.destroyed).toEqual([cap(0).outer, expect.stringContaining('…')]);
    expect(row(cap(0).outer)).toMatchObject({ status: 'destroyed', parent: null });
    expect(row(cap(0).inner).status).toBe('destroyed');
    expect(container(caseOuter(0))?.child_count).toBe(3);
    expect(bizSteps(outboxSince(mark))).toEqual(['AggregationEvent/DELETE/unpacking', 'ObjectEvent/DELETE/destroying', 'ObjectEvent/DELETE/destroying']);
    expectRefused(() => reworkAdd(store.db, env, qa(), { container: caseOuter(0), code: cap(0).outer }), 'CONFLICT', /已销毁/);
    expect(() => store.db.prepare('UPDATE codes SET status = 2 WHERE code = ?').run(cap(0).outer)).toThrow(/destroyed/);
    expectVerified();
  });

  it('destroy a whole case needs --with-contents, then takes case, bottles and inner codes', () => {
    expectRefused(() => reworkDestroy(store.db, env, qa(), { codes: [caseOuter(0)] }), 'CONFLICT', /with-contents/);
    expectRefused(() => reworkDestroy(store.db, env, qa(), { codes: [cap(0).outer, cap(0).outer] }), 'INVALID_INPUT', /重复/);
    reworkDestroy(store.db, env, qa(), { codes: [cap(20).outer] });
    expectRefused(() => reworkDestroy(store.db, env, qa(), { codes: [cap(20).outer] }), 'CONFLICT', /已销毁/);
    const r = reworkDestroy(store.db, env, qa(), { codes: [caseOuter(0)], withContents: true });
    expect(r.result.destroyed).toHaveLength(1 + 1 + 4 + 4);
    for (const c of [caseOuter(0), caseInner(0), ...capsOfCase(m, 0)]) expect(row(c).status).toBe('destroyed');
    expect(container(caseOuter(0))).toMatchObject({ state: 'broken', child_count: 0 });
    expect(container(pallet(0))?.child_count).toBe(2);
    expectVerified();
  });

  it('sample: auto-disaggregates, status sampled, sampling then destroying events', () => {
    const mark = lastOutboxId();
    reworkSample(store.db, env, qa('例行抽检 (routine QA sample)'), { codes: [cap(4).outer, cap(8).outer] });
    for (const i of [4, 8]) {
      expect(row(cap(i).outer)).toMatchObject({ status: 'sampled', parent: null });
      expect(row(cap(i).inner).status).toBe('sampled');
    }
    expect(container(caseOuter(1))?.child_count).toBe(3);
    expect(container(caseOuter(2))?.child_count).toBe(3);
    expect(bizSteps(outboxSince(mark))).toEqual([
      'AggregationEvent/DELETE/unpacking', 'AggregationEvent/DELETE/unpacking',
      'ObjectEvent/OBSERVE/sampling', 'ObjectEvent/OBSERVE/sampling', 'ObjectEvent/DELETE/destroying', 'ObjectEvent/DELETE/destroying',
    ]);
    expectRefused(() => reworkSample(store.db, env, qa(), { codes: [caseOuter(0)] }), 'INVALID_INPUT');
    expectVerified();
  });

  it('repack: rejected bottles re-enter as a full case under a fresh case code; short or mixed sets are refused', () => {
    const rejected = [24, 25, 26, 27].map((i) => cap(i).outer);
    expectRefused(() => reworkRepack(store.db, env, qa(), { caseCode: caseOuter(5), codes: rejected.slice(0, 3) }), 'INVALID_INPUT', /缺码/);
    expectRefused(() => reworkRepack(store.db, env, qa(), { caseCode: caseOuter(0), codes: rejected }), 'CONFLICT');
    expectRefused(() => reworkRepack(store.db, env, qa(), { caseCode: caseOuter(5), codes: [...rejected.slice(0, 3), cap(20).outer] }), 'CONFLICT');
    const mark = lastOutboxId();
    const r = reworkRepack(store.db, env, qa('剔除品复检合格 (rejects re-inspected OK)'), { caseCode: caseOuter(5), codes: rejected });
    expect(r.result).toEqual({ caseCode: caseOuter(5), children: 4, readmitted: 4 });
    expect(container(caseOuter(5))).toMatchObject({ level: 'case', state: 'closed', child_count: 4 });
    expect(row(caseOuter(5)).status).toBe('commissioned');
    expect(row(caseInner(5)).status).toBe('commissioned');
    for (const i of [24, 25, 26, 27]) {
      expect(row(cap(i).outer)).toMatchObject({ status: 'aggregated', parent: caseOuter(5) });
      expect(row(cap(i).inner).status).toBe('commissioned');
    }
    expect(bizSteps(outboxSince(mark))).toEqual(['ObjectEvent/ADD/commissioning', 'AggregationEvent/ADD/packing']);
    expectVerified();
  });

  it('every refusal before the PIN leaves the database unchanged: no reason, unknown user, unknown code', () => {
    expectRefused(() => reworkRemove(store.db, env, qa('   '), { code: cap(0).outer }), 'INVALID_INPUT', /原因/);
    expectRefused(() => reworkRemove(store.db, env, { ...qa(), userId: 'ghost' }, { code: cap(0).outer }), 'AUTH_FAILED');
    const secret = cap(0).inner.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    expectRefused(() => reworkRemove(store.db, env, qa(), { code: secret }), 'NOT_FOUND');
    try { reworkRemove(store.db, env, qa(), { code: secret }); } catch (e) { expect((e as Error).message).not.toContain(secret); }
    expectRefused(() => reworkRemove(store.db, env, qa(), { code: cap(20).outer }), 'CONFLICT', /不在任何容器/);
  });

  it('no full secret code or PIN in any audit row, outbox pallet tag or result after a run of every operation', () => {
    const results: unknown[] = [];
    results.push(reworkRemove(store.db, env, qa(), { code: cap(1).outer }));
    results.push(reworkReplace(store.db, env, qa(), { oldCode: cap(2).outer, newCode: cap(24).outer }));
    looseLabel(3);
    results.push(reworkRelabel(store.db, env, qa(), { oldCode: caseOuter(1), newCode: caseOuter(3) }));
    results.push(reworkMove(store.db, env, qa(), { fromCase: caseOuter(2), toCase: caseOuter(4) }));
    results.push(reworkDestroy(store.db, env, qa(), { codes: [cap(0).outer, cap(0).inner.length > 0 ? cap(3).outer : ''] }));
    results.push(reworkSample(store.db, env, qa(), { codes: [cap(5).outer] }));
    results.push(reworkBreakPallet(store.db, env, qa(), { pallet: pallet(0) }));
    results.push(reworkDestroy(store.db, env, qa(), { codes: [caseOuter(0)], withContents: true }));
    const text = JSON.stringify([store.db.prepare('SELECT * FROM audit_log').all(), store.db.prepare('SELECT pallet FROM outbox').all(), results]);
    const secrets = [...m.caps.map((c) => c.inner), ...m.cases.map((c) => c.inner)];
    expect(secrets.filter((s) => text.includes(s))).toEqual([]);
    for (const pin of Object.values(PINS)) expect(text).not.toContain(pin);
    expectVerified();
  });
});
