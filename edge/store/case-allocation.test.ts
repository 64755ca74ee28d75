import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capsOfCase, packageUuids, seedLine, TEST_EPCIS, type LineMaterial } from '../../test/e2e/batch-line-fixture.ts';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import { pauseBatch, startBatch } from './batches.ts';
import { allocateCaseCode, unconfirmedCaseCodes, unconfirmedPalletCodes } from './case-allocation.ts';
import { commitCase } from './case-commit.ts';
import { StoreError } from './errors.ts';
import { openStore, type Store } from './open.ts';
import { reconcileBatch } from './reconciliation.ts';
import { allocatePalletCode, openPallet, stackCase } from './pallet-commit.ts';
import { recordReject } from './rejects.ts';
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
  m = seedLine(store.db, { cases: 4, palletCodes: 1 });
  batchId = startBatch(store.db, { productId: m.productId, lot: 'L1', productionDate: '2026-03-01', line: 'A1', packages: packageUuids(m), actor: 'op1' }).id;
});
afterEach(async () => {
  await store.close();
  dir.remove();
});

const sorted = (): string[] => m.cases.map((c) => c.outer).sort();
const fail = (f: () => unknown): StoreError => {
  try { f(); } catch (error) { expect(error).toBeInstanceOf(StoreError); return error as StoreError; }
  throw new Error('expected a StoreError');
};

describe('allocateCaseCode', () => {
  it('counts an allocated case code that was never used as unexplained in the reconciliation', () => {
    const before = reconcileBatch(store.db, batchId);
    const { code } = allocateCaseCode(store.db, batchId);
    const after = reconcileBatch(store.db, batchId);
    const level = (r: typeof after) => r.levels.find((l) => l.level === 'case-outer')?.unexplainedDetail;
    expect(level(after)?.allocatedUnused).toBe((level(before)?.allocatedUnused ?? 0) + 1);
    expect(after.totals.unexplained).toBe(before.totals.unexplained + 1);
    voidCodes(store.db, { codes: [code], reason: 'label not printed', actor: 'station', at: T0, epcis: TEST_EPCIS });
    expect(level(reconcileBatch(store.db, batchId))?.allocatedUnused).toBe(level(before)?.allocatedUnused ?? 0);
  });

  it('hands out each free case code of the batch once, in code order, with an audit row', () => {
    const got = [allocateCaseCode(store.db, batchId).code, allocateCaseCode(store.db, batchId).code];
    expect(got).toEqual(sorted().slice(0, 2));
    expect(store.db.prepare('SELECT count(*) FROM case_allocations WHERE batch_id = ?').pluck().get(batchId)).toBe(2);
    expect(store.db.prepare(`SELECT subject FROM audit_log WHERE action = 'case.allocate' ORDER BY seq`).pluck().all()).toEqual(got);
    // The partial index is what the allocator reads.
    const plan = store.db.prepare(`EXPLAIN QUERY PLAN SELECT code FROM codes INDEXED BY codes_case_free WHERE package_id = 1 AND kind = 4 AND status IN (0, 1) LIMIT 1`).all();
    expect(JSON.stringify(plan)).toContain('codes_case_free');
  });

  it('skips used, voided and unpaired codes; says NOT_FOUND when none is left', () => {
    const [a, b, c, d] = sorted();
    commitCase(store.db, { batchId, caseCode: a!, children: capsOfCase(m, 0), at: T0, actor: 'station', epcis: TEST_EPCIS });
    voidCodes(store.db, { codes: [b!], reason: 'damaged carton', actor: 'qa', at: T0, epcis: TEST_EPCIS });
    // c loses its case-inner partner: a paired product cannot use it.
    const inner = store.db.prepare('SELECT pair FROM codes WHERE code = ?').pluck().get(c) as string;
    store.db.prepare('UPDATE codes SET status = 8 WHERE code = ?').run(inner);
    expect(allocateCaseCode(store.db, batchId).code).toBe(d);
    const error = fail(() => allocateCaseCode(store.db, batchId));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('箱码');
  });

  it('refuses a batch that is not running', () => {
    pauseBatch(store.db, batchId, 'op1');
    expect(fail(() => allocateCaseCode(store.db, batchId)).code).toBe('INVALID_STATE');
    expect(store.db.prepare('SELECT count(*) FROM case_allocations').pluck().get()).toBe(0);
  });
});

describe('unconfirmed allocations', () => {
  it('lists allocated case codes neither committed, rejected nor voided; and pallet codes likewise', () => {
    const codes = [0, 1, 2, 3].map(() => allocateCaseCode(store.db, batchId).code);
    commitCase(store.db, { batchId, caseCode: codes[0]!, children: capsOfCase(m, 0), at: T0, actor: 'station', epcis: TEST_EPCIS });
    recordReject(store.db, { batchId, station: 'case', findings: [{ reason: 'missing', detail: '3 of 4' }], read: { childCodes: [], caseCode: codes[1]!, noRead: false }, at: T0 });
    voidCodes(store.db, { codes: [codes[2]!], reason: 'print unknown', actor: 'station', at: T0, epcis: TEST_EPCIS });
    expect(unconfirmedCaseCodes(store.db, batchId)).toEqual([codes[3]]);
    const pallet = allocatePalletCode(store.db, batchId).code;
    expect(unconfirmedPalletCodes(store.db, batchId)).toEqual([pallet]);
    voidCodes(store.db, { codes: [codes[3]!, pallet], reason: 'restart', actor: 'station', at: T0, epcis: TEST_EPCIS });
    expect(unconfirmedCaseCodes(store.db, batchId)).toEqual([]);
    expect(unconfirmedPalletCodes(store.db, batchId)).toEqual([]);
    expect(verifyStore(store.db).checks.filter((c) => !c.ok)).toEqual([]);
  });
});

describe('stackCase messages (pallet-commit.ts)', () => {
  it('name a case-inner code held under the pallet reader masked, an outer or unknown code as read', () => {
    const stack = openPallet(store.db, batchId);
    const inner = m.cases[0]!.inner;
    const message = (code: string): string => { try { stackCase(store.db, stack, code); } catch (error) { return (error as Error).message; } return ''; };
    const secret = message(inner);
    expect(secret).not.toContain(inner);
    expect(secret).toContain(`${inner.slice(0, 4)}…${inner.slice(-2)}`);
    expect(message(m.cases[1]!.outer)).toContain(m.cases[1]!.outer);
    expect(message('NOT-A-CODE')).toContain('NOT-A-CODE');
  });
});
