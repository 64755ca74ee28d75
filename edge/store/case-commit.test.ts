import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capsOfCase, packageUuids, seedLine, TEST_EPCIS, type LineMaterial } from '../../test/e2e/batch-line-fixture.ts';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import { checkCase } from '../aggregation/check-case.ts';
import { statusFromInt } from '../domain/kinds.ts';
import { caseRulesOf, startBatch } from './batches.ts';
import { commitCase } from './case-commit.ts';
import { codeLookup } from './code-lookup.ts';
import { openStore, type Store } from './open.ts';
import { listRejects, recordReject, setRejectConfirm } from './rejects.ts';
import { verifyStore } from './verify.ts';
import { voidCodes } from './void-codes.ts';

let dir: TempDir;
let store: Store;
let m: LineMaterial;
let batchId: number;
const T0 = Date.UTC(2026, 2, 1, 8, 0, 0);

beforeEach(() => {
  dir = makeTempDir();
  store = openStore(dir.file('wuma.db'), { checkpointer: false });
  m = seedLine(store.db, { cases: 6, spareCaps: 8 });
  batchId = startBatch(store.db, { productId: m.productId, lot: 'L2026-03-01', productionDate: '2026-03-01', line: 'A1', packages: packageUuids(m), actor: 'op1' }).id;
});
afterEach(async () => {
  await store.close();
  dir.remove();
});

function status(code: string): string {
  return statusFromInt(store.db.prepare('SELECT status FROM codes WHERE code = ?').pluck().get(code) as number);
}
function snapshot(): unknown {
  const db = store.db;
  return {
    codes: db.prepare('SELECT code, status, parent, batch_id FROM codes ORDER BY code').all(),
    containers: db.prepare('SELECT * FROM containers ORDER BY code').all(),
    audit: db.prepare('SELECT count(*) FROM audit_log').pluck().get(),
    outbox: db.prepare('SELECT count(*) FROM outbox').pluck().get(),
    rejects: db.prepare('SELECT count(*) FROM rejects').pluck().get(),
  };
}

describe('commitCase', () => {
  it('aggregates the children, commissions pairs and case, writes container, audit and outbox in one go', () => {
    const children = capsOfCase(m, 0);
    const caseCode = m.cases[0]?.outer ?? '';
    const decision = checkCase({ childCodes: children, caseCode, noRead: false }, caseRulesOf(store.db, batchId), codeLookup(store.db));
    expect(decision.kind).toBe('accept');
    const auditBefore = store.db.prepare('SELECT count(*) FROM audit_log').pluck().get() as number;
    const r = commitCase(store.db, { batchId, caseCode, children, at: T0, actor: 'station', epcis: TEST_EPCIS });
    expect(r).toMatchObject({ caseCode, children: 4, innerCodes: 5 });
    for (const c of children) expect(status(c)).toBe('aggregated');
    for (const c of m.caps.slice(0, 4)) expect(status(c.inner)).toBe('commissioned');
    expect(status(caseCode)).toBe('commissioned');
    expect(status(m.cases[0]?.inner ?? '')).toBe('commissioned');
    expect(store.db.prepare('SELECT level, state, child_count FROM containers WHERE code = ?').get(caseCode)).toEqual({ level: 'case', state: 'closed', child_count: 4 });
    expect(store.db.prepare('SELECT count(*) FROM audit_log').pluck().get()).toBe(auditBefore + 1);
    const events = store.db.prepare('SELECT event_type, body, batch_id FROM outbox ORDER BY id').all() as { event_type: string; body: string; batch_id: number }[];
    expect(events.map((e) => e.event_type)).toEqual(['ObjectEvent', 'ObjectEvent', 'ObjectEvent', 'ObjectEvent', 'AggregationEvent']);
    expect(events.every((e) => e.batch_id === batchId)).toBe(true);
    // Inner codes travel in full to headquarters (that is the outbox's job) …
    expect(events.some((e) => e.body.includes(m.caps[0]?.inner ?? '?'))).toBe(true);
    // … but never into the audit log.
    const audit = store.db.prepare('SELECT subject, detail FROM audit_log').all() as { subject: string; detail: string }[];
    for (const c of [...m.caps, ...m.cases]) expect(JSON.stringify(audit)).not.toContain(c.inner);
    expect(verifyStore(store.db).ok).toBe(true);
  });

  it('rolls back aggregation, statuses, container, audit AND outbox when any guard fails', () => {
    commitCase(store.db, { batchId, caseCode: m.cases[0]?.outer ?? '', children: capsOfCase(m, 0), at: T0, actor: 'station', epcis: TEST_EPCIS });
    const before = snapshot();
    // The last child was already used in case 0: its guarded UPDATE changes no row, after three others did.
    const children = [...capsOfCase(m, 1).slice(0, 3), capsOfCase(m, 0)[0] ?? ''];
    expect(() => commitCase(store.db, { batchId, caseCode: m.cases[1]?.outer ?? '', children, at: T0 + 1, actor: 'station', epcis: TEST_EPCIS }))
      .toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    // A used case code fails after all children were updated.
    expect(() => commitCase(store.db, { batchId, caseCode: m.cases[0]?.outer ?? '', children: capsOfCase(m, 1), at: T0 + 2, actor: 'station', epcis: TEST_EPCIS }))
      .toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(snapshot()).toEqual(before);
    // A child whose inner pair is already dead fails on the pair guard.
    store.db.prepare('UPDATE codes SET status = 8 WHERE code = ?').run(m.caps[7]?.inner);
    const mid = snapshot();
    expect(() => commitCase(store.db, { batchId, caseCode: m.cases[1]?.outer ?? '', children: capsOfCase(m, 1), at: T0 + 3, actor: 'station', epcis: TEST_EPCIS }))
      .toThrow(/盖内码/);
    expect(snapshot()).toEqual(mid);
    expect(verifyStore(store.db).ok).toBe(true);
  });

  it('refuses a wrong count, a paused batch and codes outside the batch packages', () => {
    expect(() => commitCase(store.db, { batchId, caseCode: m.cases[0]?.outer ?? '', children: capsOfCase(m, 0).slice(0, 3), at: T0, actor: 's', epcis: TEST_EPCIS }))
      .toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    const other = seedLine(store.db, { cases: 1 });
    expect(() => commitCase(store.db, { batchId, caseCode: m.cases[0]?.outer ?? '', children: capsOfCase(other, 0), at: T0, actor: 's', epcis: TEST_EPCIS }))
      .toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    store.db.prepare(`UPDATE batches SET state = 'paused' WHERE id = ?`).run(batchId);
    expect(() => commitCase(store.db, { batchId, caseCode: m.cases[0]?.outer ?? '', children: capsOfCase(m, 0), at: T0, actor: 's', epcis: TEST_EPCIS }))
      .toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(store.db.prepare('SELECT count(*) FROM outbox').pluck().get()).toBe(0);
  });
});

describe('recordReject', () => {
  it('logs the reject masked, makes the valid read codes and their pairs rejected, leaves used codes alone', () => {
    commitCase(store.db, { batchId, caseCode: m.cases[0]?.outer ?? '', children: capsOfCase(m, 0), at: T0, actor: 'station', epcis: TEST_EPCIS });
    const used = capsOfCase(m, 0)[0] ?? '';
    // A camera that somehow read a cap-inner code: it must be masked in the log.
    const secret = m.caps[10]?.inner ?? '';
    const read = { childCodes: [...capsOfCase(m, 1).slice(0, 2), used, secret], caseCode: m.cases[1]?.outer ?? null, noRead: false };
    const decision = checkCase(read, caseRulesOf(store.db, batchId), codeLookup(store.db));
    if (decision.kind !== 'reject') throw new Error('expected a reject');
    const r = recordReject(store.db, { batchId, station: 'case', findings: decision.findings, read, at: T0 + 5 });
    expect(r.reason).toBe('duplicate');
    // 2 caps + their 2 inner codes + the case code + its inner code.
    expect(r.rejectedCodes).toBe(6);
    for (const c of capsOfCase(m, 1).slice(0, 2)) expect(status(c)).toBe('rejected');
    expect(status(m.caps[4]?.inner ?? '')).toBe('rejected');
    expect(status(m.cases[1]?.outer ?? '')).toBe('rejected');
    expect(status(used)).toBe('aggregated');
    expect(status(secret)).toBe('printed');
    const [row] = listRejects(store.db, batchId);
    expect(row?.confirm).toBe('pending');
    const everything = JSON.stringify(store.db.prepare('SELECT * FROM rejects').all()) + JSON.stringify(store.db.prepare('SELECT * FROM audit_log').all());
    expect(everything).not.toContain(secret);
    expect(everything).toContain(`${secret.slice(0, 4)}…${secret.slice(-2)}`);
    expect(setRejectConfirm(store.db, row?.id ?? 0, 'not-confirmed')).toBe(true);
    expect(setRejectConfirm(store.db, row?.id ?? 0, 'confirmed')).toBe(false);
    expect(listRejects(store.db, batchId)[0]?.confirm).toBe('not-confirmed');
    expect(verifyStore(store.db).ok).toBe(true);
  });
});

describe('voidCodes', () => {
  it('voids rejected outer codes with their inner pairs, writes decommissioning events and a masked audit row', () => {
    const read = { childCodes: capsOfCase(m, 2).slice(0, 3), caseCode: null, noRead: false };
    const decision = checkCase(read, caseRulesOf(store.db, batchId), codeLookup(store.db));
    if (decision.kind !== 'reject') throw new Error('expected a reject');
    recordReject(store.db, { batchId, station: 'case', findings: decision.findings, read, at: T0 });
    const r = voidCodes(store.db, { codes: read.childCodes, reason: '剔除未返工 (rejected, not reworked)', actor: 'qa1', at: T0 + 10, epcis: TEST_EPCIS });
    expect(r.voided).toBe(6);
    expect(r.outboxIds).toHaveLength(2);
    for (const c of m.caps.slice(8, 11)) { expect(status(c.outer)).toBe('voided'); expect(status(c.inner)).toBe('voided'); }
    expect(voidCodes(store.db, { codes: read.childCodes, reason: 'again', actor: 'qa1', at: T0 + 11, epcis: TEST_EPCIS })).toMatchObject({ voided: 0, alreadyVoided: 3 });
    const audit = JSON.stringify(store.db.prepare(`SELECT * FROM audit_log WHERE action = 'codes.void'`).all());
    for (const c of m.caps.slice(8, 11)) expect(audit).not.toContain(c.inner);
    // An aggregated code cannot be voided without disaggregating first; nothing changes.
    commitCase(store.db, { batchId, caseCode: m.cases[0]?.outer ?? '', children: capsOfCase(m, 0), at: T0, actor: 'station', epcis: TEST_EPCIS });
    expect(() => voidCodes(store.db, { codes: [m.caps[12]?.outer ?? '', capsOfCase(m, 0)[0] ?? ''], reason: 'x', actor: 'qa1', at: T0, epcis: TEST_EPCIS }))
      .toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(status(m.caps[12]?.outer ?? '')).toBe('printed');
    expect(verifyStore(store.db).ok).toBe(true);
  });
});
