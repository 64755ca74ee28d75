/**
 * The composition root (STYLE.md "One composition root"): the only place that constructs concrete adapters —
 * the SQLite store, reader and printer drivers, the PLC driver (Modbus TCP/RTU or OPC UA) and the sync sender — and wires them into
 * the station runtime (edge/station). `startStation(config)` returns a running station with a small in-process
 * API (status, onChange, batch and pallet commands, stop) that the local HTTP API and the demo line build on.
 */
import { closeSync, existsSync, fchmodSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { DEFAULT_EPCIS_CONFIG } from './config/default-epcis.ts';
import { createPrinter, type Printer } from '../printers/index.ts';
import { createReader, type Reader } from '../scanners/index.ts';
import { assembleCaptureDocument, parseEpcisContext, Sender, warmValidators, type EpcisContext } from '../sync/index.ts';
import type { ApiLogger, RunningApi } from './api/index.ts';
import type { StationConfig } from './config/station-config.ts';
import { openPlc } from './plc/open-plc.ts';
import type { PlcPort, PlcTiming } from './plc/plc-port.ts';
import { appendAudit } from './store/audit.ts';
import { caseRulesOf, closeBatch as closeStoreBatch, getBatch, openBatches, pauseBatch as pauseStoreBatch, resumeBatch as resumeStoreBatch, startBatch as startStoreBatch, type Batch, type CloseOutcome, type StartBatchInput } from './store/batches.ts';
import { codeLookup } from './store/code-lookup.ts';
import { openStore, type Store } from './store/open.ts';
import { SqliteOutbox } from './store/outbox.ts';
import type { PalletStack } from './store/pallet-commit.ts';
import { getProduct } from './store/products.ts';
import { AlarmBoard, type Alarm } from './station/alarm-board.ts';
import { batchCounts } from './station/batch-counts.ts';
import { CaseStation, type CaseTriggerSource } from './station/case-station.ts';
import { plcConfigOf, printerConfigOf, readerConfigOf } from './station/device-config.ts';
import { DiskGuard, type FreeSpace } from './station/disk-guard.ts';
import { LineSignals } from './station/line-signals.ts';
import type { Logger, LogLevel } from './station/logger.ts';
import { PalletStation, type PalletOutcome } from './station/pallet-station.ts';
import { PrinterLink } from './station/printer-link.ts';
import { ReaderLink } from './station/reader-link.ts';
import { recoverStation, type StationRecovery } from './station/recover-station.ts';
import { StationConfigError, StationStateError } from './station/station-errors.ts';
import type { StationStatus } from './station/station-status.ts';

export type { StationStatus } from './station/station-status.ts';
export type { Logger, LogLevel } from './station/logger.ts';
export type { PalletOutcome } from './station/pallet-station.ts';
export type { Alarm } from './station/alarm-board.ts';

const LEVELS: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * A JSON-lines logger (one object per line: time, level, message, fields). Callers mask secret codes before
 * logging (STYLE.md); this logger adds nothing of its own but the time and level.
 */
export function createLogger(options: { readonly write: (line: string) => void; readonly level?: LogLevel; readonly name?: string }): Logger {
  const min = LEVELS[options.level ?? 'info'];
  const emit = (level: LogLevel, msg: string, fields?: Readonly<Record<string, unknown>>): void => {
    if (LEVELS[level] < min) return;
    options.write(`${JSON.stringify({ t: new Date().toISOString(), level, ...(options.name === undefined ? {} : { name: options.name }), msg, ...fields })}\n`);
  };
  return {
    debug: (m, f) => { emit('debug', m, f); },
    info: (m, f) => { emit('info', m, f); },
    warn: (m, f) => { emit('warn', m, f); },
    error: (m, f) => { emit('error', m, f); },
  };
}

/** Test and demo knobs; a real station passes none. */
export interface StationOverrides {
  readonly logger?: Logger;
  /** Free-space probe (a fake simulates a nearly full disk). */
  readonly freeSpace?: FreeSpace;
  readonly now?: () => number;
  /** PLC driver timing (the demo and tests poll faster than the 20 ms default). */
  readonly plcTiming?: Partial<PlcTiming>;
  /** Where case triggers come from; default `plc` when a PLC is configured, else the camera's own trigger. */
  readonly caseTrigger?: CaseTriggerSource;
  /** How long the pallet (and case label) verifier may take to read a label, ms; wins over the config's. */
  readonly verifyTimeoutMs?: number;
  /** Start the sync sender when the config has one (default true). */
  readonly sync?: boolean;
}

export interface RunningStation {
  readonly config: StationConfig;
  /** The station's store (for `verifyStore`, reports and the local API's read-only queries). */
  readonly store: Store;
  readonly recovery: StationRecovery | null;
  status(): StationStatus;
  /**
   * Called after every change (a case decided, an alarm raised, a batch command …), synchronously and often (up
   * to ~100 times a second on a fast line): listeners should take `status()` lazily or throttle. Returns the
   * unsubscribe function.
   */
  onChange(listener: () => void): () => void;
  startBatch(input: Omit<StartBatchInput, 'line'>): Batch;
  /**
   * Waits for the cases in hand, then pauses the batch (its open pallet stays open in the database). With
   * `batchId` (the local API's pause), refused unless that is the batch this station holds. Serialised with
   * `adoptBatch` and `closeBatch`.
   */
  pauseBatch(actor: string, batchId?: number): Promise<Batch>;
  resumeBatch(actor: string): Batch;
  /**
   * Waits for the cases in hand (if running) and closes the batch with its reconciliation; refused unless signed
   * when unexplained (the stations then run on). `batchId` and serialisation as for `pauseBatch`.
   */
  closeBatch(input: { readonly actor: string; readonly reason?: string; readonly batchId?: number }): Promise<CloseOutcome>;
  /**
   * The local API committed a batch transition (start, pause, resume, close) in the store itself: re-read this
   * line's open batches and follow the store — start the stations on the running batch, pause them for a paused
   * one, stop them when none is open. Serialised (a pause waits for the cases in hand); resolves with the batch
   * the station now holds. A batch of another line is not adopted. Cases still in hand when the store was paused
   * first are refused by the store's guard (rejected as not running), never committed into a paused batch: which
   * is why the API pauses and closes the station's own batch through `pauseBatch` / `closeBatch` instead.
   */
  adoptBatch(batchId: number): Promise<Batch | null>;
  /**
   * Cases or pallets of `batchId` were committed in the store beside the stations (manual capture, rework through
   * the local API): once no case is in hand, the counters are read again from the database, so the operator's
   * counts include them. Nothing happens for a batch the stations do not run. Serialised like `adoptBatch`.
   */
  recount(batchId: number): Promise<void>;
  /** The operator's 结束本垛; a short pallet needs a reason. */
  endPallet(input: { readonly actor: string; readonly reason?: string }): Promise<PalletOutcome>;
  parkPallet(actor: string): PalletStack;
  resumePallet(stackId: number, actor: string): PalletStack;
  /** The operator acknowledges an alarm (those that need it: reject not confirmed, database error …). */
  acknowledgeAlarm(id: string, actor: string): boolean;
  /** Leaves a safe stop once its cause is gone (free disk, database checked); false when still unsafe. */
  reset(actor: string): boolean;
  stop(): Promise<void>;
}


/**
 * Starts a station: opens the store, recovers (the database is the truth), connects the devices (a device that
 * is offline raises an alarm and is retried; it does not stop the start), re-drives the PLC outputs and starts
 * taking cases if a batch of this line is running.
 */
export async function startStation(config: StationConfig, overrides: StationOverrides = {}): Promise<RunningStation> {
  const log = overrides.logger ?? createLogger({ write: (l) => { process.stderr.write(l); } });
  const now = overrides.now ?? Date.now;
  let epcis: EpcisContext;
  if (config.epcis === undefined) log.warn('配置中没有 epcis，使用默认标识模板 (no epcis in config; using a default identifier template)');
  epcis = parseEpcisContext(config.epcis ?? DEFAULT_EPCIS_CONFIG);
  // Translate every device config before opening anything, so a bad config fails fast with its field path.
  const readTimeoutMs = config.case?.readTimeoutMs ?? 800;
  const cameraConfig = config.case ? readerConfigOf('case.camera', config.case.camera, readTimeoutMs) : null;
  const caseCode = config.case?.caseCode;
  const caseReaderConfig = caseCode?.mode === 'read' ? readerConfigOf('case.caseCode.reader', caseCode.reader, readTimeoutMs) : null;
  const caseVerifyTimeoutMs = overrides.verifyTimeoutMs ?? config.case?.verifyTimeoutMs ?? 2_000;
  const casePrintConfigs = caseCode?.mode === 'print' ? {
    printer: printerConfigOf('case.caseCode.printer', caseCode.printer),
    verifier: readerConfigOf('case.caseCode.verifier', caseCode.verifier, caseVerifyTimeoutMs),
  } : null;
  const verifyTimeoutMs = overrides.verifyTimeoutMs ?? config.pallet?.verifyTimeoutMs ?? 2_000;
  const palletConfigs = config.pallet ? {
    reader: readerConfigOf('pallet.reader', config.pallet.reader, verifyTimeoutMs),
    printer: printerConfigOf('pallet.printer', config.pallet.printer),
    verifier: readerConfigOf('pallet.verifier', config.pallet.verifier, verifyTimeoutMs),
  } : null;
  const plcConfig = config.plc ? plcConfigOf(config.plc) : null;
  const triggerSource: CaseTriggerSource = overrides.caseTrigger ?? config.case?.triggerSource ?? (plcConfig === null ? 'camera' : 'plc');
  if (config.case !== undefined && triggerSource === 'plc' && plcConfig === null) {
    throw new StationConfigError('case.triggerSource', '触发来源为 plc 但没有配置 PLC，请配置 plc 或改用 "camera" (trigger source plc needs a plc section)');
  }

  // Every commit freezes its EPCIS events through the schema validators, compiled on first use (~250 ms of
  // blocked event loop): compile them now, before any device link is open and before the first case, not in it.
  const warmStarted = performance.now();
  warmValidators();
  log.info('EPCIS 校验器已就绪 (EPCIS validators compiled)', { ms: Math.round(performance.now() - warmStarted) });

  const store = openStore(config.database);
  const db = store.db;
  const lookup = codeLookup(db);
  const listeners = new Set<() => void>();
  const changed = (): void => { for (const l of listeners) l(); };

  const alarms = new AlarmBoard((action, alarm, actor) => {
    try {
      db.transaction(() => {
        appendAudit(db, { actor, action, subject: alarm.id, detail: { level: alarm.level, message: alarm.message, repeats: alarm.repeats } });
      }).immediate();
    } catch (error) {
      // The alarm itself stays in memory; a database that cannot take an audit row has its own alarm.
      log.error('报警写入审计日志失败 (alarm audit failed)', { alarm: alarm.id, error: error instanceof Error ? error.message : String(error) });
    }
    if (action === 'alarm.raise') log.warn(`报警 (alarm): ${alarm.message}`, { alarm: alarm.id, alarmLevel: alarm.level, action: alarm.action });
    else log.info(`报警解除 (alarm cleared): ${alarm.message}`, { alarm: alarm.id });
  }, now);
  alarms.onChange(changed);
  const disk = new DiskGuard({ databasePath: store.path, minFreeMiB: config.alarms?.diskMinFreeMiB ?? 512, ...(overrides.freeSpace ? { freeSpace: overrides.freeSpace } : {}), now });

  const plc: PlcPort | null = plcConfig === null ? null : openPlc({
    ...plcConfig.connection, timing: { rejectConfirmTimeoutMs: plcConfig.rejectConfirmTimeoutMs, ...overrides.plcTiming },
  });
  const signals = new LineSignals(plc, alarms, log);
  const readers: ReaderLink[] = [];
  const printers: PrinterLink[] = [];
  const readerLink = (name: string, reader: Reader): ReaderLink => { const l = new ReaderLink(name, reader, alarms, log); readers.push(l); return l; };
  const printerLink = (name: string, printer: Printer): PrinterLink => { const l = new PrinterLink(name, printer, alarms, log); printers.push(l); return l; };

  const camera = cameraConfig === null ? null : readerLink('camera', createReader(cameraConfig));
  const caseReader = caseReaderConfig === null ? null : readerLink('case-reader', createReader(caseReaderConfig));
  const printerLogger = { debug: (m: string, f?: Readonly<Record<string, unknown>>) => { log.debug(m, f); }, warn: (m: string, f?: Readonly<Record<string, unknown>>) => { log.warn(m, f); } };
  const casePrint = casePrintConfigs === null ? null : {
    printer: printerLink('case-printer', createPrinter({ ...casePrintConfigs.printer, logger: printerLogger })).printer,
    verifier: readerLink('case-verifier', createReader(casePrintConfigs.verifier)).reader,
    attempts: config.case?.printAttempts ?? 3,
    verifyTimeoutMs: caseVerifyTimeoutMs,
  };
  const palletReader = palletConfigs === null ? null : readerLink('pallet-reader', createReader(palletConfigs.reader));
  const verifier = palletConfigs === null ? null : readerLink('pallet-verifier', createReader(palletConfigs.verifier));
  const labelPrinter = palletConfigs === null ? null : printerLink('pallet-printer', createPrinter({ ...palletConfigs.printer, logger: printerLogger }));

  const caseStation = camera !== null && (caseReader !== null || casePrint !== null) ? new CaseStation({
    db, lookup, camera: camera.reader, caseReader: caseReader?.reader ?? null, casePrint, plc, triggerSource, alarms, disk, log, epcis, readTimeoutMs,
    consecutiveRejects: config.alarms?.consecutiveRejects ?? 3, now, onChange: () => { signals.setCounters(caseStation?.counters ?? { good: 0, reject: 0, noRead: 0 }); changed(); },
  }) : null;
  const palletStation = palletReader !== null && verifier !== null && labelPrinter !== null ? new PalletStation({
    db, lookup, reader: palletReader.reader, printer: labelPrinter.printer, verifier: verifier.reader, alarms, disk, log, epcis, verifyTimeoutMs, now, onChange: changed,
    labelAttempts: config.pallet?.labelAttempts ?? 3,
  }) : null;

  // PLC: connect in the background with back-off; the station runs (and alarms) while it is away.
  let plcTimer: NodeJS.Timeout | null = null;
  let plcDelay = 200;
  let stopping = false;
  const connectPlc = async (): Promise<void> => {
    if (plc === null || stopping) return;
    try {
      await plc.connect();
      alarms.clear('plc-offline:plc');
      log.info('PLC 已连接 (PLC connected)', {});
      await signals.redrive();
    } catch (error) {
      if (stopping) return;
      log.warn('PLC 连接失败 (PLC connect failed)', { error: error instanceof Error ? error.message : String(error) });
      alarms.raise('plc-offline', 'plc');
      plcTimer = setTimeout(() => { plcTimer = null; void connectPlc(); }, plcDelay);
      plcDelay = Math.min(plcDelay * 2, 5_000);
    }
  };
  await Promise.all([...readers.map((r) => r.open()), ...printers.map((p) => p.open()), connectPlc()]);

  // Recovery and the batch of this line.
  /** This line's open batch the station holds: the running one, else the newest. */
  const pickBatch = (): Batch | null => openBatches(db).filter((b) => b.line === config.station.line)
    .sort((a, b) => (a.state === b.state ? b.id - a.id : a.state === 'running' ? -1 : 1))[0] ?? null;
  let batch: Batch | null = pickBatch();
  let recovery: StationRecovery | null = null;
  if (batch !== null) {
    recovery = recoverStation(db, batch.id, { epcis, hasPlc: plc !== null, now: now() });
    for (const id of recovery.unconfirmedRejects) {
      alarms.raise('reject-not-confirmed', `reject-${id}`, `重启前的剔除记录 #${id} 未确认 (reject #${id} unanswered before the restart)`);
    }
    if (recovery.voidedPalletCodes > 0) log.warn('重启恢复：作废打印结果未知的垛码 (restart: pallet codes of unknown print fate voided)', { batchId: batch.id, voided: recovery.voidedPalletCodes });
    if (recovery.voidedCaseCodes > 0) log.warn('重启恢复：作废打印结果未知的箱码 (restart: case codes of unknown print fate voided)', { batchId: batch.id, voided: recovery.voidedCaseCodes });
  }

  /** The batch the case and pallet stations are started on (null: stopped or paused). */
  let stationsOn: number | null = null;
  const startStations = (b: Batch): void => {
    const product = getProduct(db, b.productId);
    if (product === null) throw new StationStateError(`批次 ${b.id} 的产品 ${b.productId} 不存在 (product of the batch not found)`);
    const counts = batchCounts(db, b.id);
    caseStation?.start({ id: b.id, rules: caseRulesOf(db, b.id) }, { good: counts.good, reject: counts.reject, noRead: counts.noRead });
    palletStation?.start({ id: b.id, casesPerPallet: product.casesPerPallet }, counts.pallets);
    signals.setCounters({ good: counts.good, reject: counts.reject, noRead: counts.noRead });
    signals.setRunning(true);
    stationsOn = b.id;
    log.info('批次运行中，工位开始工作 (batch running; stations started)', { batchId: b.id, lot: b.lot });
  };
  if (batch?.state === 'running') startStations(batch);
  else if (batch !== null) signals.setCounters(batchCounts(db, batch.id));
  await signals.redrive();

  let sender: { abort: AbortController; done: Promise<unknown> } | null = null;
  if (config.sync?.enabled === true && config.sync.url !== undefined && overrides.sync !== false) {
    const tokenFile = config.sync.tokenFile;
    const token = tokenFile === undefined ? undefined : (): string | undefined => {
      try { return existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() || undefined : undefined; } catch { return undefined; }
    };
    const abort = new AbortController();
    const s = new Sender({
      outbox: new SqliteOutbox(db), url: config.sync.url, assemble: assembleCaptureDocument({}), ...(token ? { token } : {}),
      log: (level, message, fields) => { log[level](`[sync] ${message}`, fields); },
    });
    sender = { abort, done: s.run({ signal: abort.signal }).catch((error: unknown) => { log.error('上传停止 (sync stopped)', { error: error instanceof Error ? error.message : String(error) }); }) };
  }

  const requireBatch = (batchId?: number): Batch => {
    if (batch === null) throw new StationStateError('本线没有未关闭的批次 (no open batch on this line)');
    if (batchId !== undefined && batch.id !== batchId) {
      throw new StationStateError(`批次 ${batchId} 不是本工位当前的批次 ${batch.id} (batch ${batchId} is not the batch this station holds)`);
    }
    return batch;
  };
  const pauseStations = async (): Promise<void> => {
    stationsOn = null;
    await Promise.all([caseStation?.pause(), palletStation?.pause()]);
    signals.setRunning(false);
  };
  /**
   * One batch command at a time (adoptions, pause, close), in the order they were asked for: a pause that waits
   * for the cases in hand is not overtaken by an adoption, nor the other way round.
   */
  let adopting: Promise<unknown> = Promise.resolve();
  const serial = <T>(command: () => Promise<T>): Promise<T> => {
    const result = adopting.then(command);
    adopting = result.catch(() => undefined);
    return result;
  };
  const adopt = async (batchId: number): Promise<Batch | null> => {
    if (stopping) return batch;
    const announced = getBatch(db, batchId);
    if (announced !== null && announced.line !== config.station.line) {
      log.info('批次不属于本线，工位不采用 (batch of another line; not adopted)', { batchId, line: announced.line });
      return batch;
    }
    const next = pickBatch();
    if (next?.state === 'running') {
      if (stationsOn !== next.id) {
        if (stationsOn !== null) await pauseStations();
        batch = next;
        startStations(next);
      } else {
        batch = next;
      }
    } else {
      if (stationsOn !== null) await pauseStations();
      batch = next;
      signals.setCounters(next === null ? { good: 0, reject: 0, noRead: 0 } : batchCounts(db, next.id));
    }
    log.info('工位已采用批次变更 (station adopted a batch change)', { batchId, adopted: batch?.id ?? null, state: batch?.state ?? null });
    changed();
    return batch;
  };

  const running: RunningStation = {
    config,
    store,
    recovery,
    status(): StationStatus {
      const b = batch;
      const product = b === null ? null : getProduct(db, b.productId);
      const counters = caseStation?.counters ?? { good: 0, reject: 0, noRead: 0 };
      const pallet = palletStation === null ? null : { ...palletStation.progress(), state: palletStation.state };
      const active: Alarm[] = alarms.active();
      return {
        station: { id: config.station.id, name: config.station.name ?? null, line: config.station.line },
        running: b?.state === 'running',
        batch: b === null || product === null ? null : {
          id: b.id, productId: b.productId, lot: b.lot, productionDate: b.productionDate, state: b.state,
          unitsPerCase: product.unitsPerCase, casesPerPallet: product.casesPerPallet,
        },
        caseStation: caseStation === null ? null : {
          state: caseStation.state, pending: caseStation.pending, triggerSource,
          caseCodeMode: caseStation.caseCodeMode, unseen: caseStation.unseen, unseenCounts: caseStation.unseenCounts, labelsVerified: caseStation.labelsVerified,
        },
        palletStation: pallet,
        counters: { ...counters, cases: counters.good, pallets: pallet?.pallets ?? 0 },
        lastReads: caseStation?.lastReads ?? [],
        alarms: active,
        light: signals.light,
        lineStopped: signals.lineStopped,
        devices: [
          ...readers.map((r) => ({ name: r.name, kind: 'reader' as const, state: r.state })),
          ...printers.map((p) => ({ name: p.name, kind: 'printer' as const, state: p.state })),
          ...(plc === null ? [] : [{ name: 'plc', kind: 'plc' as const, state: alarms.has('plc-offline') ? 'offline' : 'online' }]),
        ],
      };
    },
    onChange(listener) {
      listeners.add(listener);
      return () => { listeners.delete(listener); };
    },
    startBatch(input) {
      if (batch !== null) throw new StationStateError(`本线已有未关闭的批次 ${batch.id}，请先关闭 (batch ${batch.id} is still open on this line)`);
      batch = startStoreBatch(db, { ...input, line: config.station.line });
      startStations(batch);
      changed();
      return batch;
    },
    pauseBatch(actor, batchId) {
      return serial(async () => {
        const b = requireBatch(batchId);
        // The cases in hand are decided (and committed) while the batch still runs; only then is it paused.
        await pauseStations();
        try {
          batch = pauseStoreBatch(db, b.id, actor);
        } catch (error) {
          const now = getBatch(db, b.id);
          if (now?.state === 'running' && stationsOn === null) startStations(now);
          throw error;
        }
        changed();
        return batch;
      });
    },
    resumeBatch(actor) {
      const b = requireBatch();
      batch = resumeStoreBatch(db, b.id, actor);
      startStations(batch);
      changed();
      return batch;
    },
    closeBatch(input) {
      return serial(async () => {
        const b = requireBatch(input.batchId);
        if (b.state === 'running') await pauseStations();
        try {
          return closeStoreBatch(db, { batchId: b.id, actor: input.actor, epcis, ...(input.reason === undefined ? {} : { reason: input.reason }) });
        } finally {
          // Closed: nothing to run. Refused (unexplained codes, no signature) or failed: a running batch runs on.
          const now = getBatch(db, b.id);
          batch = now?.state === 'closed' ? null : now;
          if (batch?.state === 'running' && stationsOn === null) startStations(batch);
          changed();
        }
      });
    },
    adoptBatch(batchId) {
      return serial(() => adopt(batchId));
    },
    recount(batchId) {
      return serial(async () => {
        if (stationsOn !== batchId) return;
        // A case in hand is committed before its counter moves (the PLC is told in between): count only when none is.
        await caseStation?.idle();
        if (stationsOn !== batchId) return;
        const counts = batchCounts(db, batchId);
        caseStation?.recount({ good: counts.good, reject: counts.reject, noRead: counts.noRead });
        palletStation?.recount(counts.pallets);
        signals.setCounters({ good: counts.good, reject: counts.reject, noRead: counts.noRead });
        changed();
      });
    },
    async endPallet(input) {
      if (palletStation === null) throw new StationStateError('本站未配置组垛工位 (no pallet station configured)');
      return palletStation.endPallet(input);
    },
    parkPallet(actor) {
      if (palletStation === null) throw new StationStateError('本站未配置组垛工位 (no pallet station configured)');
      return palletStation.park(actor);
    },
    resumePallet(stackId, actor) {
      if (palletStation === null) throw new StationStateError('本站未配置组垛工位 (no pallet station configured)');
      return palletStation.resume(stackId, actor);
    },
    acknowledgeAlarm(id, actor) {
      return alarms.clear(id, actor);
    },
    reset(actor) {
      disk.refresh();
      if (!disk.ok()) return false;
      alarms.clearKind('disk-low', actor);
      alarms.clearKind('database-error', actor);
      caseStation?.reset();
      palletStation?.reset();
      if (batch?.state === 'running') startStations(batch);
      changed();
      return true;
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      if (plcTimer !== null) clearTimeout(plcTimer);
      await Promise.all([caseStation?.close(), palletStation?.close()]);
      if (sender !== null) { sender.abort.abort(); await sender.done; }
      await signals.close();
      await Promise.all([...readers.map((r) => r.close()), ...printers.map((p) => p.close())]);
      await plc?.close();
      await store.close();
      listeners.clear();
      log.info('工位已停止 (station stopped)', {});
    },
  };
  log.info('工位已启动 (station started)', { stationId: config.station.id, line: config.station.line, batchId: batch?.id ?? null, triggerSource });
  return running;
}

/** Where the station's local API listens; unset fields come from the config's `api` section, then the defaults. */
export interface StationApiOptions {
  /** Default `config.api.host`, else 127.0.0.1. */
  readonly host?: string;
  /** Default `config.api.port`, else 8720; 0 = any free port. */
  readonly port?: number;
  readonly allowLan?: boolean;
  /** PEM; default the files `config.api.tlsCert` / `tlsKey`. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Write the per-launch token here (one line, mode 0600; removed on close). */
  readonly tokenFile?: string;
  /** Default: the station's logger is not reachable from here, so a silent one. */
  readonly logger?: ApiLogger;
  /** The web UI's directory (default desktop/renderer); null = API only. */
  readonly rendererDir?: string | null;
  readonly idleTimeoutMs?: number;
}

export interface RunningStationApi extends RunningApi {
  readonly tokenFile: string | null;
}

export const DEFAULT_API_PORT = 8720;

/** Writes the token as one line, readable by this user only (an existing file is truncated and re-moded). */
function writeTokenFile(path: string, token: string): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, `${token}\n`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Serves the local API and UI (issue 6 §1) for a station running in this process: status, pushes and end-pallet
 * come from the station (edge/station/api-adapter.ts), batch commands are committed by the API and adopted by
 * the station, everything else reads the station's own store. Close it before stopping the station.
 */
export async function startStationApi(station: RunningStation, options: StationApiOptions = {}): Promise<RunningStationApi> {
  const config = station.config;
  const api = config.api;
  const tls = options.tls ?? (api?.tlsCert !== undefined && api.tlsKey !== undefined ? { cert: readFileSync(api.tlsCert), key: readFileSync(api.tlsKey) } : undefined);
  const logger = options.logger;
  // The API (HTTP server, sessions, OpenAPI, static UI) loads only when it is served: a station or demo run without
  // it (the crash harness, `--no-api`) starts that much faster.
  const [{ devicesFromConfig, startApi }, { stationApiAdapter }] = await Promise.all([import('./api/index.ts'), import('./station/api-adapter.ts')]);
  const running = await startApi({
    store: station.store,
    station: stationApiAdapter(station, {
      onError: (error, batchId) => { logger?.error('工位采用批次变更失败 (station failed to adopt a batch change)', { batchId, error: error instanceof Error ? error.message : String(error) }); },
    }),
    host: options.host ?? api?.host ?? '127.0.0.1',
    port: options.port ?? api?.port ?? DEFAULT_API_PORT,
    allowLan: options.allowLan ?? api?.allowLan ?? false,
    ...(tls === undefined ? {} : { tls }),
    ...(logger === undefined ? {} : { logger }),
    ...(options.rendererDir === undefined ? {} : { rendererDir: options.rendererDir }),
    ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
    epcis: parseEpcisContext(config.epcis ?? DEFAULT_EPCIS_CONFIG),
    devices: devicesFromConfig(config),
  });
  const tokenFile = options.tokenFile ?? null;
  if (tokenFile !== null) {
    try {
      writeTokenFile(tokenFile, running.token);
    } catch (error) {
      await running.close();
      throw error;
    }
  }
  return {
    ...running,
    tokenFile,
    async close() {
      if (tokenFile !== null) rmSync(tokenFile, { force: true });
      await running.close();
    },
  };
}
