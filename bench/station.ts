/**
 * `npm run bench -- station [--codes N] [--seconds S] [--rate R] [--units U] [--faults LIST] [--raw N]`
 * (defaults: 10,000,000 background codes, 30 s, 100 cases/s, 24 codes per case, no faults, 1,000 raw commits).
 *
 * 1. Builds a database the size of a real station's with the real generator (startGeneration, the worker the
 *    CLI uses): N codes in two packages (half cap-inner, half cap-outer). Then the demo line's own setup adds the
 *    packages of the measured batch (generated + paired through the pairing import) and starts the batch.
 * 2. The emulated line (camera, case reader, palletiser reader, ZPL printer + verifier, Modbus PLC, conveyor) runs
 *    in a child process (bench/support/station-line.ts), the real station (edge/main.ts startStation) in this
 *    one, connected over TCP and Modbus TCP exactly as to a real line: the station's event loop carries only the
 *    station, as on a real line. Read → decision latency is measured in the child, where a real line would see
 *    it: from the later of the two read frames of a case to the PLC emulator executing the station's accept or
 *    reject write — TCP hops, parse, checkCase over the 10M-code table, the durable commit (synchronous=FULL) and
 *    the Modbus write. The station's own trigger → decision time (its status `decisionMs`, whole ms) is printed too,
 *    and, from the station's "last reads", how long checkCase and the durable commit took per accepted case, with
 *    the commit's share of the slowest 1 % of cases.
 * 3. Raw durable commits in the same run, on the same database, same pragmas and checkpointer, after the line
 *    stopped, each paced at R per second: (a) the durable writes of ONE case in bare SQL without the station —
 *    50 code rows updated in the 10M-code table (24 neighbouring outer codes + 26 random inner/case codes, the
 *    pattern a case commit touches), the container and audit rows and the case's outbox events at their measured
 *    sizes; (b) a bare 25-row append to an empty table. Goal (issue 4): station p99 ≤ 2 × raw p99. `p99Ratio`
 *    compares with (a), the like-for-like durable write; `p99RatioVsAppend` with (b). Both are printed and kept.
 * 4. Peak RSS over the line run: the station process (VmHWM reset after generation) and the emulator process.
 *
 * Profiling the station alone: `flock /tmp/wuma-bench.lock node_modules/.bin/node --cpu-prof --cpu-prof-dir=DIR
 * bench/station.ts …` (the child is started without the parent's Node flags).
 */
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PROFILES } from '../edge/codes/profile.ts';
import { parseConfig } from '../edge/config/load-config.ts';
import { demoLogger } from '../edge/demo/demo-logger.ts';
import { NO_FAULTS, parseFaultRates } from '../edge/demo/fault-rates.ts';
import { setupDemoLine } from '../edge/demo/setup-demo-line.ts';
import { kindToInt } from '../edge/domain/kinds.ts';
import { startGeneration } from '../edge/generate/index.ts';
import { startStation } from '../edge/main.ts';
import { nudgeCheckpoint, openStore } from '../edge/store/open.ts';
import { verifyStore } from '../edge/store/verify.ts';
import { warmValidators } from '../sync/index.ts';
import { peakRssMiB, percentile, writeResults } from './support/results.ts';
import type { ChildMessage, ParentMessage } from './support/station-line.ts';

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
const ms = (x: number): number => Math.round(x * 100) / 100;
function stats(samples: number[]): { n: number; p50: number; p90: number; p99: number; max: number; mean: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: ms(percentile(s, 50)), p90: ms(percentile(s, 90)), p99: ms(percentile(s, 99)), max: ms(s.at(-1) ?? Number.NaN), mean: ms(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)) };
}
const sleep = (t: number): Promise<void> => new Promise((resolve) => { setTimeout(resolve, t); });

const LINE = 'BENCH-L1';

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

  // ── the line's packages, the batch, and the stock the conveyor takes from ────────────────────────────────
  const setupStarted = performance.now();
  const setupStore = openStore(dbPath, { checkpointer: false });
  let batchId: number;
  let stock: { caps: string[]; cases: string[] };
  try {
    const line = await setupDemoLine(setupStore.db, { unitsPerCase: units, casesPerPallet: 10, cases: cases + 50, line: LINE, startBatch: true });
    if (line.batch === null) throw new Error('setupDemoLine started no batch');
    batchId = line.batch.id;
    // What LineStock.load reads: the batch's unused outer codes, in code order.
    const select = setupStore.db.prepare(`SELECT c.code FROM codes c JOIN batch_packages bp ON bp.package_id = c.package_id AND bp.batch_id = ?
      WHERE c.kind = ? AND c.status IN (0, 1) AND c.parent IS NULL ORDER BY c.code`).pluck();
    stock = { caps: select.all(batchId, kindToInt('cap-outer')) as string[], cases: select.all(batchId, kindToInt('case-outer')) as string[] };
  } finally {
    await setupStore.close();
  }
  // The EPCIS validators compile lazily on the first commit (~250 ms): compiled before any case, as the demo does.
  warmValidators();

  // ── the emulated line, in its own process ──────────────────────────────────────────────────────────────
  const child = fork(join(import.meta.dirname, 'support', 'station-line.ts'), [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<ChildMessage['t'], (m: ChildMessage) => void>();
  child.on('message', (m: ChildMessage) => { waiting.get(m.t)?.(m); });
  const next = <T extends ChildMessage['t']>(t: T): Promise<Extract<ChildMessage, { t: T }>> => new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => { reject(new Error(`emulator process exited (${code ?? 'signal'}) before '${t}'`)); };
    child.once('exit', onExit);
    waiting.set(t, (m) => { waiting.delete(t); child.off('exit', onExit); resolve(m as Extract<ChildMessage, { t: T }>); });
  });
  const tell = (m: ParentMessage): void => { child.send(m); };
  const exited = new Promise<void>((resolve) => { child.once('exit', () => { resolve(); }); });
  const { ports } = await next('ready');

  // Logged lines are counted (by message), not printed: a synchronous write to a full stderr pipe would block the station.
  const logLines = { warn: 0, error: 0 };
  const byMessage = new Map<string, number>();
  const logger = demoLogger({
    level: 'warn', echoLevel: 'warn',
    echo: (l) => {
      if (l.includes('"level":"error"')) logLines.error += 1; else logLines.warn += 1;
      const msg = /"msg":"((?:[^"\\]|\\.)*)"/.exec(l)?.[1] ?? l.slice(0, 120);
      byMessage.set(msg, (byMessage.get(msg) ?? 0) + 1);
    },
  });
  const at = (port: number): string => `127.0.0.1:${port}`;
  const config = parseConfig({
    station: { id: 'BENCH', name: '基准线 (bench line)', line: LINE },
    database: dbPath,
    case: {
      camera: { driver: 'cognex', tcp: at(ports.camera) },
      caseCode: { mode: 'read', reader: { driver: 'keyence', tcp: at(ports.caseReader) } },
      readTimeoutMs: 800,
    },
    pallet: {
      reader: { driver: 'hikrobot', tcp: at(ports.palletReader) },
      printer: { driver: 'zpl', tcp: at(ports.printer) },
      verifier: { driver: 'keyence', tcp: at(ports.verifier) },
    },
    plc: { driver: 'modbus-tcp', tcp: at(ports.plc), unitId: 1, rejectConfirmTimeoutMs: 1000 },
    epcis: { identifiers: { uriTemplate: 'https://c.demo.wuma.example/{kind}/{code}' } },
    alarms: { consecutiveRejects: 3, diskMinFreeMiB: 64 },
  }, 'bench');
  const station = await startStation(config, { logger, plcTiming: { pollIntervalMs: 5 }, sync: false });
  const setupS = (performance.now() - setupStarted) / 1000;

  // Decisions, in order, from the station's "last reads" (seq +1 per decided case), read once per burst of
  // changes (setImmediate) and passed on to the line: accepted cases roll on to the palletiser's reader.
  const stationMs: number[] = [];
  /** Per decided case, in order: checkCase and commitCase ms (null for a reject). */
  const timings: ({ checkMs: number; commitMs: number } | null)[] = [];
  let decided = 0;
  let good = 0;
  let rejected = 0;
  let lastSeq = 0;
  let pending = false;
  const drain = (): void => {
    pending = false;
    const accepted: string[] = [];
    const settled: string[] = [];
    for (const r of station.status().lastReads.filter((x) => x.seq > lastSeq).reverse()) {
      lastSeq = r.seq;
      decided += 1;
      stationMs.push(r.decisionMs);
      timings.push(r.timing);
      if (r.outcome === 'accepted') good += 1; else rejected += 1;
      if (r.caseCode !== null) (r.outcome === 'accepted' ? accepted : settled).push(r.caseCode);
    }
    if (accepted.length + settled.length > 0) tell({ t: 'decided', accepted, settled });
  };
  const unsubscribe = station.onChange(() => {
    if (pending) return;
    pending = true;
    setImmediate(drain);
  });

  const peakReset = resetPeakRss();
  const runStarted = performance.now();
  const fedMessage = next('fed');
  tell({ t: 'run', caps: stock.caps, cases: stock.cases, unitsPerCase: units, rate, limit: cases, faults, seed: 1 });
  const { fed, end } = await fedMessage;
  const settleBy = performance.now() + 10_000;
  while (decided < fed && performance.now() < settleBy) await sleep(10);
  const runS = (performance.now() - runStarted) / 1000;
  // Let the palletiser take the last accepted cases before stopping.
  const palletBy = performance.now() + 3_000;
  while (performance.now() < palletBy) {
    const p = station.status().palletStation;
    if (p === null || (p.state === 'stacking' && p.held === 0 && p.pallets * p.ratio + p.cases >= good)) break;
    await sleep(10);
  }
  unsubscribe();
  const pallets = station.status().counters.pallets;
  const stationPeakRss = peakRssMiB();
  const report = verifyStore(station.store.db);
  // The station stops first: devices closing under a running station would count as link losses and rejects.
  await station.stop();
  const resultMessage = next('result');
  tell({ t: 'stop' });
  const line = await resultMessage;
  await exited;

  // ── raw durable commits, same database, same pragmas, after the line stopped ───────────────────────────────
  // Two bare transactions, one after the other, each paced at R per second and each followed by the checkpoint
  // nudge the case station gives after a decision (nudgeCheckpoint), so they run on the same storage machinery:
  //  · append: 25 new rows in an empty table (the smallest durable commit of a case's row count);
  //  · case-sized: the rows ONE accepted case writes, in bare SQL without the station — 50 code rows updated in
  //    the 10M-code table (24 neighbouring outer codes, as the conveyor uses its stock in code order, and 26
  //    random inner/case codes, as pairs lie anywhere) plus the case's container, audit and outbox rows at
  //    their measured sizes, with a random unique key as the outbox's eventID index has.
  const store = openStore(dbPath);
  const rawAppend: number[] = [];
  const rawCase: number[] = [];
  let caseRowBytes = { events: 0, eventBytes: 0 };
  try {
    const db = store.db;
    const sized = db.prepare('SELECT count(*), coalesce(avg(length(body)), 0) FROM outbox WHERE batch_id = ?').raw().get(batchId) as [number, number];
    caseRowBytes = { events: Math.max(1, Math.round(sized[0] / Math.max(1, good))), eventBytes: Math.round(sized[1]) };
    db.exec(`CREATE TABLE IF NOT EXISTS bench_raw (code TEXT PRIMARY KEY, parent TEXT) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS bench_raw_rows (id INTEGER PRIMARY KEY, event_id TEXT UNIQUE, body TEXT)`);
    const insert = db.prepare('INSERT INTO bench_raw (code, parent) VALUES (?, ?)');
    const append = db.transaction((rows: string[]) => { for (const r of rows) insert.run(r, rows[0]); });
    const from = db.prepare('SELECT code FROM codes WHERE code >= ? AND kind = ? AND status = 0 AND parent IS NULL LIMIT ?').pluck();
    const after = (kind: 'cap-outer' | 'cap-inner', limit: number): string[] => from.all(randomBytes(8).toString('hex').toUpperCase(), kindToInt(kind), limit) as string[];
    // Unused codes from a random point of the key space; a few tries, since a point near the end finds too few.
    // null when the database has none left (e.g. --codes 0): the case-sized measurement then stops.
    const pick = (kind: 'cap-outer' | 'cap-inner', count: number, each: number): string[] | null => {
      const got: string[] = [];
      for (let tries = 0; tries < count * 20 && got.length < count; tries += 1) {
        const more = after(kind, each);
        if (more.length >= Math.min(each, count - got.length)) got.push(...more.slice(0, count - got.length));
      }
      return got.length === count ? got : null;
    };
    const touch = db.prepare('UPDATE codes SET status = 1 WHERE code = ? AND status = 0');
    const addRow = db.prepare('INSERT INTO bench_raw_rows (event_id, body) VALUES (?, ?)');
    const eventBody = 'x'.repeat(caseRowBytes.eventBytes);
    const caseWrite = db.transaction((codes: string[], rows: [string, string][]) => {
      for (const c of codes) touch.run(c);
      for (const [id, body] of rows) addRow.run(id, body);
    });
    const paced = async (commit: () => number | null, into: number[]): Promise<void> => {
      const period = 1000 / rate;
      const started = performance.now();
      for (let i = 0; i < rawCommits; i += 1) {
        const ms = commit();
        if (ms === null) break;
        into.push(ms);
        nudgeCheckpoint(db);
        const wait = started + (i + 1) * period - performance.now();
        if (wait > 0) await sleep(wait);
      }
    };
    await paced(() => {
      const rows = Array.from({ length: units + 1 }, () => randomBytes(9).toString('base64url').toUpperCase());
      const t0 = performance.now();
      append.immediate(rows);
      return performance.now() - t0;
    }, rawAppend);
    await paced(() => {
      const outer = pick('cap-outer', units, units);
      const inner = pick('cap-inner', units + 2, 1);
      if (outer === null || inner === null) return null;
      // The case's container and audit rows (~100 and ~300 bytes) and its outbox events.
      const rows: [string, string][] = [[randomBytes(32).toString('hex'), 'c'.repeat(100)], [randomBytes(32).toString('hex'), 'a'.repeat(300)]];
      for (let e = 0; e < caseRowBytes.events; e += 1) rows.push([randomBytes(32).toString('hex'), eventBody]);
      const t0 = performance.now();
      caseWrite.immediate([...outer, ...inner], rows);
      return performance.now() - t0;
    }, rawCase);
    db.exec('DROP TABLE bench_raw; DROP TABLE bench_raw_rows');
  } finally {
    await store.close();
  }

  const latency = line.latencyMs;
  const lineStats = stats(latency);
  // WUMA_BENCH_DEBUG=1 prints p50/p99 per tenth of the run (warm-up, stalls) and the station's log lines by message.
  if (process.env['WUMA_BENCH_DEBUG'] === '1') {
    const chunk = Math.max(1, Math.floor(latency.length / 10));
    for (let i = 0; i < latency.length; i += chunk) console.log(`  cases ${i}..${i + chunk}: p50 ${stats(latency.slice(i, i + chunk)).p50} p99 ${stats(latency.slice(i, i + chunk)).p99}`);
    for (const [msg, count] of byMessage) console.log(`  log ×${count}: ${msg}`);
  }
  const rawStats = stats(rawAppend);
  const accepted = timings.filter((t) => t !== null);
  const checkStats = stats(accepted.map((t) => t.checkMs));
  const commitStats = stats(accepted.map((t) => t.commitMs));
  // The slowest 1 % of cases (line latency): what share of each was the station's durable commit. The n-th
  // decision belongs to the n-th case when every case was decided and none rejected (runValid, no faults).
  const byLatency = latency.map((ms, i) => ({ ms, commit: timings[i]?.commitMs ?? null })).sort((a, b) => b.ms - a.ms);
  const slowest = byLatency.slice(0, Math.max(1, Math.ceil(latency.length / 100))).filter((c) => c.commit !== null);
  const shares = slowest.map((c) => (c.commit ?? 0) / c.ms).sort((a, b) => a - b);
  const rawCaseStats = stats(rawCase);
  const figures = {
    databaseCodes: backgroundCodes + (units * 2 + 2) * (cases + 50),
    backgroundCodes, generateS: Math.round(generateS * 10) / 10, setupS: Math.round(setupS * 10) / 10,
    rate, unitsPerCase: units, seconds, casesFed: fed, conveyorEnd: end, casesDecided: decided, good, rejected,
    // A station that fell behind drops triggers (backlog full): cases pass unread and the reads after them no
    // longer pair with their decisions one to one — such a run measures an overloaded machine, not the station.
    runValid: decided === fed && (faults !== NO_FAULTS || rejected === 0),
    achievedCasesPerS: Math.round((decided / runS) * 10) / 10, pallets, verifyOk: report.ok,
    stationLog: logLines, stationLogByMessage: Object.fromEntries(byMessage),
    emulators: 'child process (bench/support/station-line.ts)',
    readToDecisionMs: lineStats,
    stationTriggerToDecisionMs: stats(stationMs),
    stationCheckMs: checkStats,
    stationCommitMs: commitStats,
    slowestPercent: { cases: slowest.length, commitShareMedian: Math.round((shares[Math.floor(shares.length / 2)] ?? 0) * 100) / 100, commitOver4Ms: slowest.filter((c) => (c.commit ?? 0) > 4).length },
    rawCommit25RowsMs: rawStats,
    rawCaseCommitMs: rawCaseStats,
    rawCaseCommitShape: { codeRowsUpdated: units * 2 + 2, eventRows: caseRowBytes.events, eventBytes: caseRowBytes.eventBytes, otherRows: 2 },
    // The goal's "raw durable commit": the same durable writes as one case, without the station (see above).
    p99Ratio: Math.round((lineStats.p99 / rawCaseStats.p99) * 100) / 100,
    goalMet: lineStats.p99 <= 2 * rawCaseStats.p99,
    // Beside the smallest durable commit of 25 rows: what the one-transaction case costs over a bare append.
    p99RatioVsAppend: Math.round((lineStats.p99 / rawStats.p99) * 100) / 100,
    peakRssMiB: stationPeakRss, peakRssScope: peakReset ? 'station process over the line run (reset after generation and setup)' : 'station process since start',
    emulatorPeakRssMiB: line.peakRssMiB,
  };
  console.log(`  读码→判定 (read → decision) p50 ${lineStats.p50} ms, p99 ${lineStats.p99} ms  —  of which checkCase p50 ${checkStats.p50} / p99 ${checkStats.p99} ms, durable commit p50 ${commitStats.p50} / p99 ${commitStats.p99} ms; in the slowest 1 % the commit was ${Math.round(figures.slowestPercent.commitShareMedian * 100)} % of the time (median)`);
  console.log(`  裸提交·整箱写入 (raw durable commit of one case's writes) p50 ${rawCaseStats.p50} ms, p99 ${rawCaseStats.p99} ms  →  比值 (p99 ratio) ${figures.p99Ratio} (goal ≤ 2: ${figures.goalMet ? 'met' : 'NOT met'})`);
  console.log(`  裸提交·25 行追加 (raw 25-row append) p50 ${rawStats.p50} ms, p99 ${rawStats.p99} ms  →  比值 (p99 ratio) ${figures.p99RatioVsAppend}`);
  console.log(`  峰值内存 (peak RSS) station ${stationPeakRss} MiB, emulators ${line.peakRssMiB} MiB`);
  if (!figures.runValid) console.log(`  ⚠ 本次无效 (run not valid): ${decided} of ${fed} cases decided, ${rejected} rejected — the machine was too busy for the station to keep up`);
  writeResults('station', figures);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
