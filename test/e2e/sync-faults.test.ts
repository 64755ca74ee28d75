import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendOutbox, SqliteOutbox } from '../../edge/store/outbox.ts';
import { openStore } from '../../edge/store/open.ts';
import { parseEpcisContext } from '../../sync/epcis/epcis-context.ts';
import { freezeEvent } from '../../sync/epcis/freeze-event.ts';
import { mapFact } from '../../sync/epcis/map-fact.ts';
import { startReceiver, type RunningReceiver } from '../../sync/receiver/start-receiver.ts';
import { assembleCaptureDocument, Sender, type OutboxCounts, type SyncSummary } from '../../sync/index.ts';
import { startFaultProxy, type Fault, type FaultProxy } from '../support/fault-proxy.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { seededRandom } from '../../edge/demo/seeded-random.ts';

/**
 * Issue 5 "Must show": the Jepsen-style set workload (notes/reliability-security §4 Y1, Y3, Y4) through a TCP
 * fault proxy to the reference receiver. Figures land in the test output; the assertions are the invariants:
 * every event stored exactly once, none lost, poison quarantined with its reason, queue never blocked.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const EVENTS = 20_000;

let dir: TempDir;
let receiver: RunningReceiver | undefined;
let proxy: FaultProxy | undefined;
const children = new Set<ChildProcess>();
beforeEach(() => { dir = makeTempDir(); });
afterEach(async () => {
  for (const c of children) c.kill('SIGKILL');
  await Promise.all([...children].map((c) => new Promise((r) => { if (c.exitCode !== null || c.signalCode !== null) r(null); else c.once('exit', r); })));
  children.clear();
  await proxy?.close();
  await receiver?.close();
  proxy = undefined;
  receiver = undefined;
  dir.remove();
});

const ctx = parseEpcisContext({ readPoint: 'urn:epc:id:sgln:6901234.00001.1', identifiers: { uriTemplate: 'https://c.brand.example/{kind}/{code}' } });

/** Builds the station DB with `count` frozen commissioning events (real mapping + hash), plus optional poison rows. */
function buildStation(path: string, count: number, poisonAt: readonly number[] = []): string[] {
  const store = openStore(path, { checkpointer: false });
  const ids: string[] = [];
  try {
    store.db.transaction(() => {
      const t0 = Date.parse('2026-03-01T00:00:00Z');
      for (let i = 0; i < count; i += 1) {
        if (poisonAt.includes(i)) {
          // A body the receiver's schema refuses (offset out of range): what a mapping bug would have frozen.
          const eventID = `ni:///sha-256;${'f'.repeat(60)}${String(i).padStart(4, '0')}?ver=CBV2.0`;
          appendOutbox(store.db, { eventID, eventType: 'ObjectEvent', body: JSON.stringify({ type: 'ObjectEvent', eventID, eventTime: '2026-03-01T08:00:00.000+08:00', eventTimeZoneOffset: '+25:00', epcList: [`https://c.brand.example/cap-outer/POISON${i}`], action: 'ADD' }) }, { batchId: 1, pallet: `P${Math.floor(i / 840)}` });
          continue;
        }
        const frozen = freezeEvent(mapFact({ type: 'commissioning', time: t0 + i, kind: 'cap-outer', codes: [`K${i.toString(36).toUpperCase()}`], lot: 'L2603' }, ctx));
        appendOutbox(store.db, frozen, { batchId: 1, pallet: `P${Math.floor(i / 840)}` });
        ids.push(frozen.eventID);
      }
    })();
  } finally {
    void store.close();
  }
  return ids;
}

/**
 * What the receiver holds: stored event rows, distinct eventIDs among them, and how many expected eventIDs are
 * missing. Read from the stored bodies (the receiver keeps each event's JSON as captured), so the check does not
 * depend on how the receiver keys its events.
 */
function receiverHolds(dbPath: string, expected: readonly string[]): { rows: number; unique: number; lost: number } {
  const db = new Database(dbPath, { readonly: true });
  try {
    const ids = (db.prepare('SELECT body FROM events').pluck().all() as string[]).map((body) => (JSON.parse(body) as { eventID?: unknown }).eventID);
    const held = new Set(ids);
    return { rows: ids.length, unique: held.size, lost: expected.filter((id) => !held.has(id)).length };
  } finally {
    db.close();
  }
}


describe('sync under network faults (e2e, reference receiver)', () => {
  /** The sender through the fault proxy (resets, dropped responses, blackholes, latency, partitions each second). */
  async function runThroughFaults(stationPath: string, seed: number): Promise<{ summary: SyncSummary; counts: OutboxCounts; quarantined: { id: number; last_error: string }[]; stats: ReturnType<FaultProxy['stats']>; seconds: number; partitions: number }> {
    receiver = await startReceiver({ port: 0, dbPath: dir.file('hq.db'), limits: { maxEvents: 250, maxBytes: 400_000 } });
    const rnd = seededRandom(seed);
    proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: receiver.port } });
    proxy.setPlan((): Fault => {
      const r = rnd();
      if (r < 0.1) return { kind: 'reset' };
      if (r < 0.25) return { kind: 'drop-response' };
      if (r < 0.3) return { kind: 'blackhole' };
      if (r < 0.4) return { kind: 'latency', ms: 15 };
      return { kind: 'pass' };
    });
    const px = proxy;
    let partitions = 0;
    const partitioner = setInterval(() => { partitions += 1; px.partition(150); }, 1_000);
    const store = openStore(stationPath, { checkpointer: false });
    const started = Date.now();
    let summary: SyncSummary;
    try {
      summary = await new Sender({
        outbox: new SqliteOutbox(store.db), url: proxy.url, assemble: assembleCaptureDocument(),
        timeoutMs: 400, backoff: { baseMs: 10, maxMs: 200 }, jobPollMs: { min: 2, max: 50 },
      }).run({ once: true, signal: AbortSignal.timeout(150_000) });
    } finally {
      clearInterval(partitioner);
    }
    const seconds = (Date.now() - started) / 1000;
    const counts = new SqliteOutbox(store.db).counts();
    const quarantined = store.db.prepare(`SELECT id, last_error FROM outbox WHERE state = 'quarantined' ORDER BY id`).all() as { id: number; last_error: string }[];
    await store.close();
    await receiver.close();
    receiver = undefined;
    return { summary, counts, quarantined, stats: proxy.stats(), seconds, partitions };
  }

  it('20,000 events through resets, dropped responses, blackholes, latency and partitions: the receiver holds exactly 20,000, none lost, none twice', async () => {
    const stationPath = dir.file('station.db');
    const expected = buildStation(stationPath, EVENTS);
    const { summary, counts, stats, seconds, partitions } = await runThroughFaults(stationPath, 5);
    const held = receiverHolds(dir.file('hq.db'), expected);
    console.info('sync fault figures', JSON.stringify({ seconds, held, counts, summary, partitions, proxy: stats }));

    expect(counts).toEqual({ pending: 0, confirmed: EVENTS, quarantined: 0 });
    expect(held).toEqual({ rows: EVENTS, unique: EVENTS, lost: 0 });
    // The faults really happened, including responses dropped after the receiver had stored the capture.
    expect(stats.faults['drop-response']).toBeGreaterThan(5);
    expect(stats.faults.reset).toBeGreaterThan(5);
    expect(stats.faults.blackhole).toBeGreaterThan(0);
    expect(summary.retries).toBeGreaterThan(10);
  });

  it('poison events among 4,000 through the same faults: quarantined with the receiver reason, the rest stored exactly once', async () => {
    const stationPath = dir.file('station.db');
    const expected = buildStation(stationPath, 4_000, [1_234, 3_000]);
    const { summary, counts, quarantined, stats, seconds } = await runThroughFaults(stationPath, 7);
    const held = receiverHolds(dir.file('hq.db'), expected);
    console.info('sync poison figures', JSON.stringify({ seconds, held, counts, summary, proxy: stats }));

    expect(counts).toEqual({ pending: 0, confirmed: 4_000 - 2, quarantined: 2 });
    expect(held).toEqual({ rows: 4_000 - 2, unique: 4_000 - 2, lost: 0 });
    expect(quarantined.map((q) => q.id)).toEqual([1_235, 3_001]);
    for (const q of quarantined) expect(q.last_error).toMatch(/eventTimeZoneOffset|pattern|schema/i);
    expect(summary.retries).toBeGreaterThan(0);
  });

  it('20,000 events with the sender as a child process SIGKILLed 50 times mid-POST and mid-poll: exactly once, none lost', async () => {
    const stationPath = dir.file('station.db');
    const expected = buildStation(stationPath, EVENTS);
    // processingDelayMs keeps jobs `running` for a moment so the sender is really polling when killed.
    receiver = await startReceiver({ port: 0, dbPath: dir.file('hq.db'), limits: { maxEvents: 100, maxBytes: 400_000 }, processingDelayMs: 5 });
    proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: receiver.port } });
    const rnd = seededRandom(50);
    const kills = { post: 0, poll: 0 };
    const started = Date.now();
    for (let k = 0; k < 50; k += 1) {
      const wantPost = k % 2 === 0;
      const after = 1 + Math.floor(rnd() * 3); // let 0–2 matching requests through first, so each life makes progress
      const child = spawn(NODE, ['bin/wuma.js', 'sync', '--to', proxy.url, '--db', stationPath], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      children.add(child);
      let stderr = '';
      child.stderr?.on('data', (c: Buffer) => { stderr = (stderr + c.toString()).slice(-2_000); });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => { child.once('exit', (_code, signal) => { resolve(signal); }); });
      let seen = 0;
      const off = proxy.onExchange((info) => {
        const match = wantPost ? info.requestLine.startsWith('POST /capture') : info.requestLine.startsWith('GET /capture/');
        if (!match) return;
        seen += 1;
        if (seen === after) {
          child.kill('SIGKILL');
          if (wantPost) kills.post += 1; else kills.poll += 1;
        }
      });
      const signal = await Promise.race([exited, new Promise<'slow'>((r) => { const t = setTimeout(() => { r('slow'); }, 30_000); t.unref(); void exited.then(() => { clearTimeout(t); }); })]);
      off();
      children.delete(child);
      if (signal === 'slow') { child.kill('SIGKILL'); await exited; throw new Error(`sender life ${k} never reached its kill point: ${stderr}`); }
      expect(signal, stderr).toBe('SIGKILL');
    }
    const drain = spawn(NODE, ['bin/wuma.js', 'sync', '--once', '--json', '--to', proxy.url, '--db', stationPath], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(drain);
    let out = '';
    drain.stdout?.on('data', (c: Buffer) => { out += c.toString(); });
    const code = await new Promise<number | null>((resolve) => { drain.once('exit', (c) => { resolve(c); }); });
    children.delete(drain);
    expect(code).toBe(0);
    await receiver.close();
    receiver = undefined;
    const held = receiverHolds(dir.file('hq.db'), expected);
    const store = openStore(stationPath, { checkpointer: false });
    const counts = new SqliteOutbox(store.db).counts();
    await store.close();
    console.info('sync SIGKILL figures', JSON.stringify({ seconds: (Date.now() - started) / 1000, kills, held, counts, drain: JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as unknown }));
    expect(kills).toEqual({ post: 25, poll: 25 });
    expect(counts).toEqual({ pending: 0, confirmed: EVENTS, quarantined: 0 });
    expect(held).toEqual({ rows: EVENTS, unique: EVENTS, lost: 0 });
  });
});
