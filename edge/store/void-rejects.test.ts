import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capsOfCase, packageUuids, seedLine, TEST_EPCIS, type LineMaterial } from '../../test/e2e/batch-line-fixture.ts';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import { closeBatch, startBatch } from './batches.ts';
import { commitCase } from './case-commit.ts';
import { openStore, type Store } from './open.ts';
import { reconcileBatch } from './reconciliation.ts';
import { recordReject } from './rejects.ts';
import { reworkRepack } from './rework/index.ts';
import { addUser } from './users.ts';
import { VOID_REJECTS_REASON, voidUnreworkedRejects } from './void-rejects.ts';

const T0 = Date.UTC(2026, 2, 1, 8, 0, 0);
let dir: TempDir;
let store: Store;
let m: LineMaterial;
let batchId: number;

function status(code: string): string {
  return store.db.prepare('SELECT status FROM codes WHERE code = ?').pluck().get(code) as string;
}

function rejectCase(i: number): void {
  recordReject(store.db, {
    batchId, station: 'case', at: T0 + 10 + i,
    findings: [{ reason: 'missing', detail: 'test' }],
    read: { childCodes: capsOfCase(m, i), caseCode: m.cases[i]?.outer ?? null, noRead: false },
  });
}

beforeEach(() => {
  dir = makeTempDir();
  store = openStore(dir.file('wuma.db'), { checkpointer: false });
  m = seedLine(store.db, { cases: 4 });
  batchId = startBatch(store.db, { productId: m.productId, lot: 'L1', productionDate: '2026-03-01', line: 'A1', packages: packageUuids(m), actor: 'op' }).id;
  commitCase(store.db, { batchId, caseCode: m.cases[0]?.outer ?? '', children: capsOfCase(m, 0), at: T0, actor: 'station', epcis: TEST_EPCIS });
  rejectCase(1);
  rejectCase(2);
  addUser(store.db, { id: 'qa1', name: '张质检', role: 'qa', pin: '246810' }, 'admin');
  // Case 1's bottles come back through rework under a fresh case code; its old case code stays rejected.
  reworkRepack(store.db, { epcis: TEST_EPCIS }, { userId: 'qa1', pin: '246810', reason: '返工' }, { caseCode: m.cases[3]?.outer ?? '', codes: capsOfCase(m, 1) });
});
afterEach(async () => { await store.close(); dir.remove(); });

describe('voidUnreworkedRejects', () => {
  it('voids every still-rejected code with its inner pair, emits decommissioning events and audits; reworked codes stay', () => {
    expect(reconcileBatch(store.db, batchId).totals.unexplainedDetail.rejectedPending).toBeGreaterThan(0);
    const before = store.db.prepare('SELECT count(*) FROM outbox').pluck().get() as number;
    const r = voidUnreworkedRejects(store.db, { batchId, actor: 'qa1', at: T0 + 100, epcis: TEST_EPCIS });
    // case 2: 4 caps + 4 cap-inner + case-outer + case-inner; case 1: its old case code and case-inner.
    expect(r.voided).toBe(12);
    for (const c of m.caps.slice(8, 12)) { expect(status(c.outer)).toBe(8); expect(status(c.inner)).toBe(8); }
    for (const i of [1, 2]) { expect(status(m.cases[i]?.outer ?? '')).toBe(8); expect(status(m.cases[i]?.inner ?? '')).toBe(8); }
    for (const c of m.caps.slice(4, 8)) expect(status(c.outer)).toBe(3);
    expect(store.db.prepare('SELECT count(*) FROM codes WHERE batch_id = ? AND status = 5').pluck().get(batchId)).toBe(0);
    const events = store.db.prepare('SELECT body FROM outbox WHERE id > ? ORDER BY id').pluck().all(before) as string[];
    expect(events).toHaveLength(r.outboxIds.length);
    expect(events.length).toBe(4);
    for (const e of events) expect(e).toContain('decommissioning');
    const audit = store.db.prepare(`SELECT action, actor, reason, detail FROM audit_log WHERE action IN ('codes.void', 'rejects.void') ORDER BY seq`).all() as { action: string; actor: string; reason: string; detail: string }[];
    expect(audit.map((a) => [a.action, a.actor, a.reason])).toEqual([['codes.void', 'qa1', VOID_REJECTS_REASON], ['rejects.void', 'qa1', VOID_REJECTS_REASON]]);
    const secrets = [...m.caps.map((c) => c.inner), ...m.cases.map((c) => c.inner)];
    expect(secrets.filter((s) => audit.some((a) => a.detail.includes(s)))).toEqual([]);
    const report = reconcileBatch(store.db, batchId);
    expect(report.totals.unexplainedDetail.rejectedPending).toBe(0);
    expect(report.totals.balanced).toBe(true);
  });

  it('is idempotent: a second call voids nothing and writes nothing', () => {
    voidUnreworkedRejects(store.db, { batchId, actor: 'qa1', at: T0 + 100, epcis: TEST_EPCIS });
    const counts = (): unknown[] => ['outbox', 'audit_log'].map((t) => store.db.prepare(`SELECT count(*) FROM ${t}`).pluck().get());
    const before = counts();
    expect(voidUnreworkedRejects(store.db, { batchId, actor: 'qa1', at: T0 + 200, epcis: TEST_EPCIS })).toEqual({ voided: 0, outboxIds: [] });
    expect(counts()).toEqual(before);
  });

  it('runs nested inside a caller transaction (as batch close would) and rolls back with it', () => {
    expect(() => store.db.transaction(() => {
      voidUnreworkedRejects(store.db, { batchId, actor: 'qa1', at: T0 + 100, epcis: TEST_EPCIS });
      throw new Error('close refused');
    }).immediate()).toThrow('close refused');
    expect(status(m.cases[2]?.outer ?? '')).toBe(5);
    const r = store.db.transaction(() => voidUnreworkedRejects(store.db, { batchId, actor: 'qa1', at: T0 + 100, epcis: TEST_EPCIS })).immediate();
    expect(r.voided).toBe(12);
  });

  it('batch close voids the rejected codes only when the close goes ahead', () => {
    const refused = closeBatch(store.db, { batchId, actor: 'qa1', epcis: TEST_EPCIS });
    expect(refused.kind).toBe('refused');
    expect(status(m.cases[2]?.outer ?? '')).toBe(5);
    const closed = closeBatch(store.db, { batchId, actor: 'qa1', reason: '班末：剔除箱未返工，作废 (end of shift)', epcis: TEST_EPCIS });
    expect(closed.kind).toBe('closed');
    expect(status(m.cases[2]?.outer ?? '')).toBe(8);
    for (const c of m.caps.slice(8, 12)) expect(status(c.inner)).toBe(8);
    expect(closed.report.totals.unexplainedDetail.rejectedPending).toBe(0);
    expect(store.db.prepare(`SELECT count(*) FROM audit_log WHERE action = 'rejects.void'`).pluck().get()).toBe(1);
  });

  it('refuses an unknown batch', () => {
    expect(() => voidUnreworkedRejects(store.db, { batchId: 999, actor: 'qa1', at: T0, epcis: TEST_EPCIS })).toThrow(/批次 999 不存在/);
  });
});
