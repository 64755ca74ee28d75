/**
 * `npm run bench -- sync [--events N[,N…]] [--max-events N] [--backlog DIR]`: the real sender (`wuma sync --once`,
 * a child process) draining a station backlog into the reference receiver (`wuma receiver`, another child) over
 * loopback, once per backlog size (default 1M and 5M events).
 *
 * Goals: issue 5, ≥ 50k events/s and 1M drained ≤ 60 s; issue 12, the sender's peak RSS ≤ 150 MiB for a 1M and
 * for a 5M backlog, equal within 10 % (the sender reads the outbox in pages of one request, so its memory must
 * not depend on the backlog). `--max-events` is the receiver's GS1-EPCIS-Capture-Limit (default 10 000, the
 * reference receiver's default; the sender starts at 2 000 events per request and grows up to it). `--backlog DIR`
 * keeps a copy of each built station database there and starts from it next time (the build is deterministic).
 *
 * Figures per backlog: build rate (not against a goal), drain seconds and events/s, bytes per event in the outbox
 * and on the wire, CPU seconds of sender and receiver (utime+stime from /proc), peak (VmHWM) and steady (median
 * VmRSS over the last third) RSS of the sender, the receiver and this bench process, the 1-minute load average.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { appendOutbox } from '../edge/store/outbox.ts';
import { openStore } from '../edge/store/open.ts';
import { parseEpcisContext } from '../sync/epcis/epcis-context.ts';
import { freezeEvent } from '../sync/epcis/freeze-event.ts';
import { mapFact } from '../sync/epcis/map-fact.ts';
import { makeTempDir } from '../test/support/temp-dir.ts';
import { writeResults } from './support/results.ts';
import { RssSampler, type RssFigures } from './support/rss.ts';

const USAGE = '用法 (usage): npm run bench -- sync [--events N[,N…]] [--max-events N] [--backlog DIR]';
const { values } = parseArgs({ options: { events: { type: 'string', default: '1000000,5000000' }, 'max-events': { type: 'string', default: '10000' }, backlog: { type: 'string' } } });
const SIZES = (values.events ?? '').split(',').map(Number);
const MAX_EVENTS = Number(values['max-events']);
if (SIZES.some((n) => !Number.isSafeInteger(n) || n < 1) || !Number.isSafeInteger(MAX_EVENTS) || MAX_EVENTS < 1) {
  console.error(`${USAGE}\n--events 应为逗号分隔的正整数，--max-events 应为正整数 (--events takes positive integers separated by commas)`);
  process.exit(2);
}
const ROOT = join(import.meta.dirname, '..');
const WUMA = join(ROOT, 'bin', 'wuma.js');

function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, clock ticks (USER_HZ = 100)
}

/** Builds a backlog of `events` frozen commissioning events (real mapping, hashing, validation) in big transactions. */
function buildBacklog(path: string, events: number): number {
  const ctx = parseEpcisContext({ readPoint: 'urn:epc:id:sgln:6901234.00001.1', bizLocation: 'urn:epc:id:sgln:6901234.00001.0', identifiers: { uriTemplate: 'https://c.brand.example/{kind}/{code}' } });
  const store = openStore(path, { checkpointer: false, cacheMiB: 64 });
  const start = performance.now();
  const t0 = Date.parse('2026-03-01T00:00:00Z');
  const CHUNK = 50_000;
  for (let from = 0; from < events; from += CHUNK) {
    store.db.transaction(() => {
      for (let i = from; i < Math.min(events, from + CHUNK); i += 1) {
        const frozen = freezeEvent(mapFact({ type: 'commissioning', time: t0 + i, kind: 'cap-outer', codes: [`K${i.toString(36).toUpperCase().padStart(8, '0')}`], lot: 'L2603' }, ctx));
        appendOutbox(store.db, frozen, { batchId: 1 + Math.floor(i / 100_000), pallet: `P${Math.floor(i / 840)}` });
      }
    })();
    if (from % 1_000_000 === 0 && from > 0) process.stderr.write(`  已生成 (built) ${from} 条事件\n`);
  }
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  void store.close();
  return (performance.now() - start) / 1000;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => { if (child.exitCode !== null) resolve(child.exitCode); else child.once('exit', (code) => { resolve(code); }); });
}

function rss(figures: Map<number, RssFigures>, pid: number | undefined): RssFigures | null {
  return pid === undefined ? null : figures.get(pid) ?? null;
}

async function runOne(events: number): Promise<Record<string, unknown>> {
  const dir = makeTempDir('wuma-bench-sync-');
  try {
    const stationPath = dir.file('station.db');
    const cached = values.backlog === undefined ? undefined : join(values.backlog, `sync-backlog.${events}.db`);
    let buildSeconds: number | null = null;
    if (cached !== undefined && existsSync(cached)) {
      copyFileSync(cached, stationPath);
    } else {
      process.stderr.write(`生成待上传队列 (building the backlog): ${events} 条事件\n`);
      buildSeconds = buildBacklog(stationPath, events);
      if (cached !== undefined) { mkdirSync(values.backlog ?? '.', { recursive: true }); copyFileSync(stationPath, cached); }
    }
    const outboxBytes = statSync(stationPath).size;

    const receiver = spawn(process.execPath, [WUMA, 'receiver', '--port', '0', '--json', '--db', dir.file('hq.db'), '--max-events', String(MAX_EVENTS), '--max-bytes', String(64 * 2 ** 20)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const first = await new Promise<string>((resolve) => { createInterface({ input: receiver.stdout }).once('line', resolve); });
    const { url } = JSON.parse(first) as { url: string };

    const load0 = loadavg()[0] ?? 0;
    const receiverCpu0 = cpuSeconds(receiver.pid);
    const start = performance.now();
    const sender = spawn(process.execPath, [WUMA, 'sync', '--once', '--json', '--to', url, '--db', stationPath], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const sampler = new RssSampler([process.pid, receiver.pid ?? 0, sender.pid ?? 0], 100);
    let senderCpu = Number.NaN;
    // The sender's CPU, read just before it exits: sample /proc while it runs, keep the last value.
    const cpuTimer = setInterval(() => { try { senderCpu = cpuSeconds(sender.pid); } catch { /* gone */ } }, 200);
    let out = '';
    sender.stdout.setEncoding('utf8').on('data', (s: string) => { out += s; });
    const code = await exited(sender);
    clearInterval(cpuTimer);
    const drainSeconds = (performance.now() - start) / 1000;
    const receiverCpu = cpuSeconds(receiver.pid) - receiverCpu0;
    const memory = sampler.stop();
    receiver.kill('SIGINT');
    await exited(receiver);
    if (code !== 0) throw new Error(`wuma sync 退出码 ${String(code)} (wuma sync failed): ${out}`);
    const summary = JSON.parse(out) as { confirmed: number; requests: number; retries: number; bytesSent: number; outbox: { pending: number; confirmed: number; quarantined: number } };
    return {
      events,
      buildSeconds: buildSeconds === null ? null : Number(buildSeconds.toFixed(1)),
      buildEventsPerSecond: buildSeconds === null ? null : Math.round(events / buildSeconds),
      drainSeconds: Number(drainSeconds.toFixed(2)),
      eventsPerSecond: Math.round(summary.confirmed / drainSeconds),
      confirmed: summary.outbox.confirmed,
      pending: summary.outbox.pending,
      quarantined: summary.outbox.quarantined,
      requests: summary.requests,
      retries: summary.retries,
      outboxBytesPerEvent: Math.round(outboxBytes / events),
      wireBytesPerEvent: Math.round(summary.bytesSent / Math.max(1, summary.confirmed)),
      senderCpuSeconds: Number(senderCpu.toFixed(2)),
      receiverCpuSeconds: Number(receiverCpu.toFixed(2)),
      rssMiB: { sender: rss(memory, sender.pid), receiver: rss(memory, receiver.pid), bench: rss(memory, process.pid) },
      loadAverage1m: { before: Number(load0.toFixed(2)), after: Number((loadavg()[0] ?? 0).toFixed(2)) },
    };
  } finally {
    dir.remove();
  }
}

const runs: Record<string, unknown>[] = [];
for (const events of SIZES) {
  const run = await runOne(events);
  console.log(JSON.stringify(run));
  runs.push(run);
}
const peaks = runs.map((r) => ((r['rssMiB'] as { sender: RssFigures | null }).sender?.peakMiB ?? Number.NaN));
const largest = Math.max(...peaks);
const smallest = Math.min(...peaks);
writeResults('sync', {
  maxEventsPerRequest: MAX_EVENTS,
  runs,
  senderPeakRssMiB: peaks,
  senderPeakSpread: Number(((largest - smallest) / smallest).toFixed(3)),
  met: {
    eventsPerSecond: runs.every((r) => (r['eventsPerSecond'] as number) >= 50_000),
    senderPeakRss: largest <= 150,
    senderPeakEqualWithin10Percent: (largest - smallest) / smallest <= 0.1,
  },
  goal: { eventsPerSecond: 50_000, drainSecondsFor1M: 60, senderPeakRssMiB: 150, senderPeakSpread: 0.1 },
});
