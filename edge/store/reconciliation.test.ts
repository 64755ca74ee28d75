import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capsOfCase, packageUuids, seedLine, TEST_EPCIS, type LineMaterial } from '../../test/e2e/batch-line-fixture.ts';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import { checkCase } from '../aggregation/check-case.ts';
import { closeBatch, caseRulesOf, getBatch, openBatches, pauseBatch, resumeBatch, startBatch } from './batches.ts';
import { commitCase } from './case-commit.ts';
import { codeLookup } from './code-lookup.ts';
import { openStore, type Store } from './open.ts';
import { allocatePalletCode, commitPallet } from './pallet-commit.ts';
import { queryCode } from './query.ts';
import { RECONCILIATION_TERMS, reconcileBatch, type Reconciliation } from './reconciliation.ts';
import { recordReject } from './rejects.ts';
import { verifyStore } from './verify.ts';
import { voidCodes } from './void-codes.ts';

let dir: TempDir;
let store: Store;
let m: LineMaterial;
const T0 = Date.UTC(2026, 2, 1, 8, 0, 0);

beforeEach(() => {
  dir = makeTempDir();
  store = openStore(dir.file('wuma.db'), { checkpointer: false });
  m = seedLine(store.db, { cases: 6, spareCaps: 4 });
});
afterEach(async () => {
  await store.close();
  dir.remove();
});

function start(): number {
  return startBatch(store.db, { productId: m.productId, lot: 'L1', productionDate: '2026-03-01', line: 'A1', plannedQty: 6, packages: packageUuids(m), actor: 'op1' }).id;
}
function balanced(r: Reconciliation): void {
  for (const l of [...r.levels, r.totals]) expect(RECONCILIATION_TERMS.reduce((s, t) => s + l[t], 0)).toBe(l.received);
}

describe('startBatch', () => {
  it('reports every bad field at once and writes nothing', () => {
    expect(() => startBatch(store.db, {
      productId: 'nope', lot: '', productionDate: '2026-02-30', line: 'A1', plannedQty: 0,
      packages: ['missing-uuid', m.packages['cap-outer'], m.packages['cap-outer']], actor: 'op1',
    })).toThrow(/productId[\s\S]*lot[\s\S]*productionDate[\s\S]*plannedQty[\s\S]*packages\[0\][\s\S]*packages\[2\]/);
    expect(openBatches(store.db)).toEqual([]);
  });

  it('needs every kind the product uses and keeps a package out of two open batches', () => {
    expect(() => startBatch(store.db, { productId: m.productId, lot: 'L1', productionDate: '2026-03-01', line: 'A1', packages: [m.packages['cap-outer']], actor: 'op1' }))
      .toThrow(/case-outer, cap-inner, case-inner/);
    const id = start();
    expect(() => startBatch(store.db, { productId: m.productId, lot: 'L2', productionDate: '2026-03-01', line: 'A2', packages: packageUuids(m), actor: 'op1' }))
      .toThrow(new RegExp(`package is in open batch ${id}`));
    expect(() => store.db.prepare('UPDATE products SET units_per_case = 6 WHERE id = ?').run(m.productId)).toThrow(/locked/);
  });

  it('refuses a second open batch on the same line, running or paused, naming the open one; after its close the line is free', () => {
    const id = start();
    const second = (): unknown => startBatch(store.db, { productId: m.productId, lot: 'L2', productionDate: '2026-03-02', line: 'A1', packages: packageUuids(m), actor: 'op1' });
    expect(second).toThrow(expect.objectContaining({ code: 'CONFLICT', message: expect.stringContaining(`产线 A1 已有未关闭的批次 ${id}（批号 L1，运行中）`) }));
    expect(second).toThrow(/请先关闭它再开始新批次/);
    pauseBatch(store.db, id, 'op1');
    expect(second).toThrow(expect.objectContaining({ code: 'CONFLICT', message: expect.stringContaining(`批次 ${id}（批号 L1，已暂停）`) }));
    expect(openBatches(store.db).map((b) => b.id)).toEqual([id]);
    expect(closeBatch(store.db, { batchId: id, actor: 'qa1', reason: '换产 (changeover)' }).kind).toBe('closed');
    const next = second() as { id: number; line: string; state: string };
    expect(next).toMatchObject({ line: 'A1', state: 'running' });
    expect(openBatches(store.db).map((b) => b.id)).toEqual([next.id]);
  });

  it('runs pause / resume / close through the batch machine', () => {
    const id = start();
    expect(pauseBatch(store.db, id, 'op1').state).toBe('paused');
    expect(() => pauseBatch(store.db, id, 'op1')).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(resumeBatch(store.db, id, 'op1').state).toBe('running');
  });
});

describe('reconciliation and close', () => {
  it('adds up after a realistic shift and refuses to close with unexplained codes unless signed', () => {
    const id = start();
    const rules = caseRulesOf(store.db, id);
    // Cases 0..3 pass; case 4 is rejected (a cap missing); case 5 is never packed.
    for (let i = 0; i < 4; i += 1) commitCase(store.db, { batchId: id, caseCode: m.cases[i]?.outer ?? '', children: capsOfCase(m, i), at: T0 + i, actor: 'station', epcis: TEST_EPCIS });
    const read = { childCodes: capsOfCase(m, 4).slice(0, 3), caseCode: m.cases[4]?.outer ?? null, noRead: false };
    const decision = checkCase(read, rules, codeLookup(store.db));
    if (decision.kind !== 'reject') throw new Error('expected reject');
    recordReject(store.db, { batchId: id, station: 'case', findings: decision.findings, read, at: T0 + 10 });
    const p1 = allocatePalletCode(store.db, id).code;
    commitPallet(store.db, { batchId: id, palletCode: p1, cases: m.cases.slice(0, 3).map((c) => c.outer), at: T0 + 20, actor: 'station', epcis: TEST_EPCIS });
    allocatePalletCode(store.db, id); // allocated (maybe printed), never committed

    let r = reconcileBatch(store.db, id);
    balanced(r);
    const level = (k: string) => r.levels.find((l) => l.level === k);
    expect(level('cap-outer')).toMatchObject({ received: 28, aggregated: 16, rejected: 3, printed: 9, unexplained: 3 });
    expect(level('cap-inner')).toMatchObject({ received: 28, commissioned: 16, rejected: 3, printed: 9 });
    expect(level('case-outer')).toMatchObject({ received: 6, aggregated: 3, commissioned: 1, rejected: 1, printed: 1, unexplained: 2 });
    expect(level('case-outer')?.unexplainedDetail).toMatchObject({ rejectedPending: 1, loose: 1 });
    expect(level('pallet')).toMatchObject({ received: 2, commissioned: 1, leftOver: 1, unexplained: 1 });
    expect(r.rejects.byReason.missing).toBe(1);
    expect(r.ok).toBe(false);

    const refused = closeBatch(store.db, { batchId: id, actor: 'op1' });
    expect(refused.kind).toBe('refused');
    expect(getBatch(store.db, id)?.state).toBe('running');

    // QA settles most of it: void the rejected items (their inner codes die with them) and the unused pallet label.
    voidCodes(store.db, { codes: [...read.childCodes, m.cases[4]?.outer ?? ''], reason: '剔除未返工', actor: 'qa1', at: T0 + 30, epcis: TEST_EPCIS });
    const unused = store.db.prepare('SELECT code FROM pallet_allocations WHERE code <> ?').pluck().get(p1) as string;
    voidCodes(store.db, { codes: [unused], reason: '垛标未使用 (label not used)', actor: 'qa1', at: T0 + 31, epcis: TEST_EPCIS });
    r = reconcileBatch(store.db, id);
    balanced(r);
    expect(r.totals.unexplained).toBe(1); // case 3 is on no pallet
    expect(r.levels.find((l) => l.level === 'cap-inner')).toMatchObject({ voided: 3, rejected: 0 });

    const closed = closeBatch(store.db, { batchId: id, actor: 'qa-lead', reason: '第 4 箱留作样品，下批次组垛 (case kept back)' });
    expect(closed.kind).toBe('closed');
    expect(getBatch(store.db, id)).toMatchObject({ state: 'closed', closedBy: 'qa-lead', closeReason: '第 4 箱留作样品，下批次组垛 (case kept back)' });
    expect(store.db.prepare(`SELECT actor, reason FROM audit_log WHERE action = 'batch.close'`).get()).toEqual({ actor: 'qa-lead', reason: '第 4 箱留作样品，下批次组垛 (case kept back)' });
    expect(() => closeBatch(store.db, { batchId: id, actor: 'op1' })).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(verifyStore(store.db).ok).toBe(true);
  });

  it('closes without a reason when everything is explained, and counts reworked codes', () => {
    const id = start();
    for (let i = 0; i < 6; i += 1) commitCase(store.db, { batchId: id, caseCode: m.cases[i]?.outer ?? '', children: capsOfCase(m, i), at: T0 + i, actor: 'station', epcis: TEST_EPCIS });
    for (const p of [0, 1]) {
      const code = allocatePalletCode(store.db, id).code;
      commitPallet(store.db, { batchId: id, palletCode: code, cases: m.cases.slice(p * 3, p * 3 + 3).map((c) => c.outer), at: T0 + 50 + p, actor: 'station', epcis: TEST_EPCIS });
    }
    // A rework (another module) brings a rejected spare cap back: the trigger marks it reworked.
    const spare = m.caps[24]?.outer ?? '';
    store.db.prepare('UPDATE codes SET status = 5, batch_id = ? WHERE code = ?').run(id, spare);
    store.db.prepare('UPDATE codes SET status = 2 WHERE code = ?').run(spare);
    store.db.prepare('UPDATE codes SET status = 8 WHERE code = ?').run(spare);
    const r = reconcileBatch(store.db, id);
    balanced(r);
    expect(r.levels.find((l) => l.level === 'cap-outer')).toMatchObject({ aggregated: 24, voided: 1, printed: 3, unexplained: 0 });
    expect(r.ok).toBe(true);
    expect(closeBatch(store.db, { batchId: id, actor: 'op1' }).kind).toBe('closed');
  });
});

describe('queryCode', () => {
  it('shows a code up and down the hierarchy with its history, secret codes masked', () => {
    const id = start();
    commitCase(store.db, { batchId: id, caseCode: m.cases[0]?.outer ?? '', children: capsOfCase(m, 0), at: T0, actor: 'station', epcis: TEST_EPCIS });
    const pallet = allocatePalletCode(store.db, id).code;
    commitPallet(store.db, { batchId: id, palletCode: pallet, cases: [m.cases[0]?.outer ?? ''], at: T0 + 1, actor: 'op1', epcis: TEST_EPCIS, short: { reason: 'test' } });
    const cap = m.caps[0];
    const q = queryCode(store.db, cap?.outer ?? '');
    expect(q?.code).toMatchObject({ kind: 'cap-outer', status: 'aggregated', batchId: id });
    expect(q?.ancestors.map((a) => a.code)).toEqual([m.cases[0]?.outer, pallet]);
    expect(q?.pair?.code).toBe(`${cap?.inner.slice(0, 4)}…${cap?.inner.slice(-2)}`);
    const c = queryCode(store.db, m.cases[0]?.outer ?? '');
    expect(c?.children).toHaveLength(4);
    expect(c?.container).toMatchObject({ level: 'case', childCount: 4 });
    expect(c?.audit.map((a) => a.action)).toEqual(['case.commit']);
    // Scanning the secret code itself works, but the answer never holds it in full.
    const s = queryCode(store.db, cap?.inner ?? '');
    expect(JSON.stringify(s)).not.toContain(cap?.inner);
    expect(s?.pair?.code).toBe(cap?.outer);
    expect(queryCode(store.db, 'NOPE')).toBeNull();
  });
});
