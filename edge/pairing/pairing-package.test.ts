import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedPairingMaterial, type PairingMaterial } from '../../test/support/pairing-material.ts';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import { PackageError } from '../packages/index.ts';
import { renderReconciliationCsv } from '../report/reconciliation-csv.ts';
import { reconcileBatch } from '../store/reconciliation.ts';
import { openStore, type Store } from '../store/open.ts';
import { closePairingRun, commitPairingItem, startPairingRun, type PairingRun } from '../store/pairing-items.ts';
import { checkPair } from './check-pair.ts';
import { cameraVerifiedCount, exportPairingPackage, importPairingPackage } from './pairing-package.ts';

let dir: TempDir;
let supplier: Store;
let brand: Store;
let m: PairingMaterial;
let run: PairingRun;
const brandKeys = generateKeyPairSync('x25519');
const stationKeys = generateKeyPairSync('ed25519');
const otherStation = generateKeyPairSync('ed25519');

function item(inner: string | null, outer: string | null, ci = 1, co = ci): void {
  const sides = { inner: { code: inner, counter: ci }, outer: { code: outer, counter: co } };
  commitPairingItem(supplier.db, { runId: run.id, ...sides, at: Date.now() }, (facts) => checkPair(sides, facts, run));
}

beforeEach(async () => {
  dir = makeTempDir();
  supplier = openStore(dir.file('supplier.db'), { checkpointer: false });
  brand = openStore(dir.file('brand.db'), { checkpointer: false });
  m = seedPairingMaterial(supplier.db, { count: 8 });
  seedPairingMaterial(brand.db, { like: m });
  run = startPairingRun(supplier.db, { line: 'P1', innerPackage: m.innerPackage, outerPackage: m.outerPackage, actor: 'op1' });
  item(m.inner[0]!, m.outer[0]!, 1);
  item(m.inner[1]!, m.outer[1]!, 2);
  item(null, m.outer[2]!, 3); // 单面无读
  item(m.inner[0]!, m.outer[0]!, 4); // 重码
  item(m.inner[3]!, 'FOREIGN00001', 5); // 码包外
  item(m.inner[4]!, m.outer[4]!, 6, 7); // 错位
  item(m.inner[5]!, m.outer[5]!, 8);
  closePairingRun(supplier.db, run.id, 'op1');
});
afterEach(async () => {
  await supplier.close();
  await brand.close();
  dir.remove();
});

const seal = () => ({ type: 'recipient', publicKey: brandKeys.publicKey }) as const;
const open = () => ({ type: 'private-key', privateKey: brandKeys.privateKey }) as const;
const brandCode = (c: string) => brand.db.prepare('SELECT status, pair FROM codes WHERE code = ?').get(c) as { status: number; pair: string | null };
const brandSnapshot = () => ({
  codes: brand.db.prepare('SELECT code, status, pair FROM codes ORDER BY code').all(),
  camera: brand.db.prepare('SELECT count(*) FROM camera_pairs').pluck().get(),
  imports: brand.db.prepare('SELECT count(*) FROM pairing_imports').pluck().get(),
  audit: brand.db.prepare('SELECT count(*) FROM audit_log').pluck().get(),
});

describe('sealed pairing package', () => {
  it('round trip: the brand accepts the supplier run, pairs are camera-verified, fresh waste codes voided, re-import changes nothing', async () => {
    const out = dir.file('run.wpair');
    const exported = await exportPairingPackage(supplier.db, run.uuid, out, seal(), stationKeys.privateKey, 'op1');
    expect(exported.manifest).toMatchObject({ pairs: 3, waste: 4, byReason: { 'one-side': 1, duplicate: 1, foreign: 1, slipped: 1, 'already-paired': 0 } });
    const bytes = readFileSync(out);
    for (const c of m.inner) expect(bytes.includes(Buffer.from(c))).toBe(false);

    const r = await importPairingPackage(brand.db, { path: out, key: open(), trustedSigner: stationKeys.publicKey, actor: 'it' });
    expect(r.report.ok).toBe(true);
    expect(r).toMatchObject({ stored: 3, alreadyImported: false });
    for (const i of [0, 1, 5]) {
      expect(brandCode(m.inner[i]!).pair).toBe(m.outer[i]);
      expect(brandCode(m.outer[i]!).pair).toBe(m.inner[i]);
    }
    expect(cameraVerifiedCount(brand.db, m.innerPackage)).toBe(3);
    // Waste: outer 2 (one side), inner 3 (foreign partner), inner 4 + outer 4 (slipped) voided; the 重码 codes belong to pair 0.
    expect(r.voided).toBe(4);
    for (const c of [m.outer[2]!, m.inner[3]!, m.inner[4]!, m.outer[4]!]) expect(brandCode(c)).toEqual({ status: 8, pair: null });
    expect(brandCode(m.inner[0]!).status).toBe(0);

    // The brand's batch over these packages reports its camera-verified pairs (reconciliation and CSV).
    // (A closed batch over just the cap packages, written directly: startBatch would want every kind of the product.)
    const batchId = Number(brand.db.prepare(`INSERT INTO batches (product_id, lot, production_date, line, state, started_at, closed_at) VALUES (?, 'L1', '2026-03-01', 'A1', 'closed', ?, ?)`).run(m.productId, '2026-03-01T08:00:00Z', '2026-03-01T16:00:00Z').lastInsertRowid);
    brand.db.prepare('INSERT INTO batch_packages (batch_id, package_id) SELECT ?, id FROM code_packages WHERE uuid IN (?, ?)').run(batchId, m.innerPackage, m.outerPackage);
    const rec = reconcileBatch(brand.db, batchId);
    expect(rec.cameraVerifiedPairs).toBe(3);
    expect(renderReconciliationCsv(rec)).toMatch(/相机验证配对 \(camera-verified pairs\),3/);

    const before = brandSnapshot();
    const again = await importPairingPackage(brand.db, { path: out, key: open(), trustedSigner: stationKeys.publicKey, actor: 'it' });
    expect(again).toMatchObject({ alreadyImported: true, stored: 0 });
    expect(brandSnapshot()).toEqual(before);
  });

  it('a print-failed waste item (print mode) travels in the package and its codes are voided at the brand', async () => {
    const printRun = startPairingRun(supplier.db, { line: 'P2', innerPackage: m.innerPackage, outerPackage: m.outerPackage, actor: 'op1' });
    const side = (code: string) => ({ code, counter: null });
    commitPairingItem(supplier.db, { runId: printRun.id, inner: side(m.inner[6]!), outer: side(m.outer[6]!), at: Date.now() }, () => ({ kind: 'waste', reason: 'print-failed' }));
    const pair = { inner: side(m.inner[7]!), outer: side(m.outer[7]!) };
    commitPairingItem(supplier.db, { runId: printRun.id, ...pair, at: Date.now() }, (facts) => checkPair(pair, facts, printRun));
    closePairingRun(supplier.db, printRun.id, 'op1');
    const out = dir.file('print.wpair');
    const exported = await exportPairingPackage(supplier.db, printRun.uuid, out, seal(), stationKeys.privateKey, 'op1');
    expect(exported.manifest).toMatchObject({ pairs: 1, waste: 1, byReason: { 'print-failed': 1 } });
    const imported = await importPairingPackage(brand.db, { path: out, key: open(), trustedSigner: stationKeys.publicKey, actor: 'it1' });
    expect(imported.report.ok, JSON.stringify(imported.report.issues)).toBe(true);
    expect(imported).toMatchObject({ stored: 1, voided: 2 });
    expect(imported.manifest?.byReason['print-failed']).toBe(1);
    expect(brandCode(m.inner[6]!).status).toBe(8);
    expect(brandCode(m.outer[6]!).status).toBe(8);
    expect(brandCode(m.inner[7]!).pair).toBe(m.outer[7]);
  });

  it('a package signed by another station key is refused, naming the line, and nothing is stored', async () => {
    const out = dir.file('run.wpair');
    await exportPairingPackage(supplier.db, run.uuid, out, seal(), otherStation.privateKey, 'op1');
    const before = brandSnapshot();
    const r = await importPairingPackage(brand.db, { path: out, key: open(), trustedSigner: stationKeys.publicKey, actor: 'it' });
    expect(r.report.ok).toBe(false);
    expect(r.report.issues[0]).toMatchObject({ file: 'run.wpair', line: 9, reason: 'format' });
    expect(r.report.issues[0]?.message).toMatch(/不是受信任的供应商公钥/);
    expect(brandSnapshot()).toEqual(before);
  });

  it('a flipped byte is TAMPERED and nothing is stored', async () => {
    const out = dir.file('run.wpair');
    await exportPairingPackage(supplier.db, run.uuid, out, seal(), stationKeys.privateKey, 'op1');
    const bytes = readFileSync(out);
    bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 1;
    writeFileSync(out, bytes);
    const before = brandSnapshot();
    await expect(importPairingPackage(brand.db, { path: out, key: open(), trustedSigner: stationKeys.publicKey, actor: 'it' })).rejects.toMatchObject({ code: 'TAMPERED' });
    expect(brandSnapshot()).toEqual(before);
  });

  it('a pair that conflicts with a pair the brand already has is refused by line, masked, and nothing is stored', async () => {
    const out = dir.file('run.wpair');
    await exportPairingPackage(supplier.db, run.uuid, out, seal(), stationKeys.privateKey, 'op1');
    brand.db.prepare('UPDATE codes SET pair = ? WHERE code = ?').run(m.outer[7], m.inner[1]);
    brand.db.prepare('UPDATE codes SET pair = ? WHERE code = ?').run(m.inner[1], m.outer[7]);
    const before = brandSnapshot();
    const r = await importPairingPackage(brand.db, { path: out, key: open(), trustedSigner: stationKeys.publicKey, actor: 'it' });
    expect(r.report.ok).toBe(false);
    expect(r.report.issues.map((i) => [i.line, i.reason])).toEqual([[3, 'already-paired']]);
    const text = JSON.stringify(r.report);
    for (const c of m.inner) expect(text).not.toContain(c);
    expect(brandSnapshot()).toEqual(before);
  });

  it('a running run is not exported; a wrong signing key type is a clear error', async () => {
    const other = seedPairingMaterial(supplier.db, { count: 2 });
    const running = startPairingRun(supplier.db, { line: 'P2', innerPackage: other.innerPackage, outerPackage: other.outerPackage, actor: 'op1' });
    await expect(exportPairingPackage(supplier.db, running.uuid, dir.file('x.wpair'), seal(), stationKeys.privateKey, 'op1')).rejects.toThrow(/仍在进行/);
    await expect(exportPairingPackage(supplier.db, run.uuid, dir.file('y.wpair'), seal(), brandKeys.privateKey, 'op1')).rejects.toBeInstanceOf(PackageError);
  });
});
