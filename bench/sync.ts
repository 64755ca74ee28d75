/**
 * `npm run bench -- sync [--events N] [--max-events N] [--backlog FILE]`: the sender draining a backlog into the
 * reference receiver (a child process, `wuma receiver`) over loopback. Issue 5 goal: ≥ 50k events/s, 1M drained
 * ≤ 60 s. `--max-events` is the receiver's GS1-EPCIS-Capture-Limit and the sender's ceiling (default 10 000, the
 * reference receiver's default; the sender starts at 2 000 events per request and grows). `--backlog FILE` keeps
 * a copy of the built station database there and starts from a copy next time (the build is deterministic), to
 * skip the ~30 s build when iterating.
 *
 * Figures: build rate of the backlog (not timed against the goal), drain seconds and events/s, bytes per event
 * in the outbox (database growth) and on the wire (capture documents), where the time went (sender's SQLite
 * work vs. waiting on the receiver; the receiver's own CPU seconds from /proc), peak RSS of the sender.
 * The sender does its SQLite work while a request is in flight; `senderSqliteSecondsBetweenRequests` is the
 * part that was not (it delays the next POST). The 1-minute load average before and after says how busy the
 * shared machine was: the two processes need a core each.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { appendOutbox, SqliteOutbox } from '../edge/store/outbox.ts';
import { openStore } from '../edge/store/open.ts';
import { parseEpcisContext } from '../sync/epcis/epcis-context.ts';
import { freezeEvent } from '../sync/epcis/freeze-event.ts';
import { mapFact } from '../sync/epcis/map-fact.ts';
import { assembleCaptureDocument, Sender, type OutboxSource } from '../sync/index.ts';
import { makeTempDir } from '../test/support/temp-dir.ts';
import { trackPeakRss, writeResults } from './support/results.ts';

const { values } = parseArgs({ options: { events: { type: 'string', default: '1000000' }, 'max-events': { type: 'string', default: '10000' }, backlog: { type: 'string' } } });
const EVENTS = Number(values.events);
const MAX_EVENTS = Number(values['max-events']);
if (!Number.isSafeInteger(EVENTS) || EVENTS < 1 || !Number.isSafeInteger(MAX_EVENTS) || MAX_EVENTS < 1) {
  console.error('用法 (usage): npm run bench -- sync [--events N] [--max-events N] [--backlog FILE]');
  process.exit(2);
}
const ROOT = join(import.meta.dirname, '..');
const dir = makeTempDir('wuma-bench-sync-');

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, clock ticks (USER_HZ = 100)
}

try {
  // 1. The backlog: real mapping + hash + validation (freezeEvent), in big transactions.
  const stationPath = dir.file('station.db');
  const backlog = values.backlog === undefined ? undefined : `${values.backlog}.${EVENTS}`;
  const reuse = backlog !== undefined && existsSync(backlog);
  if (reuse) copyFileSync(backlog, stationPath);
  const ctx = parseEpcisContext({ readPoint: 'urn:epc:id:sgln:6901234.00001.1', bizLocation: 'urn:epc:id:sgln:6901234.00001.0', identifiers: { uriTemplate: 'https://c.brand.example/{kind}/{code}' } });
  const store = openStore(stationPath, { checkpointer: false, cacheMiB: 256 });
  const buildStart = performance.now();
  const t0 = Date.parse('2026-03-01T00:00:00Z');
  const CHUNK = 50_000;
  for (let start = 0; !reuse && start < EVENTS; start += CHUNK) {
    store.db.transaction(() => {
      for (let i = start; i < Math.min(EVENTS, start + CHUNK); i += 1) {
        const frozen = freezeEvent(mapFact({ type: 'commissioning', time: t0 + i, kind: 'cap-outer', codes: [`K${i.toString(36).toUpperCase().padStart(8, '0')}`], lot: 'L2603' }, ctx));
        appendOutbox(store.db, frozen, { batchId: 1 + Math.floor(i / 100_000), pallet: `P${Math.floor(i / 840)}` });
      }
    })();
  }
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  if (backlog !== undefined && !reuse) copyFileSync(stationPath, backlog);
  const buildSeconds = (performance.now() - buildStart) / 1000;
  const outboxBytes = statSync(stationPath).size;
  const bodyBytes = (store.db.prepare('SELECT sum(length(CAST(body AS BLOB))) FROM outbox').pluck().get() as number);

  // 2. The reference receiver as a child process.
  const receiver = spawn(process.execPath, ['bin/wuma.js', 'receiver', '--port', '0', '--json', '--db', dir.file('hq.db'), '--max-events', String(MAX_EVENTS), '--max-bytes', String(64 * 2 ** 20)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: receiver.stdout });
  const first = await new Promise<string>((resolve) => { lines.once('line', resolve); });
  const { url } = JSON.parse(first) as { url: string };

  // 3. Drain, timing the sender's own SQLite work separately from the wait on the receiver.
  const real = new SqliteOutbox(store.db);
  let dbMs = 0;
  /** SQLite time spent while no request was in flight (between an answer and the next request). */
  let dbIdleMs = 0;
  let inFlight = false;
  const timed = <A extends unknown[], R>(fn: (...a: A) => R) => (...a: A): R => {
    const s = performance.now();
    try { return fn(...a); } finally { const ms = performance.now() - s; dbMs += ms; if (!inFlight) dbIdleMs += ms; }
  };
  const outbox: OutboxSource = {
    peek: timed((a: number, l: number) => real.peek(a, l)),
    markConfirmed: timed((ids: readonly number[], at: string) => { real.markConfirmed(ids, at); }),
    quarantine: timed((id: number, r: string, at: string) => { real.quarantine(id, r, at); }),
    recordAttempt: timed((ids: readonly number[], e: string) => { real.recordAttempt(ids, e); }),
    counts: () => real.counts(),
    noteState: (s, at, d) => { real.noteState(s, at, d); },
  };
  const assemble = assembleCaptureDocument();
  let assembleMs = 0;
  const rss = trackPeakRss();
  const receiverCpu0 = cpuSeconds(receiver.pid ?? 0);
  const cpu0 = process.cpuUsage();
  const load0 = loadavg()[0] ?? 0;
  const drainStart = performance.now();
  const summary = await new Sender({
    outbox, url, maxEventsPerRequest: MAX_EVENTS, jobPollMs: { min: 1, max: 50 },
    // 'sending' and 'polling' are the states with a request on the wire (the sender's overlap work runs then).
    onState: (state) => { inFlight = state === 'sending' || state === 'polling'; },
    assemble: (b, c) => { const s = performance.now(); try { return assemble(b, c); } finally { assembleMs += performance.now() - s; } },
  }).run({ once: true });
  const drainSeconds = (performance.now() - drainStart) / 1000;
  const senderCpu = process.cpuUsage(cpu0);
  const receiverCpu = cpuSeconds(receiver.pid ?? 0) - receiverCpu0;
  const peakRssMiB = rss.stop();
  const counts = real.counts();
  receiver.kill('SIGINT');
  await new Promise((resolve) => { receiver.once('exit', resolve); });
  await store.close();

  writeResults('sync', {
    events: EVENTS,
    maxEventsPerRequest: MAX_EVENTS,
    buildSeconds: reuse ? null : Number(buildSeconds.toFixed(1)),
    buildEventsPerSecond: reuse ? null : Math.round(EVENTS / buildSeconds),
    drainSeconds: Number(drainSeconds.toFixed(2)),
    eventsPerSecond: Math.round(summary.confirmed / drainSeconds),
    confirmed: counts.confirmed,
    pending: counts.pending,
    requests: summary.requests,
    retries: summary.retries,
    outboxBytesPerEvent: Math.round(outboxBytes / EVENTS),
    bodyBytesPerEvent: Math.round(bodyBytes / EVENTS),
    wireBytesPerEvent: Math.round(summary.bytesSent / Math.max(1, summary.confirmed)),
    senderSqliteSeconds: Number((dbMs / 1000).toFixed(2)),
    senderSqliteSecondsBetweenRequests: Number((dbIdleMs / 1000).toFixed(2)),
    senderAssembleSeconds: Number((assembleMs / 1000).toFixed(2)),
    senderCpuSeconds: Number(((senderCpu.user + senderCpu.system) / 1e6).toFixed(2)),
    receiverCpuSeconds: Number(receiverCpu.toFixed(2)),
    senderPeakRssMiB: peakRssMiB,
    loadAverage1m: { before: Number(load0.toFixed(2)), after: Number((loadavg()[0] ?? 0).toFixed(2)) },
    goal: { eventsPerSecond: 50_000, drainSecondsFor1M: 60 },
  });
} finally {
  dir.remove();
}
