/**
 * `npm run bench -- station [--codes N] [--seconds S] [--rate R] [--units U] [--faults LIST] [--raw N] [--runs K]
 *  [--fsync-seconds F] [--name NAME]` (defaults: 10,000,000 background codes, 5 runs of 30 s at 100 cases/s × 24
 * codes per case, no faults, 1,000 raw commits per run, a 10 s fsync-count run). `npm run bench -- memory` is this
 * bench with one 600 s run (the leak check, bench/memory.ts).
 *
 * 1. Builds a database the size of a real station's with the real generator (startGeneration, the worker the
 *    CLI uses): N codes in two packages (half cap-inner, half cap-outer). Then the demo line's own setup adds the
 *    packages of the measured batch (generated + paired through the pairing import) and starts the batch.
 * 2. Each run starts the real `wuma station --config FILE --json` as its own process (API and UI served, as on a
 *    line PC) and the emulated line (camera, case reader, palletiser reader, ZPL printer + verifier, Modbus PLC,
 *    conveyor) in another (bench/support/station-line.ts), connected over TCP and Modbus TCP exactly as to a real
 *    line. Read → decision latency is measured in the line process, where a real line would see it: from the later
 *    of the two read frames of a case to the PLC emulator executing the station's accept or reject write. The
 *    station's ready time (process start → serving, its `readyMs`), its CPU time per case (utime + stime from
 *    /proc/<pid>/stat over the run) and the peak and steady RSS of every process (VmHWM / VmRSS sampled,
 *    bench/support/rss.ts) are recorded per run.
 * 3. Raw durable commits after each run, on the same database, same pragmas and checkpointer, each paced at R per
 *    second: (a) the durable writes of ONE case in bare SQL without the station — 50 code rows updated in the
 *    10M-code table (24 neighbouring outer codes + 26 random inner/case codes), the container and audit rows and
 *    the case's outbox events at their measured sizes; (b) a bare 25-row append. Goal (issue 12): station p99 ≤ 2 ×
 *    raw case p99 in every run. Each run starts on a fresh WAL (checkpoint TRUNCATE).
 * 4. fsyncs per case: a dedicated short run with the station under `strace -f --seccomp-bpf -c -e
 *    trace=fsync,fdatasync` (skipped, and said so, when strace is not installed): every fsync of the process —
 *    commits, pallet commits, checkpoints — divided by the cases decided.
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { DEFAULT_PROFILES } from '../edge/codes/profile.ts';
import { NO_FAULTS, parseFaultRates } from '../edge/demo/fault-rates.ts';
import { setupDemoLine } from '../edge/demo/setup-demo-line.ts';
import { kindToInt } from '../edge/domain/kinds.ts';
import { startGeneration } from '../edge/generate/index.ts';
import { nudgeCheckpoint, openStore } from '../edge/store/open.ts';
import { verifyStore } from '../edge/store/verify.ts';
import { percentile, writeResults } from './support/results.ts';
import { RssSampler, sampleRss, type RssFigures } from './support/rss.ts';
import type { ChildMessage, LinePorts, ParentMessage } from './support/station-line.ts';

const { values } = parseArgs({
  options: {
    codes: { type: 'string' }, seconds: { type: 'string' }, rate: { type: 'string' }, units: { type: 'string' },
    faults: { type: 'string' }, raw: { type: 'string' }, runs: { type: 'string' }, 'fsync-seconds': { type: 'string' },
    name: { type: 'string' }, 'sample-ms': { type: 'string' },
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
const rawCommits = num(values.raw, 1000, 0, 100_000, 'raw');
const runs = num(values.runs, 5, 1, 20, 'runs');
const fsyncSeconds = num(values['fsync-seconds'], 10, 0, 600, 'fsync-seconds');
const sampleMs = num(values['sample-ms'], 250, 20, 60_000, 'sample-ms');
const benchName = values.name ?? 'station';
if (!/^[a-z][a-z0-9-]*$/.test(benchName)) { console.error(`--name 应为小写字母、数字与连字符 (--name must be lower-case letters, digits, hyphens), got ${benchName}`); process.exit(2); }
const faults = values.faults === undefined ? NO_FAULTS : parseFaultRates(values.faults);
const casesPerRun = Math.round(seconds * rate);
const fsyncCases = Math.round(fsyncSeconds * rate);

const ms = (x: number): number => Math.round(x * 100) / 100;
type Stats = { n: number; p50: number; p90: number; p99: number; max: number; mean: number };
function stats(samples: readonly number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: ms(percentile(s, 50)), p90: ms(percentile(s, 90)), p99: ms(percentile(s, 99)), max: ms(s.at(-1) ?? Number.NaN), mean: ms(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)) };
}
const median = (xs: readonly number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length === 0 ? Number.NaN : ((s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2); };
const sleep = (t: number): Promise<void> => new Promise((resolve) => { setTimeout(resolve, t); });
const CLI = join(import.meta.dirname, '..', 'bin', 'wuma.js');
const TICK_MS = 10; // USER_HZ is 100 on Linux
/** utime + stime of a process, all threads, ms (/proc/<pid>/stat fields 14 and 15). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

const LINE = 'BENCH-L1';
const dir = mkdtempSync(join(tmpdir(), 'wuma-bench-station-'));
const dbPath = join(dir, 'station.db');

/** The emulated line in its own process. */
async function startLine(): Promise<{ child: ChildProcess; ports: LinePorts; next: <T extends ChildMessage['t']>(t: T) => Promise<Extract<ChildMessage, { t: T }>>; tell: (m: ParentMessage) => void; exited: Promise<void> }> {
  const child = fork(join(import.meta.dirname, 'support', 'station-line.ts'), [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<ChildMessage['t'], (m: ChildMessage) => void>();
  child.on('message', (m: ChildMessage) => { waiting.get(m.t)?.(m); });
  const next = <T extends ChildMessage['t']>(t: T): Promise<Extract<ChildMessage, { t: T }>> => new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => { reject(new Error(`emulator process exited (${code ?? 'signal'}) before '${t}'`)); };
    child.once('exit', onExit);
    waiting.set(t, (m) => { waiting.delete(t); child.off('exit', onExit); resolve(m as Extract<ChildMessage, { t: T }>); });
  });
  const exited = new Promise<void>((resolve) => { child.once('exit', () => { resolve(); }); });
  const { ports } = await next('ready');
  return { child, ports, next, tell: (m) => { child.send(m); }, exited };
}

/** `wuma station --config FILE --json` as its own process (optionally under strace); resolves once it serves. */
async function startStationProcess(configPath: string, strace: string | null): Promise<{ child: ChildProcess; pid: number; readyMs: number; log: { warn: number; error: number; byMessage: Map<string, number> }; exited: Promise<number | null> }> {
  const args = [CLI, 'station', '--config', configPath, '--json', '--api-port', '0', '--log-level', 'warn'];
  const child = strace === null
    ? spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('strace', ['-f', '--seccomp-bpf', '-qq', '-e', 'trace=fsync,fdatasync', '-o', strace, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => { child.once('exit', (code) => { resolve(code); }); });
  const log = { warn: 0, error: 0, byMessage: new Map<string, number>() };
  createInterface({ input: child.stderr! }).on('line', (l) => {
    if (l.includes('"level":"error"')) log.error += 1; else log.warn += 1;
    const msg = /"msg":"((?:[^"\\]|\\.)*)"/.exec(l)?.[1] ?? l.slice(0, 160);
    log.byMessage.set(msg, (log.byMessage.get(msg) ?? 0) + 1);
  });
  const started = await new Promise<{ readyMs: number }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (l) => {
      try {
        const doc = JSON.parse(l) as { started?: boolean; readyMs?: number };
        if (doc.started === true && typeof doc.readyMs === 'number') resolve({ readyMs: doc.readyMs });
      } catch { /* not the start line */ }
    });
    void exited.then((code) => { reject(new Error(`wuma station exited (${code ?? 'signal'}) before it was ready: ${[...log.byMessage.keys()].join(' | ')}`)); });
  });
  // Under strace the child is strace; the station is its child (the only one).
  let pid = child.pid ?? 0;
  if (strace !== null) {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    pid = Number(kids[0] ?? pid);
  }
  return { child, pid, readyMs: started.readyMs, log, exited };
}

interface RunResult {
  readonly run: number;
  readonly casesFed: number;
  readonly casesDecided: number;
  readonly valid: boolean;
  readonly readyMs: number;
  readonly readToDecisionMs: Stats;
  readonly rawCaseCommitMs: Stats;
  readonly rawCommit25RowsMs: Stats;
  readonly p99Ratio: number;
  readonly goalMet: boolean;
  readonly cpuMsPerCase: number;
  readonly rss: { readonly station: RssFigures; readonly emulators: RssFigures; readonly bench: RssFigures };
  readonly rssPerMinute: readonly number[];
  readonly stationLog: { readonly warn: number; readonly error: number; readonly byMessage: Record<string, number> };
}

try {
  console.log(`工位基准 (station benchmark): ${backgroundCodes.toLocaleString('en-US')} codes in the database, ${runs} run(s) of ${seconds} s at ${rate} cases/s × ${units} codes, dir ${dir}`);
  const genStarted = performance.now();
  for (const [kind, count] of [['cap-inner', Math.ceil(backgroundCodes / 2)], ['cap-outer', Math.floor(backgroundCodes / 2)]] as const) {
    if (count === 0) continue;
    await startGeneration(dbPath, { uuid: randomUUID(), kind, productId: null, profile: DEFAULT_PROFILES[kind], count, actor: 'bench', out: null });
  }
  const generateS = (performance.now() - genStarted) / 1000;
  console.log(`  生成 (generated) ${backgroundCodes.toLocaleString('en-US')} codes in ${generateS.toFixed(1)} s`);

  // ── the line's packages, the batch, and the stock the conveyor takes from (all runs) ─────────────────────
  const setupStarted = performance.now();
  const totalCases = casesPerRun * runs + fsyncCases + 50 * (runs + 1);
  const setupStore = openStore(dbPath, { checkpointer: false });
  let batchId: number;
  let stock: { caps: string[]; cases: string[] };
  try {
    const line = await setupDemoLine(setupStore.db, { unitsPerCase: units, casesPerPallet: 10, cases: totalCases, line: LINE, startBatch: true });
    if (line.batch === null) throw new Error('setupDemoLine started no batch');
    batchId = line.batch.id;
    const select = setupStore.db.prepare(`SELECT c.code FROM codes c JOIN batch_packages bp ON bp.package_id = c.package_id AND bp.batch_id = ?
      WHERE c.kind = ? AND c.status IN (0, 1) AND c.parent IS NULL ORDER BY c.code`).pluck();
    stock = { caps: select.all(batchId, kindToInt('cap-outer')) as string[], cases: select.all(batchId, kindToInt('case-outer')) as string[] };
  } finally {
    await setupStore.close();
  }
  const setupS = (performance.now() - setupStarted) / 1000;
  let capsAt = 0;
  let casesAt = 0;
  /** The next slice of stock: each run's conveyor takes fresh cases and caps. */
  const slice = (n: number): { caps: string[]; cases: string[] } => {
    const out = { caps: stock.caps.slice(capsAt, capsAt + (n + 50) * units), cases: stock.cases.slice(casesAt, casesAt + n + 50) };
    capsAt += (n + 50) * units;
    casesAt += n + 50;
    return out;
  };

  const writeConfig = (ports: LinePorts): string => {
    const at = (port: number): string => `127.0.0.1:${port}`;
    const path = join(dir, 'station.json');
    writeFileSync(path, JSON.stringify({
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
    }));
    return path;
  };

  /** Fresh WAL: everything checkpointed into the database and the WAL truncated before a run. */
  const freshWal = (): void => {
    const store = openStore(dbPath, { checkpointer: false });
    try { store.db.pragma('wal_checkpoint(TRUNCATE)'); } finally { void store.close(); }
  };

  /** One line run against a station process; returns the line's latencies and the station's figures. */
  const lineRun = async (cases: number, strace: string | null): Promise<{ pid: number; latency: number[]; fed: number; decided: number; readyMs: number; cpuMsPerCase: number; rss: RunResult['rss']; rssPerMinute: number[]; log: RunResult['stationLog'] }> => {
    freshWal();
    const line = await startLine();
    const station = await startStationProcess(writeConfig(line.ports), strace);
    const sampler = new RssSampler([station.pid, line.child.pid ?? 0, process.pid], sampleMs);
    const perMinute: number[] = [];
    const minuteTimer = setInterval(() => { perMinute.push(Math.round((sampleRss(station.pid)?.rssMiB ?? Number.NaN) * 10) / 10); }, 60_000);
    const cpuStart = cpuMs(station.pid);
    const fedMessage = line.next('fed');
    line.tell({ t: 'run', ...slice(cases), unitsPerCase: units, rate, limit: cases, faults, seed: 1, selfDecide: true });
    const { fed } = await fedMessage;
    // Let the last cases be decided and palletised before stopping.
    await sleep(1_500);
    const cpuEnd = cpuMs(station.pid);
    clearInterval(minuteTimer);
    const rss = sampler.stop();
    const resultMessage = line.next('result');
    // The station stops first: devices closing under a running station would count as link losses and rejects.
    // The station's own pid (under strace, strace's child): strace then exits with it and writes its counts.
    process.kill(station.pid, 'SIGTERM');
    const code = await station.exited;
    if (code !== 0) console.log(`  ⚠ wuma station exited with ${code ?? 'a signal'}`);
    line.tell({ t: 'stop' });
    const result = await resultMessage;
    await line.exited;
    const none: RssFigures = { peakMiB: Number.NaN, steadyMiB: Number.NaN, samples: 0 };
    return {
      pid: station.pid,
      latency: result.latencyMs, fed, decided: result.decisions, readyMs: station.readyMs, cpuMsPerCase: Math.round(((cpuEnd - cpuStart) / Math.max(1, result.decisions)) * 100) / 100,
      rss: { station: rss.get(station.pid) ?? none, emulators: rss.get(line.child.pid ?? 0) ?? none, bench: rss.get(process.pid) ?? none },
      rssPerMinute: perMinute,
      log: { warn: station.log.warn, error: station.log.error, byMessage: Object.fromEntries(station.log.byMessage) },
    };
  };

  // ── raw durable commits, same database, same pragmas, after each run ─────────────────────────────────────
  const rawRun = async (good: number): Promise<{ append: number[]; case: number[]; shape: Record<string, number> }> => {
    const store = openStore(dbPath);
    const rawAppend: number[] = [];
    const rawCase: number[] = [];
    let shape: Record<string, number> = {};
    try {
      const db = store.db;
      const sized = db.prepare('SELECT count(*), coalesce(avg(length(body)), 0) FROM outbox WHERE batch_id = ?').raw().get(batchId) as [number, number];
      const caseRowBytes = { events: Math.max(1, Math.round(sized[0] / Math.max(1, good))), eventBytes: Math.round(sized[1]) };
      shape = { codeRowsUpdated: units * 2 + 2, eventRows: caseRowBytes.events, eventBytes: caseRowBytes.eventBytes, otherRows: 2 };
      db.exec(`CREATE TABLE IF NOT EXISTS bench_raw (code TEXT PRIMARY KEY, parent TEXT) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS bench_raw_rows (id INTEGER PRIMARY KEY, event_id TEXT UNIQUE, body TEXT)`);
      const insert = db.prepare('INSERT INTO bench_raw (code, parent) VALUES (?, ?)');
      const append = db.transaction((rows: string[]) => { for (const r of rows) insert.run(r, rows[0]); });
      const from = db.prepare('SELECT code FROM codes WHERE code >= ? AND kind = ? AND status = 0 AND parent IS NULL LIMIT ?').pluck();
      const after = (kind: 'cap-outer' | 'cap-inner', limit: number): string[] => from.all(randomBytes(8).toString('hex').toUpperCase(), kindToInt(kind), limit) as string[];
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
          const took = commit();
          if (took === null) break;
          into.push(took);
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
    return { append: rawAppend, case: rawCase, shape };
  };

  const results: RunResult[] = [];
  let rawShape: Record<string, number> = {};
  let goodSoFar = 0;
  for (let run = 1; run <= runs; run += 1) {
    const r = await lineRun(casesPerRun, null);
    goodSoFar += r.decided;
    const raw = await rawRun(goodSoFar);
    rawShape = raw.shape;
    const line = stats(r.latency);
    const rawCase = stats(raw.case);
    const result: RunResult = {
      run, casesFed: r.fed, casesDecided: r.decided, valid: r.decided === r.fed, readyMs: r.readyMs,
      readToDecisionMs: line, rawCaseCommitMs: rawCase, rawCommit25RowsMs: stats(raw.append),
      p99Ratio: Math.round((line.p99 / rawCase.p99) * 100) / 100, goalMet: line.p99 <= 2 * rawCase.p99,
      cpuMsPerCase: r.cpuMsPerCase, rss: r.rss, rssPerMinute: r.rssPerMinute, stationLog: r.log,
    };
    results.push(result);
    console.log(`  第 ${run} 次 (run ${run}): ready ${r.readyMs} ms; read → decision p50 ${line.p50} / p99 ${line.p99} ms; raw case commit p99 ${rawCase.p99} ms → ratio ${result.p99Ratio} (${result.goalMet ? 'met' : 'NOT met'}); CPU ${r.cpuMsPerCase} ms/case; station RSS peak ${r.rss.station.peakMiB} / steady ${r.rss.station.steadyMiB} MiB; ${r.decided}/${r.fed} decided`);
  }

  // ── fsyncs per case: a short run under strace ────────────────────────────────────────────────────────────
  let fsync: Record<string, unknown> = { skipped: 'no run (--fsync-seconds 0)' };
  if (fsyncCases > 0) {
    const hasStrace = spawnSync('strace', ['-V']).status === 0;
    if (!hasStrace) fsync = { skipped: 'strace not installed (Debian package strace)' };
    else {
      const out = join(dir, 'strace.txt');
      const r = await lineRun(fsyncCases, out);
      // One line per call: "<tid> fsync(<fd>) = 0". The main thread (tid = pid) makes the commits; the others are
      // the checkpointer's worker thread (and libuv's pool).
      const lines = (existsSync(out) ? readFileSync(out, 'utf8') : '').split('\n').filter((l) => /^\d+\s+f(?:data)?sync\(/.test(l));
      const main = lines.filter((l) => Number(l.split(/\s+/)[0]) === r.pid).length;
      const per = (n: number): number => Math.round((n / Math.max(1, r.decided)) * 100) / 100;
      fsync = {
        cases: r.decided, total: lines.length, perCase: per(lines.length),
        mainThread: main, mainThreadPerCase: per(main), otherThreads: lines.length - main, otherThreadsPerCase: per(lines.length - main),
        scope: 'every fsync/fdatasync of the wuma station process from start to stop; main thread = case and pallet commits (and startup), other threads = the background checkpointer',
      };
      console.log(`  fsync 次数 (fsyncs): ${String(fsync['total'])} for ${r.decided} cases → ${String(fsync['perCase'])} per case`);
    }
  }

  const store = openStore(dbPath, { checkpointer: false, readonly: true });
  let pallets = 0;
  let verifyOk = false;
  try {
    pallets = store.db.prepare("SELECT count(*) FROM containers WHERE level = 'pallet' AND batch_id = ?").pluck().get(batchId) as number;
    verifyOk = verifyStore(store.db).ok;
  } finally {
    await store.close();
  }
  const ratios = results.map((r) => r.p99Ratio);
  const figures = {
    databaseCodes: backgroundCodes + (units * 2 + 2) * totalCases,
    backgroundCodes, generateS: Math.round(generateS * 10) / 10, setupS: Math.round(setupS * 10) / 10,
    rate, unitsPerCase: units, seconds, runs,
    station: '`wuma station --config FILE --json` process (API served), emulators in bench/support/station-line.ts',
    perRun: results,
    median: {
      readToDecisionP50Ms: ms(median(results.map((r) => r.readToDecisionMs.p50))),
      readToDecisionP99Ms: ms(median(results.map((r) => r.readToDecisionMs.p99))),
      rawCaseCommitP99Ms: ms(median(results.map((r) => r.rawCaseCommitMs.p99))),
      p99Ratio: ms(median(ratios)),
      readyMs: median(results.map((r) => r.readyMs)),
      cpuMsPerCase: ms(median(results.map((r) => r.cpuMsPerCase))),
      stationPeakRssMiB: median(results.map((r) => r.rss.station.peakMiB)),
      stationSteadyRssMiB: median(results.map((r) => r.rss.station.steadyMiB)),
      emulatorPeakRssMiB: median(results.map((r) => r.rss.emulators.peakMiB)),
      benchPeakRssMiB: median(results.map((r) => r.rss.bench.peakMiB)),
    },
    goal: { p99RatioAtMost: 2, runsMet: results.filter((r) => r.goalMet).length, runsValid: results.filter((r) => r.valid).length, of: runs },
    rawCaseCommitShape: rawShape,
    fsyncsPerCase: fsync,
    // The leak check (bench memory): VmRSS of the station at the end of minute 2 and of the last minute of run 1.
    leak: (() => {
      const m = results[0]?.rssPerMinute ?? [];
      if (m.length < 3) return null;
      const minute2 = m[1] ?? Number.NaN;
      const last = m.at(-1) ?? Number.NaN;
      return { minute2MiB: minute2, lastMinute: m.length, lastMiB: last, growthMiB: Math.round((last - minute2) * 10) / 10 };
    })(),
    pallets, verifyOk,
  };
  console.log(`  中位数 (median of ${runs}): read → decision p99 ${figures.median.readToDecisionP99Ms} ms, ratio ${figures.median.p99Ratio}; goal ≤ 2 met in ${figures.goal.runsMet} of ${runs}; ready ${figures.median.readyMs} ms; station RSS peak ${figures.median.stationPeakRssMiB} / steady ${figures.median.stationSteadyRssMiB} MiB`);
  writeResults(benchName, figures);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
