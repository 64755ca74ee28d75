import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkPair } from '../../edge/pairing/check-pair.ts';
import { openStore } from '../../edge/store/open.ts';
import { commitPairingItem, startPairingRun } from '../../edge/store/pairing-items.ts';
import { closeAfterEach } from '../support/close-after-each.ts';
import { addPackage, seedPairingMaterial } from '../support/pairing-material.ts';
import { runWuma } from '../support/run-cli.ts';
import { makeTempDir } from '../support/temp-dir.ts';

const keep = closeAfterEach();
const pem = (key: KeyObject): string => key.export({ type: key.type === 'private' ? 'pkcs8' : 'spki', format: 'pem' }).toString();

/**
 * The supplier → brand path through the CLI (issue 15 §3): a pairing run is closed with `wuma pairing close`, exported
 * as a sealed pairing package, imported by the brand; the brand's batch over those packages shows the pairs as
 * camera-verified in `wuma batch report` (terminal table and JSON).
 */
describe('wuma pairing close → export → brand import → batch report', () => {
  it('closes the running run of a line once, exports it, and the brand batch report counts its camera-verified pairs', async () => {
    const dir = keep(makeTempDir(), (d) => { d.remove(); });
    const keys = { brand: generateKeyPairSync('x25519'), station: generateKeyPairSync('ed25519') };
    writeFileSync(dir.file('brand.pem'), pem(keys.brand.privateKey));
    writeFileSync(dir.file('brand.pub.pem'), pem(keys.brand.publicKey));
    writeFileSync(dir.file('station.pem'), pem(keys.station.privateKey));
    writeFileSync(dir.file('station.pub.pem'), pem(keys.station.publicKey));
    const s = openStore(dir.file('supplier.db'), { checkpointer: false });
    const m = seedPairingMaterial(s.db, { count: 6 });
    const run = startPairingRun(s.db, { line: 'P1', innerPackage: m.innerPackage, outerPackage: m.outerPackage, actor: 'op1' });
    const items = [[m.inner[0]!, m.outer[0]!], [m.inner[1]!, m.outer[1]!], [null, m.outer[2]!], [m.inner[3]!, m.outer[3]!]] as const;
    for (const [k, [i, o]] of items.entries()) {
      const sides = { inner: { code: i, counter: k + 1 }, outer: { code: o, counter: k + 1 } };
      commitPairingItem(s.db, { runId: run.id, ...sides, at: Date.now() }, (f) => checkPair(sides, f, run));
    }
    await s.close();

    // Export of a running run is refused; close it by its line.
    const early = await runWuma(['pairing', 'export', '--db', dir.file('supplier.db'), '--run', run.uuid, '--out', dir.file('early.wpair'), '--signing-key', dir.file('station.pem'), '--recipient-key', dir.file('brand.pub.pem')]);
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/仍在进行，请先结束/);
    const usage = await runWuma(['pairing', 'close', '--db', dir.file('supplier.db')]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--run .*--line/);
    const noRun = await runWuma(['pairing', 'close', '--db', dir.file('supplier.db'), '--line', 'P9']);
    expect(noRun.code).toBe(2);
    expect(noRun.stderr).toMatch(/--line P9: 该产线没有进行中的配对任务/);
    const closed = await runWuma(['pairing', 'close', '--db', dir.file('supplier.db'), '--line', 'P1', '--json']);
    expect(closed.code, closed.stderr).toBe(0);
    expect(closed.json()).toMatchObject({ ok: true, run: run.uuid, state: 'closed', counts: { paired: 3, waste: 1 } });
    const twice = await runWuma(['pairing', 'close', '--db', dir.file('supplier.db'), '--run', run.uuid]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/已结束/);
    const after = openStore(dir.file('supplier.db'), { checkpointer: false });
    try {
      const sides = { inner: { code: m.inner[4]!, counter: 5 }, outer: { code: m.outer[4]!, counter: 5 } };
      expect(() => commitPairingItem(after.db, { runId: run.id, ...sides, at: Date.now() }, (f) => checkPair(sides, f, run))).toThrow(/已结束/);
      expect(after.db.prepare(`SELECT action FROM audit_log WHERE action = 'pairing.close'`).pluck().all()).toEqual(['pairing.close']);
    } finally {
      await after.close();
    }

    const ex = await runWuma(['pairing', 'export', '--db', dir.file('supplier.db'), '--run', run.uuid, '--out', dir.file('run.wpair'), '--signing-key', dir.file('station.pem'), '--recipient-key', dir.file('brand.pub.pem'), '--json']);
    expect(ex.code, ex.stderr).toBe(0);

    // The brand: the same cap packages, plus case packages so a batch of this product can start.
    const b = openStore(dir.file('brand.db'), { checkpointer: false });
    seedPairingMaterial(b.db, { like: m });
    const caseInner = addPackage(b.db, 'case-inner', m.productId, [randomBytes(8).toString('hex').toUpperCase()]);
    const caseOuter = addPackage(b.db, 'case-outer', m.productId, [randomBytes(6).toString('hex').toUpperCase()]);
    await b.close();
    const im = await runWuma(['codes', 'import-pairing', dir.file('run.wpair'), '--db', dir.file('brand.db'), '--supplier-key', dir.file('station.pub.pem'), '--private-key', dir.file('brand.pem'), '--json']);
    expect(im.code, im.stderr).toBe(0);
    expect(im.json()).toMatchObject({ ok: true, stored: 3 });
    const start = await runWuma(['batch', 'start', '--db', dir.file('brand.db'), '--product', m.productId, '--lot', 'L0301', '--date', '2026-03-01', '--line', 'A1',
      '--package', m.innerPackage, '--package', m.outerPackage, '--package', caseInner, '--package', caseOuter, '--json']);
    expect(start.code, start.stderr).toBe(0);
    const batchId = String((start.json() as { batch: { id: number } }).batch.id);
    const json = await runWuma(['batch', 'report', batchId, '--db', dir.file('brand.db'), '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(json.json()).toMatchObject({ ok: true, report: { cameraVerifiedPairs: 3 } });
    const table = await runWuma(['batch', 'report', batchId, '--db', dir.file('brand.db')]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/相机验证配对 \(camera-verified pairs\): 3/);
    const all = [early, closed, twice, ex, im, json, table].map((r) => r.stdout + r.stderr).join('\n');
    for (const c of m.inner) expect(all).not.toContain(c);
  });
});
