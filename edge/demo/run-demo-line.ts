import { DEFAULT_PROFILES } from '../codes/profile.ts';
import { generateCode } from '../codes/generate.ts';
import { webCryptoRandom } from '../codes/random-source.ts';
import { parseConfig } from '../config/load-config.ts';
import { startStation, type Logger, type RunningStation } from '../main.ts';
import type { RejectReason } from '../aggregation/reject-reason.ts';
import { openStore, type Db } from '../store/open.ts';
import { verifyStore } from '../store/verify.ts';
import { reconcileBatch } from '../store/reconciliation.ts';
import { startReceiver, warmValidators, type RunningReceiver } from '../../sync/index.ts';
import { Conveyor, type ConveyorEnd, type PlannedCase } from './conveyor.ts';
import { startDemoDevices, type DemoDevices } from './demo-devices.ts';
import type { FaultKind, FaultRates } from './fault-rates.ts';
import { LineStock } from './line-stock.ts';
import { setupDemoLine, type DemoLine } from './setup-demo-line.ts';
import { seededRandom } from './seeded-random.ts';

export const DEMO_STATION_ID = 'DEMO';
/** The demo line on a database without batches: the line the UI proposes for a first batch. */
export const DEMO_LINE = 'L1';
/**
 * A new conveyor run waits for the cases of the previous one (their caps are unused in the store until decided; a
 * run started earlier would send them round again as duplicates): until each is decided or counted unseen, or
 * nothing is pending at the station this long after the run ended (ms; the PLC is polled every 5 ms).
 */
const RUN_GAP_MS = 1_000;

export interface DemoOptions {
  readonly dbPath: string;
  /** Cases to send down the line; null runs until stop() or until the stock runs out. */
  readonly cases: number | null;
  /** Cases per second. */
  readonly rate: number;
  readonly faults: FaultRates;
  readonly logger: Logger;
  readonly unitsPerCase?: number;
  readonly casesPerPallet?: number;
  /** Cases' worth of codes generated for a fresh database (default: cases + 10 % + 20, or 20,000 when unlimited). */
  readonly stockCases?: number;
  /** Seed of the fault dice (default random). */
  readonly seed?: number;
  /** Also run the reference EPCIS receiver (its own database at this path) and sync the outbox to it. */
  readonly receiverDbPath?: string | null;
  /** The PLC driver's poll interval, ms (default 5: the demo line is faster than a real photo-eye needs). */
  readonly plcPollMs?: number;
  /** Each emulated reader's exposure + decode time, ms (default 5). */
  readonly readDelayMs?: number;
  /** Called after each case the station committed and told the PLC to accept, in decision order. */
  readonly onAccepted?: (caseCode: string) => void;
  /**
   * Leave the batch to the operator: prepare the product and the code packages but start no batch; the conveyor
   * feeds a batch once the station runs one (started from the UI). Default false: the demo starts its own batch.
   */
  readonly operatorBatch?: boolean;
  /** Called when a case is fed to the readers. */
  readonly onFed?: (planned: PlannedCase) => void;
}

export interface DemoSummary {
  readonly ok: boolean;
  readonly db: string;
  readonly resumed: boolean;
  /** The batch the conveyor fed last (null: no batch ran, e.g. the operator never started one). */
  readonly batch: { readonly id: number; readonly lot: string } | null;
  readonly end: ConveyorEnd | 'running';
  /** Wall time of the whole run, setup (code generation on a fresh database) included. */
  readonly elapsedMs: number;
  readonly setupMs: number;
  readonly fed: number;
  readonly faultsPlanned: Readonly<Record<FaultKind | 'none', number>>;
  /** Decided by the station during this run. */
  readonly decided: number;
  /** Cases that passed the station without a decision (while it was stopped, PLC outages): alarmed, never silent. */
  readonly unseen: number;
  readonly cases: { readonly good: number; readonly rejected: number; readonly byReason: Readonly<Partial<Record<RejectReason, number>>> };
  /** Totals of the batch in the database (all runs on this database). */
  readonly batchTotals: { readonly cases: number; readonly rejects: number; readonly pallets: number; readonly palletStackCases: number };
  readonly pallets: number;
  readonly alarms: { readonly raised: number; readonly active: readonly string[] };
  readonly outbox: { readonly events: number; readonly confirmed: number };
  readonly verify: { readonly ok: boolean; readonly failed: readonly string[] };
  readonly reconciliationBalanced: boolean;
  readonly casesPerSecond: number;
}

export interface RunningDemo {
  readonly station: RunningStation;
  readonly devices: DemoDevices;
  readonly line: DemoLine;
  readonly receiver: RunningReceiver | null;
  /** The batch the conveyor feeds now, or fed last (null: none ran yet). */
  readonly batch: () => { readonly id: number; readonly lot: string } | null;
  /** How many cases the station decided in this run. */
  readonly decided: () => number;
  readonly fed: () => number;
  /** Resolves when the conveyor has stopped (limit, stock, or stop()) and every fed case is decided (or 10 s passed). */
  readonly finished: Promise<ConveyorEnd>;
  /** Stops the conveyor (if running), waits for the cases in flight, and returns the summary; then stops everything. */
  stop(): Promise<DemoSummary>;
}


async function until(test: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() >= deadline) return false;
    await new Promise<void>((resolve) => { setTimeout(resolve, 10); });
  }
  return true;
}

/**
 * The line the demo station runs: the line of the demo database's newest open batch (else its newest batch), so a
 * resumed database keeps its line, and the line the UI proposes for a new batch on a database without batches
 * (desktop/renderer picks the newest batch's line, else `L1`) — a batch of another line is never adopted.
 */
function demoLineId(db: Db): string {
  const line = db.prepare(`SELECT line FROM batches ORDER BY state = 'closed', id DESC LIMIT 1`).pluck().get() as string | undefined;
  return line ?? DEMO_LINE;
}

/**
 * The demo line (issue 4 §7): a fresh (or resumed) demo database, the emulated devices on 127.0.0.1, the real
 * station (edge/main.ts startStation) connected to them over TCP and Modbus TCP exactly as to a real line, and
 * the simulated conveyor feeding cases with faults. Accepted cases travel on to the palletiser's reader; the
 * pallet station prints on the ZPL emulator and the verifier reads the label back.
 *
 * The conveyor follows the station's batch, wherever it came from (the demo's own with `operatorBatch` off, or
 * one the operator started in the UI): while a batch runs it feeds cases built from that batch's packages; when
 * the batch is paused or closed it stops before the next case (the store's batch state is checked before each
 * one, since the API commits there first) and waits for the station to run a batch again. A new run starts only
 * once the cases of the previous one are decided, so no cap comes round twice.
 */
export async function startDemoLine(options: DemoOptions): Promise<RunningDemo> {
  const started = performance.now();
  const unlimited = options.cases === null;
  const operatorBatch = options.operatorBatch === true;
  const stockCases = options.stockCases ?? (unlimited ? 20_000 : Math.ceil((options.cases ?? 0) * 1.1) + 20);
  const setupStore = openStore(options.dbPath, { checkpointer: false });
  let line: DemoLine;
  let lineId: string;
  try {
    lineId = demoLineId(setupStore.db);
    line = await setupDemoLine(setupStore.db, {
      unitsPerCase: options.unitsPerCase ?? 12, casesPerPallet: options.casesPerPallet ?? 10, cases: stockCases, line: lineId, startBatch: !operatorBatch,
    });
  } finally {
    await setupStore.close();
  }
  const log = options.logger;
  log.info(line.batch === null ? '演示线：码包已就绪，等待操作员开始批次 (demo line: code packages ready; waiting for the operator to start a batch)'
    : line.resumed ? '演示线：继续使用已有的演示数据库 (demo line: resuming the demo database)' : '演示线：已生成码包并开始批次 (demo line: codes generated, batch started)',
  { batchId: line.batch?.id ?? null, lot: line.batch?.lot ?? null, line: lineId, generated: line.generated });

  // Every commit freezes its EPCIS events through the schema validators, compiled lazily on first use (~250 ms
  // of blocked event loop on the first case after a start). Compiled here, before any case is fed.
  warmValidators();
  const devices = await startDemoDevices({ readDelayMs: options.readDelayMs ?? 5 });
  let receiver: RunningReceiver | null = null;
  let station: RunningStation | null = null;
  try {
    if (options.receiverDbPath != null) receiver = await startReceiver({ port: 0, host: '127.0.0.1', dbPath: options.receiverDbPath });
    const at = (port: number): string => `127.0.0.1:${port}`;
    const config = parseConfig({
      station: { id: DEMO_STATION_ID, name: '演示线 (demo line)', line: lineId },
      database: options.dbPath,
      case: {
        camera: { driver: 'cognex', tcp: at(devices.ports.camera) },
        caseCode: { mode: 'read', reader: { driver: 'keyence', tcp: at(devices.ports.caseReader) } },
        readTimeoutMs: 800,
      },
      pallet: {
        reader: { driver: 'hikrobot', tcp: at(devices.ports.palletReader) },
        printer: { driver: 'zpl', tcp: at(devices.ports.printer) },
        verifier: { driver: 'keyence', tcp: at(devices.ports.verifier) },
      },
      plc: { driver: 'modbus-tcp', tcp: at(devices.ports.plc), unitId: 1, rejectConfirmTimeoutMs: 1000 },
      epcis: { identifiers: { uriTemplate: 'https://c.demo.wuma.example/{kind}/{code}' } },
      ...(receiver === null ? {} : { sync: { url: receiver.url, enabled: true } }),
      alarms: { consecutiveRejects: 3, diskMinFreeMiB: 64 },
    }, 'demo');
    station = await startStation(config, { logger: log, plcTiming: { pollIntervalMs: options.plcPollMs ?? 5 }, sync: receiver !== null });
  } catch (error) {
    await station?.stop();
    await receiver?.close();
    await devices.close();
    throw error;
  }
  const running = station;
  const db = running.store.db;
  const batchState = db.prepare('SELECT state FROM batches WHERE id = ?').pluck();

  const dice = seededRandom(options.seed ?? webCryptoRandomSeed());
  const faultsPlanned: Record<FaultKind | 'none', number> = { none: 0, missing: 0, duplicate: 0, foreign: 0, noread: 0, label: 0 };
  /** The conveyor of the batch being fed (null between batches); cases fed by earlier runs. */
  let conveyor: Conveyor | null = null;
  let fedBefore = 0;
  let runEndedAt = 0;
  let feeding: { id: number; lot: string } | null = line.batch === null ? null : { id: line.batch.id, lot: line.batch.lot };
  const fed = (): number => fedBefore + (conveyor?.fed ?? 0);
  const emptyWarned = new Set<number>();
  let end: ConveyorEnd | null = null;
  let resolveEnd: (e: ConveyorEnd) => void = () => {};
  const ended = new Promise<ConveyorEnd>((resolve) => { resolveEnd = resolve; });
  let watch: NodeJS.Timeout | null = null;
  const endDemo = (e: ConveyorEnd): void => {
    if (end !== null) return;
    end = e;
    if (watch !== null) clearInterval(watch);
    watch = null;
    resolveEnd(e);
  };

  // Decisions, in order, from the station's "last reads" (seq increases by one per decided case).
  let lastSeq = 0;
  let good = 0;
  let rejected = 0;
  const byReason: Partial<Record<RejectReason, number>> = {};

  /** Starts a conveyor run when the station runs a batch and none is being fed. */
  const follow = (): void => {
    if (end !== null || conveyor !== null) return;
    const status = running.status();
    const b = status.batch;
    if (b === null || !status.running || b.state !== 'running' || batchState.get(b.id) !== 'running') return;
    // Caps of cases still in flight are unused in the store until decided: wait for them before reloading the stock.
    // Each fed case is decided, counted unseen (it passed a stopped station), or — its trigger lost between the
    // PLC and a pausing station — never heard of: then nothing is pending and its caps are rightly unused.
    const settled = lastSeq + (status.caseStation?.unseen ?? 0) >= fed();
    const quiet = (status.caseStation?.pending ?? 0) === 0 && performance.now() - runEndedAt >= RUN_GAP_MS;
    if (!settled && !quiet) return;
    // Readings of cases that passed a stopped station are still queued in the emulators: those cases are gone.
    devices.cameraFeed.clear();
    devices.caseFeed.clear();
    const stock = LineStock.load(db, b.id);
    if (stock.casesLeft(line.unitsPerCase) < 1) {
      if (!emptyWarned.has(b.id)) log.warn('演示线：本批次的码包已没有可用的码，传送带不送箱 (demo line: no unused codes left in the batch\'s packages)', { batchId: b.id });
      emptyWarned.add(b.id);
      if (!operatorBatch) endDemo('stock');
      return;
    }
    const run = new Conveyor({
      camera: devices.cameraFeed, caseReader: devices.caseFeed, trigger: () => { devices.plc.plc.advanceTrigger(1); },
      stock, unitsPerCase: b.unitsPerCase, rate: options.rate, faults: options.faults, limit: options.cases === null ? null : options.cases - fed(),
      random: dice, foreignCode: () => generateCode(DEFAULT_PROFILES['cap-outer'], webCryptoRandom),
      canFeed: () => batchState.get(b.id) === 'running',
      ...(options.onFed === undefined ? {} : { onCase: options.onFed }),
    });
    conveyor = run;
    feeding = { id: b.id, lot: b.lot };
    log.info('演示线：传送带为批次送箱 (demo line: conveyor feeding the batch)', { batchId: b.id, lot: b.lot, casesInStock: stock.casesLeft(b.unitsPerCase) });
    void run.done.then((runEnd) => {
      fedBefore += run.fed;
      for (const [k, n] of Object.entries(run.byFault)) faultsPlanned[k as FaultKind | 'none'] += n;
      conveyor = null;
      runEndedAt = performance.now();
      if (runEnd === 'limit' || runEnd === 'stopped' || (runEnd === 'stock' && !operatorBatch)) { endDemo(runEnd); return; }
      log.info(runEnd === 'stock' ? '演示线：本批次的码已用完，等待下一个批次 (demo line: codes used up; waiting for the next batch)'
        : '演示线：批次已暂停或关闭，传送带停下等待 (demo line: batch paused or closed; conveyor waits)', { batchId: b.id, fed: run.fed });
      follow();
    });
    run.start();
  };

  const unsubscribe = running.onChange(() => {
    const reads = running.status().lastReads;
    if (reads.length > 0 && (reads[0]?.seq ?? 0) > lastSeq) {
      for (const r of reads.filter((x) => x.seq > lastSeq).reverse()) {
        lastSeq = r.seq;
        if (r.outcome === 'accepted' && r.caseCode !== null) {
          good += 1;
          conveyor?.accepted(r.caseCode);
          options.onAccepted?.(r.caseCode);
          // The accepted case rolls on to the palletiser; its reader fires on its own photo-eye.
          devices.palletFeed.push([r.caseCode]);
          devices.palletReader.fire();
        } else {
          rejected += 1;
          const first = r.reasons[0];
          if (first !== undefined) byReason[first] = (byReason[first] ?? 0) + 1;
          if (r.caseCode !== null) conveyor?.settled(r.caseCode);
        }
      }
    }
    if (conveyor === null) follow();
  });
  const runStarted = performance.now();
  // Batch changes arrive as station changes; the timer covers the wait for the last cases of a finished run.
  watch = setInterval(follow, 100);
  follow();
  const finished = ended.then(async (e) => {
    await until(() => lastSeq >= fed(), 10_000);
    return e;
  });

  let stopping: Promise<DemoSummary> | null = null;
  const stop = (): Promise<DemoSummary> => {
    stopping ??= (async () => {
      endDemo('stopped');
      conveyor?.stop();
      const e = await finished;
      // Let the palletiser take the last accepted cases (and label a full pallet) before the snapshot: every good
      // case of the batch is on a committed pallet or on the open stack (the demo never force-closes a pallet).
      await until(() => {
        const s = running.status();
        const p = s.palletStation;
        return p === null || !s.running || (p.state === 'stacking' && devices.palletFeed.waiting === 0 && p.held === 0 && p.pallets * p.ratio + p.cases >= s.counters.good);
      }, 3_000);
      const summary = summarize(running, line, feeding, {
        end: e, started, runStarted, fed: fed(), faultsPlanned, decided: lastSeq, good, rejected, byReason, dbPath: options.dbPath,
      });
      unsubscribe();
      await running.stop();
      await receiver?.close();
      await devices.close();
      log.info('演示线已停止 (demo line stopped)', { fed: summary.fed, decided: summary.decided });
      return summary;
    })();
    return stopping;
  };
  return { station: running, devices, line, receiver, batch: () => feeding, decided: () => lastSeq, fed, finished, stop };
}

function webCryptoRandomSeed(): number {
  const b = new Uint32Array(1);
  globalThis.crypto.getRandomValues(b);
  return b[0] ?? 1;
}

function summarize(station: RunningStation, line: DemoLine, batch: { readonly id: number; readonly lot: string } | null, run: {
  end: ConveyorEnd; started: number; runStarted: number; fed: number; faultsPlanned: Readonly<Record<FaultKind | 'none', number>>; decided: number;
  good: number; rejected: number; byReason: Partial<Record<RejectReason, number>>; dbPath: string;
}): DemoSummary {
  const db = station.store.db;
  const status = station.status();
  const batchId = batch?.id ?? null;
  const count = (sql: string, ...params: unknown[]): number => db.prepare(sql).pluck().get(...params) as number;
  const report = verifyStore(db);
  const balanced = batchId === null || reconcileBatch(db, batchId).totals.balanced;
  const elapsedMs = Math.round(performance.now() - run.started);
  const runMs = Math.round(performance.now() - run.runStarted);
  return {
    ok: report.ok && balanced,
    db: run.dbPath,
    resumed: line.resumed,
    batch,
    end: run.end,
    elapsedMs,
    fed: run.fed,
    faultsPlanned: run.faultsPlanned,
    decided: run.decided,
    unseen: status.caseStation?.unseen ?? 0,
    cases: { good: run.good, rejected: run.rejected, byReason: run.byReason },
    batchTotals: {
      cases: count(`SELECT count(*) FROM containers WHERE batch_id = ? AND level = 'case'`, batchId),
      rejects: count(`SELECT count(*) FROM rejects WHERE batch_id = ? AND station = 'case'`, batchId),
      pallets: count(`SELECT count(*) FROM containers WHERE batch_id = ? AND level = 'pallet'`, batchId),
      palletStackCases: status.palletStation?.cases ?? 0,
    },
    pallets: status.counters.pallets,
    alarms: { raised: count(`SELECT count(*) FROM audit_log WHERE action = 'alarm.raise'`), active: status.alarms.map((a) => a.id) },
    outbox: { events: count('SELECT count(*) FROM outbox'), confirmed: count(`SELECT count(*) FROM outbox WHERE state = 'confirmed'`) },
    verify: { ok: report.ok, failed: report.checks.filter((c) => !c.ok).map((c) => c.id) },
    reconciliationBalanced: balanced,
    setupMs: elapsedMs - runMs,
    casesPerSecond: runMs > 0 ? Math.round((run.decided / runMs) * 10_000) / 10 : 0,
  };
}
