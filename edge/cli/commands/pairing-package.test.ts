import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedPairingMaterial, type PairingMaterial } from '../../../test/support/pairing-material.ts';
import { runWuma } from '../../../test/support/run-cli.ts';
import { makeTempDir, type TempDir } from '../../../test/support/temp-dir.ts';
import { checkPair } from '../../pairing/check-pair.ts';
import { openStore } from '../../store/open.ts';
import { closePairingRun, commitPairingItem, startPairingRun } from '../../store/pairing-items.ts';

let dir: TempDir;
let m: PairingMaterial;
let runUuid: string;

function pem(key: import('node:crypto').KeyObject): string {
  return key.export({ type: key.type === 'private' ? 'pkcs8' : 'spki', format: 'pem' }).toString();
}

beforeEach(async () => {
  dir = makeTempDir();
  const brand = generateKeyPairSync('x25519');
  const station = generateKeyPairSync('ed25519');
  writeFileSync(dir.file('brand.pem'), pem(brand.privateKey));
  writeFileSync(dir.file('brand.pub.pem'), pem(brand.publicKey));
  writeFileSync(dir.file('station.pem'), pem(station.privateKey));
  writeFileSync(dir.file('station.pub.pem'), pem(station.publicKey));
  const s = openStore(dir.file('supplier.db'), { checkpointer: false });
  const b = openStore(dir.file('brand.db'), { checkpointer: false });
  m = seedPairingMaterial(s.db, { count: 4 });
  seedPairingMaterial(b.db, { like: m });
  const run = startPairingRun(s.db, { line: 'P1', innerPackage: m.innerPackage, outerPackage: m.outerPackage, actor: 'op1' });
  for (const [i, o, c] of [[m.inner[0]!, m.outer[0]!, 1], [null, m.outer[1]!, 2], [m.inner[2]!, m.outer[2]!, 3]] as const) {
    const sides = { inner: { code: i, counter: c }, outer: { code: o, counter: c } };
    commitPairingItem(s.db, { runId: run.id, ...sides, at: Date.now() }, (f) => checkPair(sides, f, run));
  }
  closePairingRun(s.db, run.id, 'op1');
  runUuid = run.uuid;
  await s.close();
  await b.close();
});
afterEach(() => dir.remove());

describe('wuma pairing export / wuma codes import-pairing', () => {
  it('exports a closed run and the brand imports it; a second import changes nothing', async () => {
    const ex = await runWuma(['pairing', 'export', '--db', dir.file('supplier.db'), '--run', runUuid, '--out', dir.file('run.wpair'), '--signing-key', dir.file('station.pem'), '--recipient-key', dir.file('brand.pub.pem'), '--json']);
    expect(ex.code, ex.stderr).toBe(0);
    expect(ex.json()).toMatchObject({ ok: true, manifest: { pairs: 2, waste: 1 } });
    const args = ['codes', 'import-pairing', dir.file('run.wpair'), '--db', dir.file('brand.db'), '--supplier-key', dir.file('station.pub.pem'), '--private-key', dir.file('brand.pem')];
    const im = await runWuma([...args, '--json']);
    expect(im.code, im.stderr).toBe(0);
    expect(im.json()).toMatchObject({ ok: true, stored: 2, voided: 1, alreadyImported: false });
    const again = await runWuma(args);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/已导入过/);
    for (const c of m.inner) expect(im.stdout + again.stdout + ex.stdout).not.toContain(c);
  });

  it('bad keys are usage errors naming the option, and nothing is written', async () => {
    const wrongType = await runWuma(['pairing', 'export', '--db', dir.file('supplier.db'), '--run', runUuid, '--out', dir.file('a.wpair'), '--signing-key', dir.file('brand.pem'), '--recipient-key', dir.file('brand.pub.pem')]);
    expect(wrongType.code).toBe(2);
    expect(wrongType.stderr).toMatch(/--signing-key .*Ed25519/);
    await runWuma(['pairing', 'export', '--db', dir.file('supplier.db'), '--run', runUuid, '--out', dir.file('run.wpair'), '--signing-key', dir.file('station.pem'), '--recipient-key', dir.file('brand.pub.pem')]);
    const privateAsTrusted = await runWuma(['codes', 'import-pairing', dir.file('run.wpair'), '--db', dir.file('brand.db'), '--supplier-key', dir.file('station.pem'), '--private-key', dir.file('brand.pem')]);
    expect(privateAsTrusted.code).toBe(2);
    expect(privateAsTrusted.stderr).toMatch(/--supplier-key .*私钥/);
    const b = openStore(dir.file('brand.db'), { checkpointer: false });
    try {
      expect(b.db.prepare('SELECT count(*) FROM codes WHERE pair IS NOT NULL').pluck().get()).toBe(0);
    } finally {
      await b.close();
    }
  });
});
