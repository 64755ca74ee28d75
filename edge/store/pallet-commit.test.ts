import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capsOfCase, packageUuids, seedLine, TEST_EPCIS, type LineMaterial } from '../../test/e2e/batch-line-fixture.ts';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import { hasValidGs1CheckDigit } from '../codes/index.ts';
import { startBatch } from './batches.ts';
import { commitCase } from './case-commit.ts';
import { openStore, type Store } from './open.ts';
import { allocatePalletCode, commitPallet, mergePallets, openPallet, palletStacks, parkPallet, resumePallet, stackCase } from './pallet-commit.ts';
import { verifyStore } from './verify.ts';

let dir: TempDir;
let store: Store;
let m: LineMaterial;
let batchId: number;
const T0 = Date.UTC(2026, 2, 1, 8, 0, 0);

function setup(options: Parameters<typeof seedLine>[1] = {}): void {
  m = seedLine(store.db, { cases: 6, ...options });
  batchId = startBatch(store.db, { productId: m.productId, lot: 'L1', productionDate: '2026-03-01', line: 'A1', packages: packageUuids(m), actor: 'op1' }).id;
  m.cases.forEach((c, i) => {
    commitCase(store.db, { batchId, caseCode: c.outer, children: capsOfCase(m, i), at: T0 + i, actor: 'station', epcis: TEST_EPCIS });
  });
}
const caseCodes = (): string[] => m.cases.map((c) => c.outer);
const status = (code: string): number => store.db.prepare('SELECT status FROM codes WHERE code = ?').pluck().get(code) as number;
const count = (table: string): number => store.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

beforeEach(() => {
  dir = makeTempDir();
  store = openStore(dir.file('wuma.db'), { checkpointer: false });
});
afterEach(async () => {
  await store.close();
  dir.remove();
});

describe('allocatePalletCode', () => {
  it('hands out package codes once each, then generates on demand into a per-batch package', () => {
    setup({ palletCodes: 1 });
    const first = allocatePalletCode(store.db, batchId);
    expect(first).toEqual({ code: m.palletCodes[0], source: 'package' });
    const second = allocatePalletCode(store.db, batchId);
    expect(second.source).toBe('generated');
    // 12 Crockford characters and an ISO/IEC 7064 MOD 37,36 check character, which may be any of 0-9A-Z.
    expect(second.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{12}[0-9A-Z]$/);
    const third = allocatePalletCode(store.db, batchId);
    expect(third.code).not.toBe(second.code);
    expect(count('pallet_allocations')).toBe(3);
    // The on-demand package is listed with the batch and its count matches its codes (wuma verify).
    expect(store.db.prepare('SELECT count FROM code_packages WHERE id = (SELECT pallet_package_id FROM batches WHERE id = ?)').pluck().get(batchId)).toBe(2);
    expect(verifyStore(store.db).ok).toBe(true);
  });

  it('makes an SSCC when the product pallet profile is GS1', () => {
    setup({ profiles: { pallet: { scheme: 'sscc', kind: 'pallet', extensionDigit: 3, companyPrefix: '6901234', content: { type: 'plain' } } } });
    const { code, source } = allocatePalletCode(store.db, batchId);
    expect(source).toBe('generated');
    expect(code).toMatch(/^36901234\d{10}$/);
    expect(hasValidGs1CheckDigit(code)).toBe(true);
  });
});

describe('commitPallet', () => {
  it('aggregates the cases under the pallet with container, audit and pallet-tagged outbox events', () => {
    setup();
    const { code } = allocatePalletCode(store.db, batchId);
    const r = commitPallet(store.db, { batchId, palletCode: code, cases: caseCodes().slice(0, 3), at: T0 + 100, actor: 'station', epcis: TEST_EPCIS });
    expect(r).toMatchObject({ palletCode: code, cases: 3, short: false });
    for (const c of caseCodes().slice(0, 3)) expect(store.db.prepare('SELECT parent, status FROM codes WHERE code = ?').get(c)).toEqual({ parent: code, status: 3 });
    expect(status(code)).toBe(2);
    expect(store.db.prepare('SELECT count(*) FROM outbox WHERE pallet = ?').pluck().get(code)).toBe(2);
    expect(verifyStore(store.db).ok).toBe(true);
  });

  it('rolls everything back when one case is not packable, and refuses short pallets without a reason', () => {
    setup();
    const { code } = allocatePalletCode(store.db, batchId);
    const before = { codes: store.db.prepare('SELECT code, status, parent FROM codes ORDER BY code').all(), audit: count('audit_log'), outbox: count('outbox'), containers: count('containers') };
    const foreign = capsOfCase(m, 0)[0] ?? '';
    expect(() => commitPallet(store.db, { batchId, palletCode: code, cases: [...caseCodes().slice(0, 2), foreign], at: T0, actor: 's', epcis: TEST_EPCIS }))
      .toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(() => commitPallet(store.db, { batchId, palletCode: code, cases: caseCodes().slice(0, 2), at: T0, actor: 's', epcis: TEST_EPCIS }))
      .toThrow(/强制满垛/);
    expect(() => commitPallet(store.db, { batchId, palletCode: code, cases: caseCodes().slice(0, 4), at: T0, actor: 's', epcis: TEST_EPCIS }))
      .toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect({ codes: store.db.prepare('SELECT code, status, parent FROM codes ORDER BY code').all(), audit: count('audit_log'), outbox: count('outbox'), containers: count('containers') }).toEqual(before);
    const short = commitPallet(store.db, { batchId, palletCode: code, cases: caseCodes().slice(0, 2), at: T0, actor: 'op1', epcis: TEST_EPCIS, short: { reason: '批次尾数 (end of batch)' } });
    expect(short.short).toBe(true);
    expect(store.db.prepare(`SELECT actor, reason FROM audit_log WHERE action = 'pallet.force-close'`).get()).toEqual({ actor: 'op1', reason: '批次尾数 (end of batch)' });
    expect(verifyStore(store.db).ok).toBe(true);
  });

  it('parks a part pallet across a restart, resumes, merges two part pallets and commits the stack', async () => {
    setup();
    const a = openPallet(store.db, batchId);
    stackCase(store.db, a, caseCodes()[0] ?? '');
    stackCase(store.db, a, caseCodes()[1] ?? '');
    expect(() => stackCase(store.db, a, caseCodes()[0] ?? '')).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    parkPallet(store.db, a, 'op1');
    expect(() => stackCase(store.db, a, caseCodes()[2] ?? '')).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    const b = openPallet(store.db, batchId);
    stackCase(store.db, b, caseCodes()[2] ?? '');
    await store.close();
    store = openStore(dir.file('wuma.db'), { checkpointer: false });
    const stacks = palletStacks(store.db, batchId);
    expect(stacks.map((s) => [s.id, s.state, s.cases])).toEqual([[a, 'parked', caseCodes().slice(0, 2)], [b, 'open', [caseCodes()[2]]]]);
    expect(resumePallet(store.db, a, 'op2').state).toBe('open');
    const merged = mergePallets(store.db, { into: a, from: b, actor: 'op2' });
    expect(merged.cases).toEqual(caseCodes().slice(0, 3));
    const { code } = allocatePalletCode(store.db, batchId);
    expect(commitPallet(store.db, { batchId, palletCode: code, stackId: a, at: T0, actor: 'station', epcis: TEST_EPCIS }).cases).toBe(3);
    expect(palletStacks(store.db, batchId)).toEqual([]);
    expect(verifyStore(store.db).ok).toBe(true);
  });
});
