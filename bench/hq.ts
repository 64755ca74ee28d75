/**
 * `npm run bench -- hq [options]`: headquarters at scale (issue 14). Real processes throughout: a throwaway
 * PostgreSQL 15 cluster (test/support/postgres.ts), `wuma receiver --pg …` receivers, and one `wuma sync --once`
 * sender process per station, each draining a station outbox that was written the way a station writes it
 * (bench/support/hq-station.ts: per case the commissioning of 12 cap-outer, 12 cap-inner, the case-outer and
 * case-inner codes and the packing; a pallet every 70 cases). The senders are the real sync sender
 * (retry, backoff, byte-identical resend), unmodified.
 *
 * Runs (`--runs`, default all three):
 * - `pg`: 2 receivers on one PostgreSQL, 8 senders (4 per receiver) × 250 000 events, on top of a history seeded
 *   so that 10 000 000 events are stored at the end (bench/support/hq-seed.ts says how it is written). Figures:
 *   aggregate events/s (first sender started → last sender exited), the per-event check (bench/support/
 *   hq-verify.ts: every outbox row found by eventID with the same body, nothing extra, no duplicate eventID),
 *   conflicts, then `GET /events?MATCH_epc=…` latency (sequential, after the load, half history codes, half codes
 *   the stations just sent; every answer must hold the code's events).
 * - `sqlite`: the same against the SQLite adapter with 1 receiver (all 8 senders on it).
 * - `faults`: the pg run on a fresh database (no history): at 30 % of the events one receiver is killed with
 *   SIGKILL and restarted on its port 1 s later; at 60 % PostgreSQL is restarted with `pg_ctl restart -m
 *   immediate`. The senders retry; at the end every event must be stored exactly once and no conflict appear.
 *
 * Options scale it down: `--events-per-sender N` (250000), `--senders N` (8), `--stored N` (10000000: total at
 * the end of the pg and sqlite runs; the history is stored − sent), `--queries N` (2000), `--mix station|single`,
 * `--cache DIR` (keep the built station databases there and reuse them). RSS (peak = VmHWM, steady = median of
 * the last third of samples) of every process: bench, receivers, senders, the postmaster and each backend.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { PgReceiverStorage } from '../sync/receiver/pg-storage.ts';
import { ReceiverStore } from '../sync/receiver/receiver-store.ts';
import { startPgCluster, type PgCluster } from '../test/support/postgres.ts';
import { makeTempDir } from '../test/support/temp-dir.ts';
import { capOuter, identifierOf, stationProfile, type HqMix } from './support/hq-station.ts';
import { historyIdentifier, seedPostgres, seedSqlite } from './support/hq-seed.ts';
import { verifyPostgres, verifySqlite, type Verdict } from './support/hq-verify.ts';
import { RssSampler, type RssFigures } from './support/rss.ts';
import { percentile, writeResults } from './support/results.ts';
import { firstLine, spawnWuma, type WumaProcess } from './support/wuma-process.ts';

const USAGE = '用法 (usage): npm run bench -- hq [--events-per-sender N] [--senders N] [--stored N] [--queries N] [--runs pg,sqlite,faults] [--mix station|single] [--cache DIR]';
const { values } = parseArgs({ options: {
  'events-per-sender': { type: 'string', default: '250000' },
  senders: { type: 'string', default: '8' },
  stored: { type: 'string', default: '10000000' },
  queries: { type: 'string', default: '2000' },
  runs: { type: 'string', default: 'pg,sqlite,faults' },
  mix: { type: 'string', default: 'station' },
  cache: { type: 'string' },
} });
const int = (name: string, raw: string, min: number): number => {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) { console.error(`--${name} 应为 ≥ ${min} 的整数，收到 "${raw}" (--${name} must be an integer ≥ ${min})\n${USAGE}`); process.exit(2); }
  return n;
};
const PER_SENDER = int('events-per-sender', values['events-per-sender'], 1);
const SENDERS = int('senders', values.senders, 1);
const STORED = int('stored', values.stored, 0);
const QUERIES = int('queries', values.queries, 1);
const MIX = values.mix as HqMix;
const RUNS = values.runs.split(',').map((s) => s.trim());
if ((MIX !== 'station' && MIX !== 'single') || RUNS.some((r) => !['pg', 'sqlite', 'faults'].includes(r))) { console.error(USAGE); process.exit(2); }
const SENT = PER_SENDER * SENDERS;
const HISTORY = Math.max(0, STORED - SENT);
const ROOT = join(import.meta.dirname, '..');
const NODE = process.execPath;
const log = (line: string): void => { process.stderr.write(`[hq] ${line}\n`); };
const round = (n: number, d = 1): number => Number(n.toFixed(d));

/** PostgreSQL settings of the bench cluster (a small HQ server's tuning; fsync and synchronous_commit stay on). */
const PG_SETTINGS = { shared_buffers: '2GB', max_wal_size: '8GB', checkpoint_timeout: '15min', maintenance_work_mem: '1GB', work_mem: '16MB', effective_cache_size: '12GB' };

type Proc = WumaProcess;

interface Receiver {
  proc: Proc; url: string; port: number; readonly name: string; readonly storage: string[];
  /** Set while the bench itself kills it (a fault), so the supervisor does not count that exit. */
  killing?: boolean;
}

async function startWumaReceiver(name: string, storage: string[], port = 0): Promise<Receiver> {
  const proc = spawnWuma(name, ['receiver', '--json', '--port', String(port), ...storage]);
  const ready = JSON.parse(await firstLine(proc, 60_000)) as { url: string; port: number };
  return { proc, url: ready.url, port: ready.port, name, storage };
}

async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGINT');
  const timer = setTimeout(() => { p.child.kill('SIGKILL'); }, 15_000);
  await p.exited;
  clearTimeout(timer);
}

/** Every process whose parent is `ppid` (the postmaster's backends and auxiliaries). */
function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid) out.push(Number(entry));
    } catch { /* gone */ }
  }
  return out;
}

const postmasterPid = (cluster: PgCluster): number => Number(readFileSync(join(cluster.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);

/** Names pids for the RSS figures, and follows PostgreSQL's processes as they come and go. */
class ProcessWatch {
  readonly sampler = new RssSampler([process.pid], 200);
  readonly names = new Map<number, string>([[process.pid, 'bench']]);
  #timer: NodeJS.Timeout | undefined;
  /** Last utime + stime seen per pid, seconds (a process that exits keeps its last reading, ≤ 0.5 s old). */
  readonly #cpu = new Map<number, number>();
  /** CPU seconds a process had used when the watch began (processes that were already running: the bench, PostgreSQL's). */
  readonly #base = new Map<number, number>();
  readonly #fromNow = new Set<number>([process.pid]);
  readonly #cpuTimer = setInterval(() => { this.#readCpu(); }, 500).unref();
  #readCpu(): void {
    for (const pid of this.names.keys()) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const used = (Number(f[11]) + Number(f[12])) / 100; // utime + stime, USER_HZ = 100
        if (!this.#base.has(pid)) this.#base.set(pid, this.#fromNow.has(pid) ? used : 0);
        this.#cpu.set(pid, used - (this.#base.get(pid) ?? 0));
      } catch { /* gone: keep the last reading */ }
    }
  }
  add(pid: number, name: string, runningBefore = false): void {
    this.names.set(pid, name);
    this.sampler.add(pid);
    if (runningBefore) this.#fromNow.add(pid);
  }
  /** CPU seconds by kind of process since they started (the bench's own from its start). */
  cpuSeconds(): Record<string, number> {
    this.#readCpu();
    const out: Record<string, number> = {};
    for (const [pid, s] of this.#cpu) {
      const name = this.names.get(pid) ?? '';
      const group = name.startsWith('postgres') ? 'postgres' : name.startsWith('receiver') ? 'receivers' : name.startsWith('sender') ? 'senders' : 'bench';
      out[group] = round((out[group] ?? 0) + s, 1);
    }
    return out;
  }
  followPostgres(cluster: PgCluster): void {
    const scan = (first: boolean): void => {
      let pm: number;
      try { pm = postmasterPid(cluster); } catch { return; }
      if (!this.names.has(pm)) this.add(pm, `postgres postmaster ${pm}`, first);
      for (const pid of childrenOf(pm)) if (!this.names.has(pid)) this.add(pid, `postgres backend ${pid}`, first);
    };
    scan(true);
    this.#readCpu();
    this.#timer = setInterval(() => { scan(false); }, 500);
    this.#timer.unref();
  }
  stop(): Record<string, unknown> {
    if (this.#timer) clearInterval(this.#timer);
    clearInterval(this.#cpuTimer);
    const figures = this.sampler.stop();
    const out: Record<string, RssFigures | Record<string, number>> = {};
    const backends: RssFigures[] = [];
    for (const [pid, f] of figures) {
      const name = this.names.get(pid) ?? String(pid);
      if (f.samples === 0) continue;
      if (name.startsWith('postgres backend')) backends.push(f); else out[name] = f;
    }
    if (backends.length > 0) {
      out['postgres backends'] = {
        processes: backends.length,
        peakMiBMax: Math.max(...backends.map((b) => b.peakMiB)),
        steadyMiBMax: Math.max(...backends.map((b) => (Number.isNaN(b.steadyMiB) ? 0 : b.steadyMiB))),
        steadyMiBSum: round(backends.reduce((s, b) => s + (Number.isNaN(b.steadyMiB) ? 0 : b.steadyMiB), 0)),
      };
    }
    return out;
  }
}

/** The station databases, built once (two builders at a time: the machine has two cores). */
async function stationDatabases(dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files = Array.from({ length: SENDERS }, (_, i) => join(dir, `station-${i}-${MIX}-${PER_SENDER}.db`));
  const todo = files.map((f, i) => ({ f, i })).filter(({ f }) => !existsSync(f));
  const start = performance.now();
  const worker = async (): Promise<void> => {
    for (let job = todo.shift(); job !== undefined; job = todo.shift()) {
      const child = spawn(NODE, [join(ROOT, 'bench/support/hq-station.ts'), '--out', `${job.f}.part`, '--station', String(job.i), '--events', String(PER_SENDER), '--mix', MIX], { stdio: ['ignore', 'inherit', 'inherit'] });
      const code = await new Promise<number | null>((resolve) => { child.once('exit', resolve); });
      if (code !== 0) throw new Error(`站点数据库生成失败 (station build failed): station ${job.i}`);
      copyFileSync(`${job.f}.part`, job.f);
      log(`  station ${job.i}: ${PER_SENDER} events`);
    }
  };
  if (todo.length > 0) {
    log(`building ${todo.length} station outboxes of ${PER_SENDER} events (${MIX})`);
    await Promise.all([worker(), worker()]);
    log(`  built in ${round((performance.now() - start) / 1000)} s`);
  }
  return files;
}

/**
 * After the load PostgreSQL is still busy: the checkpointer writing the load's dirty pages, autovacuum on the tables
 * that just took millions of rows. Waits for that to end (a CHECKPOINT, then no autovacuum worker, at most 15 min).
 */
async function settle(url: string): Promise<{ settleSeconds: number; autovacuumStillRunning: boolean }> {
  const start = performance.now();
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`CHECKPOINT`;
    for (;;) {
      const busy = Number((await sql<{ n: string }[]>`SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'`)[0]?.n ?? 0);
      if (busy === 0 || performance.now() - start > 15 * 60_000) return { settleSeconds: round((performance.now() - start) / 1000), autovacuumStillRunning: busy > 0 };
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Codes to look up: half from the history, half cap-outer codes the stations sent (each has events). */
function queryCodes(n: number, seed = 0x9e3779b9): string[] {
  const out: string[] = [];
  const capsPerStation = MIX === 'single' ? PER_SENDER : Math.floor((PER_SENDER / 5.1) * 12 * 0.95);
  let x = seed;
  const rand = (m: number): number => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) % m; };
  for (let i = 0; i < n; i += 1) {
    if (HISTORY > 0 && i % 2 === 0) out.push(historyIdentifier(rand(HISTORY)));
    else out.push(identifierOf('cap-outer', capOuter(stationProfile(rand(SENDERS)), rand(Math.max(1, capsPerStation)))));
  }
  return out;
}

async function measureQueries(url: string, n: number, seed?: number): Promise<Record<string, number>> {
  const codes = queryCodes(n + 50, seed);
  const times: number[] = [];
  let empty = 0;
  for (let i = 0; i < codes.length; i += 1) {
    const start = performance.now();
    const res = await fetch(`${url}/events?MATCH_epc=${encodeURIComponent(codes[i] ?? '')}`);
    const body = await res.text();
    const ms = performance.now() - start;
    if (res.status !== 200) throw new Error(`MATCH_epc 查询失败 (query failed) ${res.status}: ${body.slice(0, 300)}`);
    if (i < 50) continue; // warm-up
    times.push(ms);
    const list = (JSON.parse(body) as { epcisBody: { queryResults: { resultsBody: { eventList: unknown[] } } } }).epcisBody.queryResults.resultsBody.eventList;
    if (list.length === 0) empty += 1;
  }
  times.sort((a, b) => a - b);
  return { queries: times.length, emptyAnswers: empty, p50Ms: round(percentile(times, 50), 2), p99Ms: round(percentile(times, 99), 2), maxMs: round(times[times.length - 1] ?? Number.NaN, 2) };
}

interface SenderReport { confirmed: number; retries: number; requests: number; quarantined: number; exit: number | null }

function senderReport(p: Proc, code: number | null): SenderReport {
  const last = p.stdout.filter((l) => l.startsWith('{')).pop();
  const r = last === undefined ? {} : (JSON.parse(last) as Partial<SenderReport>);
  return { confirmed: r.confirmed ?? 0, retries: r.retries ?? 0, requests: r.requests ?? 0, quarantined: r.quarantined ?? 0, exit: code };
}

interface Fault { readonly at: number; readonly what: string; readonly run: () => Promise<void> | void }

interface IngestSetup {
  readonly label: string;
  readonly receivers: Receiver[];
  readonly stations: string[];
  readonly watch: ProcessWatch;
  /** Events stored at headquarters so far (for the fault schedule). */
  readonly progress?: () => Promise<number>;
  readonly faults?: Fault[];
  /** Told of every receiver process the supervisor started again. */
  readonly onRestart?: (p: Proc) => void;
}

async function drive(s: IngestSetup): Promise<{ seconds: number; senders: SenderReport[]; faults: Record<string, unknown>[]; receiverCrashes: Record<string, unknown>[] }> {
  log(`${s.label}: ${SENDERS} senders × ${PER_SENDER} events → ${s.receivers.length} receiver(s)`);
  const start = performance.now();
  const senders = s.stations.map((db, i) => {
    const r = s.receivers[i % s.receivers.length] as Receiver;
    const p = spawnWuma(`sender ${i}`, ['sync', '--once', '--json', '--to', `${r.url}/`, '--db', db]);
    s.watch.add(p.pid, `sender ${i}`);
    return p;
  });
  const done: Promise<(number | null)[]> = Promise.all(senders.map((p) => p.exited));
  const injected: Record<string, unknown>[] = [];
  let finished = false;
  void done.then(() => { finished = true; });
  const faults = [...(s.faults ?? [])];
  let lastLog = 0;
  /** Receivers that died on their own: a supervisor (systemd Restart=always) restarts them on their port. */
  const crashes: Record<string, unknown>[] = [];
  while (!finished) {
    await new Promise((r) => setTimeout(r, 250));
    for (const r of s.receivers) {
      if (r.killing === true || (r.proc.child.exitCode === null && r.proc.child.signalCode === null)) continue;
      const tail = r.proc.stderr.slice(-12).join('\n');
      log(`  ${r.name} exited by itself (${String(r.proc.child.exitCode ?? r.proc.child.signalCode)}); restarting it on port ${r.port}:\n${tail}`);
      crashes.push({ receiver: r.name, exit: r.proc.child.exitCode ?? r.proc.child.signalCode, atSeconds: round((performance.now() - start) / 1000, 2), stderr: tail.slice(0, 600) });
      try {
        const again = await startWumaReceiver(`${r.name} (after exit)`, r.storage, r.port);
        s.watch.add(again.proc.pid, again.proc.name);
        s.onRestart?.(again.proc);
        r.proc = again.proc;
      } catch (error) { log(`  restart failed: ${(error as Error).message}`); }
    }
    if (s.progress === undefined) continue;
    let stored: number;
    try { stored = await s.progress(); } catch { continue; }
    if (performance.now() - lastLog > 5000) { lastLog = performance.now(); log(`  ${stored}/${SENT} stored, ${round((performance.now() - start) / 1000)} s`); }
    const next = faults[0];
    if (next !== undefined && stored >= next.at * SENT) {
      faults.shift();
      const t = performance.now();
      log(`  fault: ${next.what} at ${stored} stored`);
      await next.run();
      injected.push({ what: next.what, storedBefore: stored, atSeconds: round((t - start) / 1000, 2), tookSeconds: round((performance.now() - t) / 1000, 2) });
    }
  }
  const codes = await done;
  const seconds = (performance.now() - start) / 1000;
  const reports = senders.map((p, i) => senderReport(p, codes[i] ?? null));
  for (const [i, r] of reports.entries()) if (r.exit !== 0) log(`  sender ${i} exited ${String(r.exit)}: ${(senders[i] as Proc).stderr.slice(-5).join(' | ')}`);
  return { seconds, senders: reports, faults: injected, receiverCrashes: crashes };
}

function ingestFigures(run: { seconds: number; senders: SenderReport[]; receiverCrashes: Record<string, unknown>[] }, verdict: Verdict, conflicts: number): Record<string, unknown> {
  const confirmed = run.senders.reduce((s, r) => s + r.confirmed, 0);
  return {
    eventsSent: SENT,
    seconds: round(run.seconds, 2),
    eventsPerSecond: Math.round(confirmed / run.seconds),
    lost: verdict.missing,
    duplicates: verdict.extraRows + verdict.duplicateEventIDs,
    verdict,
    conflicts,
    retries: run.senders.reduce((s, r) => s + r.retries, 0),
    requests: run.senders.reduce((s, r) => s + r.requests, 0),
    receiverCrashes: run.receiverCrashes,
    senders: run.senders,
  };
}

const scale = { sendersEach: PER_SENDER, senders: SENDERS, eventsSent: SENT, history: HISTORY, mix: MIX, at: new Date().toISOString() };
const dir = makeTempDir('wuma-bench-hq-');
const results: Record<string, unknown> = {};
let cluster: PgCluster | null = null;
const open: Proc[] = [];
try {
  const cacheDir = values.cache ?? dir.file('stations');
  const built = await stationDatabases(cacheDir);
  const runStations = (label: string): string[] => built.map((f, i) => { const to = dir.file(`${label}-station-${i}.db`); copyFileSync(f, to); return to; });
  const outboxMiB = round(built.reduce((s, f) => s + statSync(f).size, 0) / 2 ** 20);
  const load0 = loadavg()[0] ?? 0;

  if (RUNS.includes('pg') || RUNS.includes('faults')) {
    log('starting PostgreSQL 15');
    cluster = await startPgCluster({ settings: PG_SETTINGS });
  }

  if (RUNS.includes('pg') && cluster !== null) {
    const admin = postgres(cluster.url, { max: 1, onnotice: () => {} });
    await admin.unsafe('CREATE DATABASE hq');
    await admin.end();
    const url = cluster.url.replace(/\/postgres$/, '/hq');
    await (await PgReceiverStorage.open(url)).close();
    log(`seeding ${HISTORY} history events into PostgreSQL`);
    const seedSeconds = await seedPostgres(url, HISTORY, log);
    const watch = new ProcessWatch();
    watch.followPostgres(cluster);
    const receivers = [await startWumaReceiver('receiver A', ['--pg', url]), await startWumaReceiver('receiver B', ['--pg', url])];
    receivers.forEach((r, i) => { open.push(r.proc); watch.add(r.proc.pid, `receiver ${'AB'[i]}`); });
    const stations = runStations('pg');
    const run = await drive({ label: 'PostgreSQL', receivers, stations, watch, onRestart: (p) => { open.push(p); } });
    const cpuSeconds = watch.cpuSeconds();
    log('MATCH_epc queries');
    const query = await measureQueries((receivers[0] as Receiver).url, QUERIES);
    // RSS covers the load and the first queries, as before the settled measurement existed.
    const rss = watch.stop();
    log('MATCH_epc queries again once PostgreSQL has settled (CHECKPOINT, no autovacuum worker), other codes');
    const settled = await settle(url);
    const querySettled = { ...(await measureQueries((receivers[0] as Receiver).url, QUERIES, 0x2545f491)), ...settled };
    for (const r of receivers) await stop(r.proc);
    log('verifying every event by eventID');
    const verdict = await verifyPostgres(url, stations, HISTORY);
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const conflicts = Number((await sql<{ n: string }[]>`SELECT count(*) AS n FROM conflicts`)[0]?.n ?? 0);
    const dbBytes = Number((await sql<{ n: string }[]>`SELECT pg_database_size(current_database()) AS n`)[0]?.n ?? 0);
    await sql.end();
    results['postgres'] = { scale, receivers: 2, storedAtEnd: verdict.stored, historySeeded: HISTORY, seedSeconds: round(seedSeconds), ...ingestFigures(run, verdict, conflicts), matchEpc: query, matchEpcSettled: querySettled, databaseGiB: round(dbBytes / 2 ** 30, 2), cpuSecondsDuringIngest: cpuSeconds, rss };
    log(`PostgreSQL: ${JSON.stringify({ eventsPerSecond: (results['postgres'] as { eventsPerSecond: number }).eventsPerSecond, ok: verdict.ok, p99: query['p99Ms'] })}`);
  }

  if (RUNS.includes('sqlite')) {
    const hqDb = dir.file('hq.db');
    new ReceiverStore(hqDb).close();
    log(`seeding ${HISTORY} history events into SQLite`);
    const seedSeconds = seedSqlite(hqDb, HISTORY, log);
    const watch = new ProcessWatch();
    const receiver = await startWumaReceiver('receiver', ['--db', hqDb]);
    open.push(receiver.proc);
    watch.add(receiver.proc.pid, 'receiver');
    const stations = runStations('sqlite');
    const run = await drive({ label: 'SQLite', receivers: [receiver], stations, watch, onRestart: (p) => { open.push(p); } });
    const cpuSeconds = watch.cpuSeconds();
    log('MATCH_epc queries');
    const query = await measureQueries(receiver.url, QUERIES);
    const rss = watch.stop();
    await stop(receiver.proc);
    log('verifying every event by eventID');
    const verdict = verifySqlite(hqDb, stations, HISTORY);
    const db = new Database(hqDb, { readonly: true });
    const conflicts = db.prepare('SELECT count(*) FROM conflicts').pluck().get() as number;
    db.close();
    results['sqlite'] = { scale, receivers: 1, storedAtEnd: verdict.stored, historySeeded: HISTORY, seedSeconds: round(seedSeconds), ...ingestFigures(run, verdict, conflicts), matchEpc: query, databaseGiB: round(statSync(hqDb).size / 2 ** 30, 2), cpuSecondsDuringIngest: cpuSeconds, rss };
    log(`SQLite: ${JSON.stringify({ eventsPerSecond: (results['sqlite'] as { eventsPerSecond: number }).eventsPerSecond, ok: verdict.ok, p99: query['p99Ms'] })}`);
  }

  if (RUNS.includes('faults') && cluster !== null) {
    const pg = cluster;
    const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
    await admin.unsafe('CREATE DATABASE hq_faults');
    await admin.end();
    const url = pg.url.replace(/\/postgres$/, '/hq_faults');
    await (await PgReceiverStorage.open(url)).close();
    const watch = new ProcessWatch();
    watch.followPostgres(pg);
    const receivers = [await startWumaReceiver('receiver A', ['--pg', url]), await startWumaReceiver('receiver B', ['--pg', url])];
    receivers.forEach((r, i) => { open.push(r.proc); watch.add(r.proc.pid, `receiver ${'AB'[i]}`); });
    const stations = runStations('faults');
    // The progress probe must never hang the schedule: after a server restart a postgres.js connection can stay
    // stuck (porsager/postgres #1215), so each probe has 3 s and a stuck client is replaced.
    let progress = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 2 });
    const probe = async (): Promise<number> => {
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          progress<{ n: string }[]>`SELECT coalesce(sum(events), 0) AS n FROM sites`.then((rows) => Number(rows[0]?.n ?? 0)),
          new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('progress probe timed out')), 3000); }),
        ]);
      } catch (error) {
        void progress.end({ timeout: 0 }).catch(() => {});
        progress = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 2 });
        throw error;
      } finally { clearTimeout(timer); }
    };
    const b = receivers[1] as Receiver;
    const faults: Fault[] = [
      { at: 0.3, what: 'kill -9 receiver B, restart it on its port after 1 s', run: async () => {
        b.killing = true;
        b.proc.child.kill('SIGKILL');
        await b.proc.exited;
        await new Promise((r) => setTimeout(r, 1000));
        const again = await startWumaReceiver('receiver B (restarted)', ['--pg', url], b.port);
        open.push(again.proc);
        watch.add(again.proc.pid, 'receiver B (restarted)');
        b.proc = again.proc;
        b.killing = false;
      } },
      { at: 0.6, what: 'pg_ctl restart -m immediate', run: () => { pg.restartImmediate(); } },
    ];
    const run = await drive({
      label: 'PostgreSQL with faults', receivers, stations, watch, faults, onRestart: (p) => { open.push(p); },
      progress: probe,
    });
    await progress.end({ timeout: 1 }).catch(() => {});
    const cpuSeconds = watch.cpuSeconds();
    const rss = watch.stop();
    for (const r of receivers) await stop(r.proc);
    log('verifying every event by eventID');
    const verdict = await verifyPostgres(url, stations, 0);
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const conflicts = Number((await sql<{ n: string }[]>`SELECT count(*) AS n FROM conflicts`)[0]?.n ?? 0);
    await sql.end();
    results['faults'] = { scale: { ...scale, history: 0 }, receivers: 2, historySeeded: 0, faultsInjected: run.faults, faultsPlanned: 2, ...ingestFigures(run, verdict, conflicts), inventedConflicts: conflicts, cpuSecondsDuringIngest: cpuSeconds, rss };
    log(`faults: ${JSON.stringify({ ok: verdict.ok, conflicts, faults: run.faults.length })}`);
  }

  // A run of some sections keeps the other sections of the last result file (each section names its own scale).
  const previous = ((): Record<string, unknown> => {
    try { return (JSON.parse(readFileSync(join(ROOT, 'bench/results/hq.json'), 'utf8')) as { figures: Record<string, unknown> }).figures; } catch { return {}; }
  })();
  const kept = Object.fromEntries(['postgres', 'sqlite', 'faults'].filter((k) => !(k in results) && k in previous).map((k) => [k, previous[k]]));
  writeResults('hq', {
    ...kept,
    config: { sendersEach: PER_SENDER, senders: SENDERS, eventsSent: SENT, storedTarget: STORED, history: HISTORY, mix: MIX, queries: QUERIES, runs: RUNS, outboxMiB, postgresSettings: PG_SETTINGS },
    method: [
      'Senders: one `wuma sync --once` process per station (the real sync sender), 4 per receiver on PostgreSQL, all 8 on the one SQLite receiver; receivers: `wuma receiver --pg URL` / `--db FILE` with default limits (10 000 events, 16 MiB per capture).',
      `Station outboxes: ${MIX === 'station' ? 'per case 5 events (12 cap-outer, 12 cap-inner, case-outer, case-inner commissioning, packing) + per 70 cases pallet commissioning and packing' : 'one cap-outer commissioning per event'}, frozen by freezeEvent(mapFact(…)) and appended with appendOutbox.`,
      'History: seeded straight into the adapter tables (bench/support/hq-seed.ts): cap-outer commissioning events of a history station, real frozen body with code/eventTime/eventID replaced; the same rows the receiver writes for such an event (events/facets, commissioned, sites; SQLite also the codes role-1 row, event_keys and one receipt; on PostgreSQL the commissioned row of a won commissioning is its index entry). PostgreSQL: INSERT … SELECT generate_series with the unique keys dropped during the load and re-created after it; SQLite: prepared multi-row INSERTs, synchronous=OFF for the load only.',
      'events/s: all confirmed events / (first sender spawned → last sender exited), so process start-up is inside the time.',
      'Lost / duplicates: every outbox row looked up at HQ by its eventID and compared by body (md5 in PostgreSQL, the exact text in SQLite); stored count = history + sent; eventIDs stored twice counted with GROUP BY (PostgreSQL) / key rows (SQLite).',
      'MATCH_epc: sequential GET /events?MATCH_epc=… on receiver A after the load (50 warm-up queries not counted), half history codes, half codes just sent; matchEpcSettled: the same with other codes once PostgreSQL has settled (CHECKPOINT done, no autovacuum worker left).',
      'CPU: utime + stime from /proc per process kind, from the receivers\' start to the last sender\'s exit (the postmaster\'s backends summed; a process that exited keeps its reading of ≤ 0.5 s before).',
      'Supervision: a receiver process that exits by itself is restarted on its port (as systemd Restart=always would) and listed in receiverCrashes with its last stderr lines; the faults the bench injects are in faultsInjected.',
      'RSS: VmHWM peak and median VmRSS of the last third of 200 ms samples per process; PostgreSQL backends include the shared buffers they touched.',
    ],
    ...results,
    loadAverage1m: { before: round(load0, 2), after: round(loadavg()[0] ?? 0, 2) },
    goal: { eventsPerSecond: 50_000, lost: 0, duplicates: 0, matchEpcP99Ms: 20, stored: 10_000_000, faults: 'every event stored exactly once, no conflict invented' },
  });
} finally {
  for (const p of open) if (p.child.exitCode === null && p.child.signalCode === null) { p.child.kill('SIGKILL'); await p.exited; }
  try { cluster?.stop(); } finally { dir.remove(); }
}
