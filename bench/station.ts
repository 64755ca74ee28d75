/**
 * `npm run bench -- station [--codes N] [--seconds S] [--rate R] [--units U] [--faults LIST] [--raw N]`
 * (defaults: 10,000,000 background codes, 30 s, 100 cases/s, 24 codes per case, no faults, 1,000 raw commits).
 *
 * 1. Builds a database the size of a real station's with the real generator (startGeneration, the worker the
 *    CLI uses): N codes in two packages (half cap-inner, half cap-outer). Then the demo line's own setup adds the
 *    packages of the measured batch (generated + paired through the pairing import).
 * 2. Runs the demo line (edge/demo: emulators on 127.0.0.1, the real station from edge/main.ts) at R cases/s with
 *    U codes per case. Read → decision latency is measured on the device side, where a real line would see it:
 *    from the later of the two read frames of a case (multi-code camera, case reader; both emulators write them
 *    with no exposure delay) to the PLC emulator executing the station's accept or reject write — so it holds
 *    the TCP hops, the parse, checkCase over the 10M-code table, the durable commit (synchronous=FULL) and the
 *    Modbus write. The station's own trigger → decision time (its status `decisionMs`, whole ms) is printed too.
 * 3. Raw durable commit in the same run, on the same database, with the same pragmas and checkpointer: a bare
 *    transaction inserting 25 rows (the size of one case: 24 children + the case), paced at R per second.
 *    Goal (issue 4): station p99 ≤ 2 × raw p99.
 * 4. Peak RSS of the process over the line run (VmHWM reset after generation; emulators and station together).
 */
import { randomBytes, randomFillSync, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PROFILES } from '../edge/codes/profile.ts';
import { demoLogger } from '../edge/demo/demo-logger.ts';
import { NO_FAULTS, parseFaultRates } from '../edge/demo/fault-rates.ts';
import { startDemoLine } from '../edge/demo/run-demo-line.ts';
import { startGeneration } from '../edge/generate/index.ts';
import { openStore } from '../edge/store/open.ts';
import { percentile, writeResults } from './support/results.ts';

const { values } = parseArgs({
  options: {
    codes: { type: 'string' }, seconds: { type: 'string' }, rate: { type: 'string' }, units: { type: 'string' },
    faults: { type: 'string' }, raw: { type: 'string' },
  },
});
const num = (raw: string | undefined, fallback: number, min: number, max: number, name: string): number => {
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    console.error(`--${name} 应在 ${min}..${max} 之间，收到 ${raw ?? ''} (--${name} out of range)`);
    process.exit(2);
  }
  return n;
};
const backgroundCodes = num(values.codes, 10_000_000, 0, 100_000_000, 'codes');
const seconds = num(values.seconds, 30, 1, 3600, 'seconds');
const rate = num(values.rate, 100, 1, 1000, 'rate');
const units = num(values.units, 24, 1, 200, 'units');
const rawCommits = num(values.raw, 1000, 10, 100_000, 'raw');
const faults = values.faults === undefined ? NO_FAULTS : parseFaultRates(values.faults);
const cases = Math.round(seconds * rate);

function resetPeakRss(): boolean {
  try { writeFileSync('/proc/self/clear_refs', '5'); return true; } catch { return false; }
}
function peakRssMiB(): number {
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
}
const ms = (x: number): number => Math.round(x * 100) / 100;
function stats(samples: number[]): { n: number; p50: number; p90: number; p99: number; max: number; mean: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: ms(percentile(s, 50)), p90: ms(percentile(s, 90)), p99: ms(percentile(s, 99)), max: ms(s.at(-1) ?? Number.NaN), mean: ms(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)) };
}
const sleep = (t: number): Promise<void> => new Promise((resolve) => { setTimeout(resolve, t); });

const dir = mkdtempSync(join(tmpdir(), 'wuma-bench-station-'));
const dbPath = join(dir, 'station.db');
try {
  console.log(`工位基准 (station benchmark): ${backgroundCodes.toLocaleString('en-US')} codes in the database, ${rate} cases/s × ${units} codes for ${seconds} s, dir ${dir}`);
  const genStarted = performance.now();
  for (const [kind, count] of [['cap-inner', Math.ceil(backgroundCodes / 2)], ['cap-outer', Math.floor(backgroundCodes / 2)]] as const) {
    if (count === 0) continue;
    await startGeneration(dbPath, { uuid: randomUUID(), kind, productId: null, profile: DEFAULT_PROFILES[kind], count, actor: 'bench', out: null });
  }
  const generateS = (performance.now() - genStarted) / 1000;
  console.log(`  生成 (generated) ${backgroundCodes.toLocaleString('en-US')} codes in ${generateS.toFixed(1)} s`);

  // ── the line ───────────────────────────────────────────────────────────────────────────────────────────────
  const peakReset = resetPeakRss();
  // Logged lines are counted, not printed: a synchronous write to a full stderr pipe would block the station.
  const logLines = { warn: 0, error: 0 };
  const logger = demoLogger({ level: 'warn', echo: (l) => { if (l.includes('"level":"error"')) logLines.error += 1; else logLines.warn += 1; }, echoLevel: 'warn' });
  const setupStarted = performance.now();
  const demo = await startDemoLine({
    dbPath, cases, rate, faults, logger, unitsPerCase: units, casesPerPallet: 10, stockCases: cases + 50, readDelayMs: 0, seed: 1,
  });
  const setupS = (performance.now() - setupStarted) / 1000;
  const cameraReads: number[] = [];
  const caseReads: number[] = [];
  const decisions: number[] = [];
  const subs = [
    demo.devices.camera.onLog((e) => { if (e.kind === 'read') cameraReads.push(performance.now()); }),
    demo.devices.caseReader.onLog((e) => { if (e.kind === 'read') caseReads.push(performance.now()); }),
  ];
  const plc = demo.devices.plc.plc;
  const map = plc.map.holding;
  const original = plc.afterHoldingWrite.bind(plc);
  plc.afterHoldingWrite = (start, count, before) => {
    original(start, count, before);
    const touched = (a: number): boolean => a >= start && a < start + count;
    if (touched(map.acceptPulse) || touched(map.rejectPulse)) decisions.push(performance.now());
  };
  // The first cases of a run are already at the readers when this subscribes: count from here on.
  const skip = { camera: cameraReads.length, caseReader: caseReads.length, decisions: decisions.length };
  const stationMs: number[] = [];
  let lastSeq = 0;
  const unsubscribe = demo.station.onChange(() => {
    const reads = demo.station.status().lastReads;
    for (const r of reads.filter((x) => x.seq > lastSeq).reverse()) { lastSeq = r.seq; stationMs.push(r.decisionMs); }
  });
  await demo.finished;
  unsubscribe();
  for (const s of subs) s.dispose();
  const summary = await demo.stop();
  const peakRss = peakRssMiB();

  const latency: number[] = [];
  const n = Math.min(cameraReads.length - skip.camera, caseReads.length - skip.caseReader, decisions.length - skip.decisions);
  for (let i = 0; i < n; i += 1) {
    const read = Math.max(cameraReads[skip.camera + i] ?? 0, caseReads[skip.caseReader + i] ?? 0);
    latency.push((decisions[skip.decisions + i] ?? 0) - read);
  }

  // ── raw durable commit, same database, same pragmas ────────────────────────────────────────────────────────
  const store = openStore(dbPath);
  const raw: number[] = [];
  try {
    store.db.exec('CREATE TABLE IF NOT EXISTS bench_raw (code TEXT PRIMARY KEY, parent TEXT) WITHOUT ROWID');
    const insert = store.db.prepare('INSERT INTO bench_raw (code, parent) VALUES (?, ?)');
    const commit = store.db.transaction((rows: string[]) => { for (const r of rows) insert.run(r, rows[0]); });
    const period = 1000 / rate;
    const started = performance.now();
    for (let i = 0; i < rawCommits; i += 1) {
      const rows = Array.from({ length: units + 1 }, () => randomBytes(9).toString('base64url').toUpperCase());
      const t0 = performance.now();
      commit.immediate(rows);
      raw.push(performance.now() - t0);
      const due = started + (i + 1) * period;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
    store.db.exec('DROP TABLE bench_raw');
  } finally {
    await store.close();
  }
  randomFillSync(new Uint8Array(1));

  const station = stats(latency);
  // WUMA_BENCH_DEBUG=1 prints p50/p99 per tenth of the run (warm-up, stalls).
  if (process.env['WUMA_BENCH_DEBUG'] === '1') {
    const chunk = Math.max(1, Math.floor(latency.length / 10));
    for (let i = 0; i < latency.length; i += chunk) console.log(`  cases ${i}..${i + chunk}: p50 ${stats(latency.slice(i, i + chunk)).p50} p99 ${stats(latency.slice(i, i + chunk)).p99}`);
  }
  const rawStats = stats(raw);
  const figures = {
    databaseCodes: backgroundCodes + (units * 2 + 2) * (cases + 50),
    backgroundCodes, generateS: Math.round(generateS * 10) / 10, setupS: Math.round(setupS * 10) / 10,
    rate, unitsPerCase: units, seconds, casesFed: summary.fed, casesDecided: summary.decided, good: summary.cases.good, rejected: summary.cases.rejected,
    achievedCasesPerS: summary.casesPerSecond, pallets: summary.pallets, verifyOk: summary.verify.ok,
    stationLog: logLines, alarmsRaised: summary.alarms.raised,
    readToDecisionMs: station,
    stationTriggerToDecisionMs: stats(stationMs),
    rawCommit25RowsMs: rawStats,
    p99Ratio: Math.round((station.p99 / rawStats.p99) * 100) / 100,
    goalMet: station.p99 <= 2 * rawStats.p99,
    peakRssMiB: peakRss, peakRssScope: peakReset ? 'line run (station + emulators), reset after generation' : 'since process start',
  };
  console.log(`  读码→判定 (read → decision) p50 ${station.p50} ms, p99 ${station.p99} ms  |  裸提交 (raw 25-row durable commit) p50 ${rawStats.p50} ms, p99 ${rawStats.p99} ms  |  比值 (ratio) ${figures.p99Ratio} (goal ≤ 2)  |  峰值内存 (peak RSS) ${peakRss} MiB`);
  writeResults('station', figures);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
