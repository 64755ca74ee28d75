/**
 * `npm run bench -- pairing [--codes N] [--seconds S] [--rate R] [--faults LIST] [--raw N]`
 * (defaults: 2,000,000 codes in the supplier database, 60 s, 600 items/min, no faults, 1,000 raw commits).
 *
 * Issue 15's figure: 600 items/min sustained with 2 readers, pair decision p99 ≤ 2 × the raw durable commit p99
 * in the same run.
 * 1. A supplier database with N codes: half cap-inner, half cap-outer, in two imported packages (status available,
 *    no pairs), inserted by bare SQL (random hex; the code generator has its own bench).
 * 2. The real pairing station (edge/pairing/pairing-runtime.ts) in this process, against a Keyence-protocol inner
 *    reader, a Cognex-protocol outer reader and the Modbus PLC emulator that run in their OWN process (this file
 *    forked with --line-child), on loopback TCP exactly as to a real line. The line process paces items at R per
 *    minute: each puts one code in front of each reader and advances the PLC's photo-eye counter; the station polls
 *    it (5 ms), triggers both readers, decides, commits (synchronous=FULL, the pair's AssociationEvent frozen into
 *    the outbox in the same transaction) and accepts or kicks.
 *    Figures: `pairDecision` = both reads answered → committed and the PLC command issued (the station's own
 *    timing); `commit` = the one durable transaction alone; `item` = trigger taken → decision. RSS (peak VmHWM and
 *    steady VmRSS, bench/support/rss.ts) of the bench/station process and of the line process.
 * 3. Raw durable commits in the same run, on the same database and pragmas: the like-for-like bare SQL of one pair
 *    (two random code rows updated, one item row appended, one outbox row of the event's size) in one immediate
 *    transaction, (a) interleaved with the line on the station's own connection, half an item interval after each
 *    item, so they see the same load (line process, sockets, PLC polling, checkpoints): `p99RatioInterleaved`; and
 *    (b) paced at the same rate after the line stopped, on a quiet machine: `p99Ratio`. Goal ≤ 2 (issue 15).
 */
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { READER_EMULATORS } from '../scanners/index.ts';
import { freezeEvent, mapFact, parseEpcisContext } from '../sync/index.ts';
import { DEFAULT_EPCIS_CONFIG } from '../edge/config/default-epcis.ts';
import { parsePairingConfig } from '../edge/config/pairing-config.ts';
import { QueueFeed } from '../edge/demo/queue-feed.ts';
import { parsePairingFaults, PAIRING_FAULTS, type PairingFault } from '../edge/demo/run-demo-pairing.ts';
import { seededRandom } from '../edge/demo/seeded-random.ts';
import { kindToInt } from '../edge/domain/kinds.ts';
import { startPairingStation } from '../edge/pairing/pairing-runtime.ts';
import type { PairingItemOutcome } from '../edge/pairing/pairing-station.ts';
import { startModbusPlcEmulator } from '../edge/plc/emulators/modbus-plc-emulator.ts';
import { DEFAULT_REGISTER_MAP } from '../edge/plc/register-map.ts';
import { SILENT_LOGGER } from '../edge/station/logger.ts';
import { openStore } from '../edge/store/open.ts';
import { addProduct } from '../edge/store/products.ts';
import { percentile, writeResults } from './support/results.ts';
import { RssSampler } from './support/rss.ts';

const { values } = parseArgs({ options: { codes: { type: 'string' }, seconds: { type: 'string' }, rate: { type: 'string' }, faults: { type: 'string' }, raw: { type: 'string' }, 'line-child': { type: 'boolean' } } });

/** Messages between the bench (station) process and the line (emulator) process. */
type LineReady = { type: 'ready'; inner: number; outer: number; plc: number };
type LineRun = { type: 'run'; perMinute: number; items: { inner: string[]; outer: string[] }[] };
type LineDone = { type: 'fed'; fed: number; seconds: number };
type LineSnap = { type: 'snapshot'; accepts: number; kicks: number };

/** The line process: emulators only; paces the items it is given and reports the PLC's counts. */
async function lineChild(): Promise<void> {
  const send = (m: LineReady | LineDone | LineSnap): void => { process.send?.(m); };
  const innerFeed = new QueueFeed();
  const outerFeed = new QueueFeed();
  const listen = { kind: 'tcp-listen', host: HOST, port: 0 } as const;
  const innerEm = await READER_EMULATORS.keyence({ endpoint: listen, feed: innerFeed, readDelayMs: 1 }).start();
  const outerEm = await READER_EMULATORS.cognex({ endpoint: listen, feed: outerFeed, readDelayMs: 1 }).start();
  const plc = await startModbusPlcEmulator({ map: DEFAULT_REGISTER_MAP, tcp: { host: HOST, port: 0 }, confirm: { mode: 'delay', ms: 2 }, heartbeatMs: 100 });
  process.on('message', (raw: LineRun | { type: 'snapshot' } | { type: 'stop' }) => {
    if (raw.type === 'stop') {
      void Promise.all([innerEm.stop(), outerEm.stop(), plc.close()]).then(() => process.exit(0));
      return;
    }
    if (raw.type === 'snapshot') {
      const snap = plc.plc.snapshot();
      send({ type: 'snapshot', accepts: snap.accepts, kicks: snap.kicks.length });
      return;
    }
    const intervalMs = 60_000 / raw.perMinute;
    const t0 = performance.now();
    let fed = 0;
    const tick = (): void => {
      const due = Math.min(raw.items.length, Math.floor((performance.now() - t0) / intervalMs) + 1);
      while (fed < due) {
        const it = raw.items[fed]!;
        innerFeed.push(it.inner);
        outerFeed.push(it.outer);
        plc.plc.advanceTrigger(1);
        fed += 1;
      }
      if (fed >= raw.items.length) send({ type: 'fed', fed, seconds: (performance.now() - t0) / 1000 });
      else setTimeout(tick, Math.max(1, Math.min(intervalMs / 2, 20)));
    };
    tick();
  });
  send({ type: 'ready', inner: innerEm.port, outer: outerEm.port, plc: plc.tcpPort ?? 0 });
}

const HOST = '127.0.0.1';
const num = (raw: string | undefined, fallback: number, min: number, max: number, name: string): number => {
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    console.error(`--${name} 应在 ${min}..${max} 之间，收到 ${raw ?? ''} (--${name} out of range)`);
    process.exit(2);
  }
  return n;
};
const ms = (a: number, b: number): number => Math.round((b - a) * 1000) / 1000;

/**
 * The bare durable writes of one pair, no station: both code rows updated, one item row appended, one outbox row of
 * the event's size, in one immediate transaction (its own tables, so it never collides with the station's rows).
 */
function rawCommitter(db: ReturnType<typeof openStore>['db'], eventBytes: number): (inner: string, outer: string, seq: number) => void {
  db.exec('CREATE TABLE IF NOT EXISTS bench_raw_items (id INTEGER PRIMARY KEY, run_id INTEGER, seq INTEGER, at TEXT, inner TEXT, outer TEXT)');
  db.exec('CREATE TABLE IF NOT EXISTS bench_raw_outbox (id INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, event_type TEXT, body TEXT, created_at TEXT)');
  const setPair = db.prepare('UPDATE codes SET pair = ?, status = 1 WHERE code = ?');
  const append = db.prepare('INSERT INTO bench_raw_items (run_id, seq, at, inner, outer) VALUES (1, ?, ?, ?, ?)');
  const event = db.prepare(`INSERT INTO bench_raw_outbox (event_id, event_type, body, created_at) VALUES (?, 'AssociationEvent', ?, ?)`);
  const body = 'x'.repeat(Math.round(eventBytes));
  const one = db.transaction((inner: string, outer: string, seq: number) => {
    setPair.run(outer, inner);
    setPair.run(inner, outer);
    const at = new Date().toISOString();
    append.run(seq, at, inner, outer);
    event.run(`ni:///sha-256;${randomBytes(32).toString('hex')}?ver=CBV2.0`, body, at);
  });
  return (inner, outer, seq) => { one.immediate(inner, outer, seq); };
}

function seed(dbPath: string, codes: number, keep: number): { inner: string; outer: string; innerCodes: string[]; outerCodes: string[] } {
  const store = openStore(dbPath, { checkpointer: false });
  const db = store.db;
  const t0 = performance.now();
  addProduct(db, { id: 'BENCH-CAP', name: 'bench cap', gtin: null, unitsPerBox: null, boxesPerCase: null, unitsPerCase: 12, casesPerPallet: 70, pairingRequired: true, profiles: {} }, 'bench');
  const uuids = { inner: randomUUID(), outer: randomUUID() };
  const innerCodes: string[] = [];
  const outerCodes: string[] = [];
  for (const [side, kind] of [['inner', 'cap-inner'], ['outer', 'cap-outer']] as const) {
    const n = Math.floor(codes / 2);
    const id = Number(db.prepare(`INSERT INTO code_packages (uuid, kind, product_id, source, supplier, count, state, profile, created_at, finished_at)
      VALUES (?, ?, 'BENCH-CAP', 'imported', 'brand', ?, 'ready', '{}', ?, ?)`).run(uuids[side], kindToInt(kind), n, new Date().toISOString(), new Date().toISOString()).lastInsertRowid);
    const insert = db.prepare('INSERT INTO codes (code, kind, status, package_id) VALUES (?, ?, 0, ?)');
    const bytes = side === 'inner' ? 10 : 7;
    for (let done = 0; done < n; done += 100_000) {
      db.transaction(() => {
        for (let i = done; i < Math.min(n, done + 100_000); i += 1) {
          const code = randomBytes(bytes).toString('hex').toUpperCase();
          insert.run(code, kindToInt(kind), id);
          if (i < keep) (side === 'inner' ? innerCodes : outerCodes).push(code);
        }
      })();
    }
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  store.db.close();
  console.error(`种子数据 (seeded) ${codes} codes in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { ...uuids, innerCodes, outerCodes };
}

async function benchMain(): Promise<void> {
  const codes = Math.round(num(values.codes, 2_000_000, 1_000, 50_000_000, 'codes'));
  const seconds = num(values.seconds, 60, 1, 3_600, 'seconds');
  const perMinute = num(values.rate, 600, 1, 12_000, 'rate');
  const rawCount = Math.round(num(values.raw, 1_000, 10, 100_000, 'raw'));
  const faults = parsePairingFaults(values.faults ?? 'none');
  const items = Math.max(1, Math.round((seconds * perMinute) / 60));
  if (items * 2 > codes) {
    console.error(`--codes ${codes} 不够 ${items} 件 (not enough codes for ${items} items)`);
    process.exit(2);
  }
  const dir = mkdtempSync(join(tmpdir(), 'wuma-bench-pairing-'));
  const dbPath = join(dir, 'supplier.db');
  const line = fork(import.meta.filename, ['--line-child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  try {
    const material = seed(dbPath, codes, 2 * items + rawCount + 16);
    const next = <T extends { type: string }>(type: T['type']): Promise<T> => new Promise((resolve, reject) => {
      const onMessage = (m: { type: string }): void => { if (m.type === type) { line.off('message', onMessage); line.off('exit', onExit); resolve(m as T); } };
      const onExit = (code: number | null): void => { reject(new Error(`模拟产线进程退出 (line process exited ${String(code)})`)); };
      line.on('message', onMessage);
      line.once('exit', onExit);
    });
    const ports = await next<LineReady>('ready');
    const config = parsePairingConfig({
      mode: 'pairing', station: { id: 'BENCH-P1', line: 'BENCH-P1' }, database: dbPath,
      pairing: {
        innerPackage: material.inner, outerPackage: material.outer,
        innerReader: { driver: 'keyence', tcp: `${HOST}:${ports.inner}` }, outerReader: { driver: 'cognex', tcp: `${HOST}:${ports.outer}` }, readTimeoutMs: 1000,
      },
      plc: { driver: 'modbus-tcp', tcp: `${HOST}:${ports.plc}`, rejectConfirmTimeoutMs: 1000 },
    });
    const rss = new RssSampler([process.pid, line.pid ?? 0], 100);
    const running = await startPairingStation(config, { logger: SILENT_LOGGER, actor: 'bench', plcTiming: { pollIntervalMs: 5 } });
    const outcomes: PairingItemOutcome[] = [];
    let allDecided: () => void = () => {};
    const decided = new Promise<void>((resolve) => { allDecided = resolve; });
    running.station.onOutcome((o) => { outcomes.push(o); if (outcomes.length >= items) allDecided(); });
    const random = seededRandom(15);
    const planned: Record<PairingFault | 'none', number> = { none: 0, 'one-side': 0, 'double-print': 0, slipped: 0, foreign: 0 };
    const plan: { inner: string[]; outer: string[] }[] = [];
    for (let i = 0; i < items; i += 1) {
      const dice = random();
      let acc = 0;
      let fault: PairingFault | 'none' = 'none';
      for (const f of PAIRING_FAULTS) { acc += faults[f]; if (dice < acc) { fault = f; break; } }
      if (fault === 'slipped' || fault === 'double-print') fault = 'none'; // need item-by-item sequencing; the demo covers them
      planned[fault] += 1;
      plan.push({
        inner: fault === 'one-side' ? [] : [material.innerCodes[i] ?? ''],
        outer: fault === 'foreign' ? [`FX${randomBytes(6).toString('hex').toUpperCase()}`] : [material.outerCodes[i] ?? ''],
      });
    }
    // Raw like-for-like commits interleaved with the line (same connection, same moment's load: the line process,
    // the readers' sockets, the PLC polling, the checkpointer), half an item interval after each item.
    const interleaved: number[] = [];
    const sampleEvent = freezeEvent(mapFact({ type: 'pairing', time: Date.now(), outerKind: 'cap-outer', outer: material.outerCodes[0] ?? '', innerKind: 'cap-inner', inner: [material.innerCodes[0] ?? ''] }, parseEpcisContext(DEFAULT_EPCIS_CONFIG)));
    const rawOn = rawCommitter(running.store.db, sampleEvent.body.length);
    // One unmeasured warm-up (statements, the new tables' first pages), as the station's first item warms its own.
    rawOn(material.innerCodes[2 * items + rawCount + 1] ?? 'IW', material.outerCodes[2 * items + rawCount + 1] ?? 'OW', 0);
    const intervalMs = 60_000 / perMinute;
    let k = 0;
    let rawTimer: NodeJS.Timeout | null = null;
    const rawTick = (): void => {
      if (k >= items) return;
      const idx = items + k;
      const a = performance.now();
      rawOn(material.innerCodes[idx] ?? `I${k}`, material.outerCodes[idx] ?? `O${k}`, k + 1);
      interleaved.push(ms(a, performance.now()));
      k += 1;
    };
    const t0 = performance.now();
    const fed = next<LineDone>('fed');
    line.send({ type: 'run', perMinute, items: plan } satisfies LineRun);
    const rawStart = setTimeout(() => { rawTick(); rawTimer = setInterval(rawTick, intervalMs); }, intervalMs / 2);
    await fed;
    await decided;
    clearTimeout(rawStart);
    if (rawTimer !== null) clearInterval(rawTimer);
    await running.station.whenIdle();
    const lineSeconds = (performance.now() - t0) / 1000;
    const counts = running.station.status().counts;
    const snapshot = next<LineSnap>('snapshot');
    line.send({ type: 'snapshot' });
    const plcCounts = await snapshot;
    const eventBytes = (running.store.db.prepare(`SELECT avg(length(body)) FROM outbox WHERE event_type = 'AssociationEvent'`).pluck().get() as number | null) ?? 0;
    const events = running.store.db.prepare(`SELECT count(*) FROM outbox WHERE event_type = 'AssociationEvent'`).pluck().get() as number;
    await running.stop();
    const rssFigures = rss.stop();
    line.send({ type: 'stop' });
    await new Promise<void>((resolve) => { if (line.exitCode !== null) resolve(); else line.once('exit', () => resolve()); });

    // Raw durable commits, same database and pragmas, same pace: the same rows the station writes for a pair.
    const store = openStore(dbPath, { checkpointer: true });
    const one = rawCommitter(store.db, eventBytes);
    const raw: number[] = [];
    const spare = Math.min(material.innerCodes.length, material.outerCodes.length);
    for (let k = 0; k < rawCount; k += 1) {
      const idx = 2 * items + (k % Math.max(1, spare - 2 * items));
      const a = performance.now();
      one(material.innerCodes[idx] ?? `I${k}`, material.outerCodes[idx] ?? `O${k}`, items + k + 1);
      raw.push(ms(a, performance.now()));
      await new Promise((r) => setTimeout(r, Math.max(1, intervalMs / 4)));
    }
    await store.close();

    const sorted = (xs: number[]) => [...xs].sort((x, y) => x - y);
    const decision = sorted(outcomes.map((o) => o.timing.decisionMs));
    const commit = sorted(outcomes.map((o) => o.timing.commitMs));
    const item = sorted(outcomes.map((o) => Math.round((o.timing.readMs + o.timing.decisionMs) * 100) / 100));
    const rawSorted = sorted(raw);
    const interleavedSorted = sorted(interleaved);
    const stats = (xs: number[]) => ({ p50: percentile(xs, 50), p99: percentile(xs, 99), max: xs.at(-1) ?? Number.NaN });
    const rssOf = (pid: number | undefined) => (pid === undefined ? null : rssFigures.get(pid) ?? null);
    writeResults('pairing', {
      codes, items, ratePerMinute: perMinute, achievedPerMinute: Math.round((outcomes.length / lineSeconds) * 60), lineSeconds: Math.round(lineSeconds * 10) / 10,
      readers: 2, faultsPlanned: planned, counts, lostDecisions: items - outcomes.length, plc: { accepts: plcCounts.accepts, kicks: plcCounts.kicks },
      associationEvents: events, eventBytes: Math.round(eventBytes),
      pairDecisionMs: stats(decision), commitMs: stats(commit), itemMs: stats(item),
      rawCommitMs: stats(rawSorted), rawInterleavedMs: { ...stats(interleavedSorted), n: interleavedSorted.length },
      p99Ratio: Math.round((percentile(decision, 99) / percentile(rawSorted, 99)) * 100) / 100,
      p99RatioInterleaved: Math.round((percentile(decision, 99) / percentile(interleavedSorted, 99)) * 100) / 100,
      commitP99Ratio: Math.round((percentile(commit, 99) / percentile(rawSorted, 99)) * 100) / 100,
      rssMiB: { station: rssOf(process.pid), line: rssOf(line.pid) },
      note: 'station in the bench process; readers and PLC emulators in their own process (line); slipped/double-print faults are not fed by the bench (the demo covers them)',
    });
  } finally {
    if (line.exitCode === null) line.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (values['line-child'] === true) await lineChild();
else {
  await benchMain().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
