import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { runWuma } from '../support/run-cli.ts';
import { demoLogger } from '../../edge/demo/demo-logger.ts';
import { NO_FAULTS } from '../../edge/demo/fault-rates.ts';
import { startDemoLine, type DemoSummary } from '../../edge/demo/run-demo-line.ts';
import { DEMO_PRODUCT_ID } from '../../edge/demo/setup-demo-line.ts';
// Loaded up front: node-opcua (pulled in by the station's PLC and printer registries) creates process.stdin's
// handle when it first loads, which the shared leak check would otherwise blame on the first test.
import '../../edge/cli/commands/demo.ts';
import { openStore } from '../../edge/store/open.ts';
import { pauseBatch, resumeBatch } from '../../edge/store/batches.ts';
import { addProduct } from '../../edge/store/products.ts';

/**
 * `wuma demo` end to end (issue 4 §7): the CLI sets up a demo database with generated and paired codes, runs the
 * real station against emulated devices over loopback, feeds cases with faults and prints a summary. Every
 * simulated fault must come out as its reject reason (the whole chain: conveyor → emulator → TCP → driver →
 * station → store), accepted cases must reach pallets, and the database must verify.
 */

let dir: TempDir;
beforeEach(() => { dir = makeTempDir('wuma-demo-'); });
afterEach(() => { dir.remove(); });

const FAULTS = 'missing=0.05,duplicate=0.05,foreign=0.05,noread=0.05,label=0.05';
const REASON_OF = { missing: 'missing', duplicate: 'duplicate', foreign: 'foreign', noread: 'no-read', label: 'case-code' } as const;

describe('wuma demo', () => {
  it('--cases N --json: every simulated fault is rejected with its reason, good cases are palletised, verify passes; a second run resumes', async () => {
    const db = dir.file('demo.db');
    const first = await runWuma(['demo', '--cases', '150', '--rate', '60', '--faults', FAULTS, '--seed', '99', '--json', '--db', db]);
    expect(first.code, first.stderr).toBe(0);
    const s = first.json<DemoSummary>();
    expect(s).toMatchObject({ ok: true, resumed: false, end: 'limit', fed: 150, decided: 150, verify: { ok: true, failed: [] }, reconciliationBalanced: true });
    // Ready time (process start → deciding and serving; in-process here, so bounded by this worker's uptime).
    const readyMs = (s as DemoSummary & { readyMs?: unknown }).readyMs;
    expect(typeof readyMs === 'number' && Number.isInteger(readyMs) && readyMs > 0 && readyMs <= performance.now()).toBe(true);
    const planned = s.faultsPlanned;
    expect(s.cases.good).toBe(planned.none);
    expect(s.cases.rejected).toBe(150 - planned.none);
    const expected: Record<string, number> = {};
    for (const [fault, reason] of Object.entries(REASON_OF)) {
      const n = planned[fault as keyof typeof REASON_OF];
      if (n > 0) expected[reason] = (expected[reason] ?? 0) + n;
    }
    expect(s.cases.byReason).toEqual(expected);
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(4);
    // 10 cases per pallet; the cases of the last, open pallet stay on its stack.
    expect(s.pallets * 10 + s.batchTotals.palletStackCases).toBe(s.cases.good);
    expect(s.batchTotals).toMatchObject({ cases: s.cases.good, rejects: s.cases.rejected, pallets: s.pallets });
    expect(s.outbox.events).toBeGreaterThan(s.cases.good * 3);

    const verify = await runWuma(['verify', '--db', db]);
    expect(verify.code, verify.stdout).toBe(0);
    const report = await runWuma(['batch', 'report', String(s.batch?.id), '--json', '--db', db]);
    expect(report.code, report.stderr).toBe(0);

    // --no-api: the same line without the local API/UI (the crash harness's faster start).
    const again = await runWuma(['demo', '--cases', '20', '--rate', '60', '--faults', 'none', '--json', '--no-api', '--db', db]);
    expect(again.code, again.stderr).toBe(0);
    const t = again.json<DemoSummary>();
    expect(t).toMatchObject({ ok: true, resumed: true, fed: 20, decided: 20, cases: { good: 20, rejected: 0 } });
    expect(t.batchTotals.cases).toBe(s.cases.good + 20);
    expect(t.pallets * 10 + t.batchTotals.palletStackCases).toBe(t.batchTotals.cases);
  });

  it('prints a readable summary without --json', async () => {
    const r = await runWuma(['demo', '--cases', '12', '--rate', '40', '--faults', 'none', '--api-port', '0', '--db', dir.file('d.db')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('演示线汇总 (demo summary)');
    expect(r.stdout).toMatch(/合格 \(good\):\s+12/);
    expect(r.stdout).toContain('通过 (ok)');
    // The demo prints a link that opens its UI at once (the link carries the per-launch token; only the demo does).
    expect(r.stdout).toMatch(/本地界面 \(local UI\): 在浏览器打开 \(open in a browser\) http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{16,}/);
  });

  it('--operator-batch: no batch of its own; the conveyor feeds the batch the station runs, stops on pause before the next case, feeds again on resume', async () => {
    const demo = await startDemoLine({
      dbPath: dir.file('op.db'), cases: null, rate: 40, faults: NO_FAULTS, logger: demoLogger({}), stockCases: 200, operatorBatch: true,
    });
    const sleep = (ms: number): Promise<void> => new Promise((resolve) => { setTimeout(resolve, ms); });
    try {
      expect(demo.line.batch).toBeNull();
      await sleep(300);
      expect(demo.fed()).toBe(0);
      const db = demo.station.store.db;
      expect(db.prepare('SELECT count(*) FROM batches').pluck().get()).toBe(0);
      // What the UI's product list proposes: the demo product's four prepared packages.
      const packages = db.prepare('SELECT uuid FROM code_packages WHERE product_id = ?').pluck().all(DEMO_PRODUCT_ID) as string[];
      expect(packages).toHaveLength(4);
      const batch = demo.station.startBatch({ productId: DEMO_PRODUCT_ID, lot: 'OP01', productionDate: '2025-01-01', packages, actor: 'demo-op' });
      await expect.poll(() => demo.decided(), { timeout: 10_000 }).toBeGreaterThanOrEqual(8);
      expect(demo.batch()).toEqual({ id: batch.id, lot: 'OP01' });
      // As a CLI or another process does: commit the pause in the store, then the station adopts it.
      pauseBatch(db, batch.id, 'demo-op');
      const fedAtPause = demo.fed();
      await demo.station.adoptBatch(batch.id);
      await sleep(300);
      expect(demo.fed()).toBeLessThanOrEqual(fedAtPause + 1);
      // At most the case whose trigger was on its way to the PLC when the pause was committed passes the stopped
      // station undecided; it is counted and alarmed (cases-unseen), never silent.
      expect(demo.station.status().caseStation?.unseen ?? 0).toBeLessThanOrEqual(1);
      const paused = demo.fed();
      resumeBatch(db, batch.id, 'demo-op');
      await demo.station.adoptBatch(batch.id);
      await expect.poll(() => demo.fed(), { timeout: 10_000 }).toBeGreaterThan(paused + 5);
    } finally {
      const s = await demo.stop();
      expect(s).toMatchObject({ ok: true, batch: { lot: 'OP01' }, verify: { ok: true } });
      // Every fed case was decided, or counted as passing a stopped station (the pause landing between two cases).
      expect(s.decided + s.unseen).toBe(s.fed);
      // No cap came round twice across the runs (the stock is reloaded only once every fed case is decided).
      expect(s.cases.byReason.duplicate ?? 0).toBe(0);
      expect(s.batchTotals.cases).toBe(s.cases.good);
    }
  });

  it('refuses bad options and a database that is not a demo database', async () => {
    const bad = [
      ['--faults', 'bogus=0.1'], ['--faults', 'missing=2'], ['--faults', 'missing=0.6,label=0.6'], ['--rate', '0'], ['--cases', '0'], ['--api-port', '70000'],
      ['--no-api', '--api-port', '0'], ['--no-api', '--operator-batch'], ['--no-api', '--hold'],
    ];
    for (const args of bad) {
      const r = await runWuma(['demo', ...args, '--db', dir.file('x.db')]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
    }
    const real = dir.file('station.db');
    const store = openStore(real, { checkpointer: false });
    addProduct(store.db, { id: 'BEER-500', name: '啤酒', gtin: null, unitsPerBox: null, boxesPerCase: null, unitsPerCase: 12, casesPerPallet: 70, pairingRequired: true, profiles: {} }, 'it');
    await store.close();
    const r = await runWuma(['demo', '--cases', '5', '--db', real]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('不是演示数据库');
    writeFileSync(dir.file('junk.db'), 'not a database');
    expect((await runWuma(['demo', '--cases', '5', '--db', dir.file('junk.db')])).code).toBe(1);
  });
});
