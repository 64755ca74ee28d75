import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { closeAfterEach } from '../../test/support/close-after-each.ts';
import { runWuma } from '../../test/support/run-cli.ts';
import { makeTempDir } from '../../test/support/temp-dir.ts';
import { SILENT_LOGGER } from '../station/logger.ts';
import { openStore } from '../store/open.ts';
import { parsePairingFaults, runPairingDemo } from './run-demo-pairing.ts';

const keep = closeAfterEach();

describe('wuma demo --mode pairing', () => {
  it('every fault ends in its reason and the brand accepts the sealed pairing package', async () => {
    const dir = keep(makeTempDir(), (d) => { d.remove(); });
    const s = await runPairingDemo({ dir: dir.path, items: 80, seed: 7, logger: SILENT_LOGGER, faults: parsePairingFaults('one-side=0.1,double-print=0.1,slipped=0.1,foreign=0.1') });
    expect(s.wrongExamples).toEqual([]);
    expect(s.ok).toBe(true);
    for (const f of ['one-side', 'double-print', 'slipped', 'foreign'] as const) expect(s.faultsPlanned[f]).toBeGreaterThan(0);
    expect(s.counts.byReason).toEqual({ 'one-side': s.faultsPlanned['one-side'], duplicate: s.faultsPlanned['double-print'], slipped: s.faultsPlanned.slipped, foreign: s.faultsPlanned.foreign, 'already-paired': 0, 'print-failed': 0 });
    expect(s.brandImport).toMatchObject({ ok: true, stored: s.counts.paired, cameraVerified: s.counts.paired });
    const brand = openStore(`${dir.path}/brand.db`, { checkpointer: false });
    try {
      const inner = brand.db.prepare(`SELECT c.code FROM codes c JOIN code_packages p ON p.id = c.package_id WHERE p.kind = 1`).pluck().all() as string[];
      const sealed = readdirSync(dir.path).filter((f) => f.endsWith('.wpair') || f.endsWith('.wpkg')).map((f) => readFileSync(`${dir.path}/${f}`));
      for (const code of inner.slice(0, 50)) for (const bytes of sealed) expect(bytes.includes(Buffer.from(code))).toBe(false);
    } finally {
      await brand.close();
    }
  });

  it('case-line options and bad fault lists are usage errors', async () => {
    const rate = await runWuma(['demo', '--mode', 'pairing', '--rate', '2']);
    expect(rate.code).toBe(2);
    expect(rate.stderr).toMatch(/--rate/);
    const faults = await runWuma(['demo', '--mode', 'pairing', '--faults', 'slip=0.1']);
    expect(faults.code).toBe(2);
    expect(faults.stderr).toMatch(/未知的配对故障 "slip"/);
    const mode = await runWuma(['demo', '--mode', 'warehouse']);
    expect(mode.code).toBe(2);
  });
});
