import type { Printer } from '../../printers/index.ts';
import type { Reader } from '../../scanners/index.ts';
import type { EpcisContext } from '../../sync/index.ts';
import type { StationConfig } from '../config/station-config.ts';
import type { PlcPort } from '../plc/plc-port.ts';
import { appendAudit } from '../store/audit.ts';
import { caseRulesOf, closeBatch as closeStoreBatch, getBatch, pauseBatch as pauseStoreBatch, resumeBatch as resumeStoreBatch, startBatch as startStoreBatch, type Batch, type CloseOutcome, type StartBatchInput } from '../store/batches.ts';
import { WriteGroup } from '../store/write-group.ts';
import { codeLookup } from '../store/code-lookup.ts';
import type { Db, Store } from '../store/open.ts';
import type { PalletStack } from '../store/pallet-commit.ts';
import { getProduct } from '../store/products.ts';
import { batchCounts, lineBatch } from '../store/station-queries.ts';
import { AlarmBoard } from './alarm-board.ts';
import { CaseStation, type CaseTriggerSource } from './case-station.ts';
import { DiskGuard, type FreeSpace } from './disk-guard.ts';
import { LineSignals } from './line-signals.ts';
import type { Logger } from './logger.ts';
import { PalletStation, type PalletOutcome } from './pallet-station.ts';
import { PrinterLink } from './printer-link.ts';
import { ReaderLink } from './reader-link.ts';
import { recoverStation, type StationRecovery } from './recover-station.ts';
import { RetryBackoff } from './retry-backoff.ts';
import { StationStateError } from './station-errors.ts';
import type { StationStatus } from './station-status.ts';

/** The drivers the composition root (edge/main.ts) built from the config; the runtime opens, links and closes them. */
export interface LineDevices {
  readonly camera: Reader | null;
  /** Pre-printed case codes are read by this reader (caseCode.mode `read`). */
  readonly caseReader: Reader | null;
  /** Case codes are allocated, printed and read back (caseCode.mode `print`). */
  readonly casePrint: { readonly printer: Printer; readonly verifier: Reader } | null;
  readonly pallet: { readonly reader: Reader; readonly verifier: Reader; readonly printer: Printer } | null;
  readonly plc: PlcPort | null;
}

export interface LineRuntimeOptions {
  readonly config: StationConfig;
  readonly store: Store;
  readonly devices: LineDevices;
  readonly epcis: EpcisContext;
  readonly log: Logger;
  readonly now: () => number;
  readonly triggerSource: CaseTriggerSource;
  readonly readTimeoutMs: number;
  readonly caseVerifyTimeoutMs: number;
  readonly palletVerifyTimeoutMs: number;
  readonly freeSpace?: FreeSpace;
  /**
   * Work that runs beside the line on its store (the sync sender): started once the runtime has recovered, stopped
   * after the stations and before the store.
   */
  readonly background?: () => { stop(): Promise<void> };
}

/**
 * The line's runtime: owns the batch lifecycle (adopt, start, pause, resume, close, recount), the device links with
 * their back-off, the PLC connection, the alarms and the status snapshot. Every batch command is decided here once
 * and returns the new state; the local API calls these commands directly (it is the API's station port) and only
 * announces what it committed in the store itself (`adoptBatch`, `recount`).
 */
export class LineRuntime {
  readonly config: StationConfig;
  /** The station's store (for `verifyStore`, reports and the local API's read-only queries). */
  readonly store: Store;
  #recovery: StationRecovery | null = null;
  readonly #o: LineRuntimeOptions;
  readonly #db: Db;
  readonly #log: Logger;
  readonly #listeners = new Set<() => void>();
  readonly #alarms: AlarmBoard;
  readonly #disk: DiskGuard;
  readonly #plc: PlcPort | null;
  readonly #signals: LineSignals;
  readonly #readers: ReaderLink[] = [];
  readonly #printers: PrinterLink[] = [];
  readonly #caseStation: CaseStation | null;
  readonly #palletStation: PalletStation | null;
  readonly #plcBackoff = new RetryBackoff();
  #batch: Batch | null = null;
  /** The batch the case and pallet stations are started on (null: stopped or paused). */
  #stationsOn: number | null = null;
  #stopping = false;
  #background: { stop(): Promise<void> } | null = null;
  /** One batch command at a time (adoptions, pause, close), in the order they were asked for. */
  #serial: Promise<unknown> = Promise.resolve();

  /** Builds the runtime, connects the devices (an offline one alarms and is retried), recovers and re-drives the PLC. */
  static async start(options: LineRuntimeOptions): Promise<LineRuntime> {
    const runtime = new LineRuntime(options);
    await runtime.#start();
    return runtime;
  }

  private constructor(options: LineRuntimeOptions) {
    this.#o = options;
    this.config = options.config;
    this.store = options.store;
    this.#db = options.store.db;
    this.#log = options.log;
    const { config, devices, log, now, epcis } = options;
    const db = this.#db;
    const lookup = codeLookup(db);
    this.#alarms = new AlarmBoard((action, alarm, actor) => {
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
    this.#alarms.onChange(() => { this.#changed(); });
    this.#disk = new DiskGuard({ databasePath: options.store.path, minFreeMiB: config.alarms?.diskMinFreeMiB ?? 512, ...(options.freeSpace ? { freeSpace: options.freeSpace } : {}), now });
    this.#plc = devices.plc;
    this.#signals = new LineSignals(this.#plc, this.#alarms, log);

    const camera = devices.camera === null ? null : this.#reader('camera', devices.camera);
    const caseReader = devices.caseReader === null ? null : this.#reader('case-reader', devices.caseReader);
    const casePrint = devices.casePrint === null ? null : {
      printer: this.#printer('case-printer', devices.casePrint.printer).printer,
      verifier: this.#reader('case-verifier', devices.casePrint.verifier).reader,
      attempts: config.case?.printAttempts ?? 3,
      verifyTimeoutMs: options.caseVerifyTimeoutMs,
    };
    const pallet = devices.pallet === null ? null : {
      reader: this.#reader('pallet-reader', devices.pallet.reader).reader,
      verifier: this.#reader('pallet-verifier', devices.pallet.verifier).reader,
      printer: this.#printer('pallet-printer', devices.pallet.printer).printer,
    };
    // One group commit for the line: the pallet station's stacking rides on the case station's decisions.
    const writes = new WriteGroup(db, { idle: () => this.#caseStation?.busy !== true });
    this.#caseStation = camera !== null && (caseReader !== null || casePrint !== null) ? new CaseStation({
      db, writes, lookup, camera: camera.reader, caseReader: caseReader?.reader ?? null, casePrint, plc: this.#plc, triggerSource: options.triggerSource,
      alarms: this.#alarms, disk: this.#disk, log, epcis, readTimeoutMs: options.readTimeoutMs, consecutiveRejects: config.alarms?.consecutiveRejects ?? 3, now,
      onChange: () => { this.#signals.setCounters(this.#caseStation?.counters ?? { good: 0, reject: 0, noRead: 0 }); this.#changed(); },
    }) : null;
    this.#palletStation = pallet === null ? null : new PalletStation({
      db, writes, lookup, reader: pallet.reader, printer: pallet.printer, verifier: pallet.verifier, alarms: this.#alarms, disk: this.#disk, log, epcis,
      verifyTimeoutMs: options.palletVerifyTimeoutMs, now, onChange: () => { this.#changed(); }, labelAttempts: config.pallet?.labelAttempts ?? 3,
    });
  }

  #reader(name: string, reader: Reader): ReaderLink {
    const link = new ReaderLink(name, reader, this.#alarms, this.#log);
    this.#readers.push(link);
    return link;
  }

  #printer(name: string, printer: Printer): PrinterLink {
    const link = new PrinterLink(name, printer, this.#alarms, this.#log);
    this.#printers.push(link);
    return link;
  }

  async #start(): Promise<void> {
    const { config, epcis, now } = this.#o;
    await Promise.all([...this.#readers.map((r) => r.open()), ...this.#printers.map((p) => p.open()), this.#connectPlc()]);
    // Recovery and the batch of this line: the database is the truth.
    this.#batch = lineBatch(this.#db, config.station.line);
    const batch = this.#batch;
    if (batch !== null) {
      const recovery = recoverStation(this.#db, batch.id, { epcis, hasPlc: this.#plc !== null, now: now() });
      this.#recovery = recovery;
      for (const id of recovery.unconfirmedRejects) {
        this.#alarms.raise('reject-not-confirmed', `reject-${id}`, `重启前的剔除记录 #${id} 未确认 (reject #${id} unanswered before the restart)`);
      }
      if (recovery.voidedPalletCodes > 0) this.#log.warn('重启恢复：作废打印结果未知的垛码 (restart: pallet codes of unknown print fate voided)', { batchId: batch.id, voided: recovery.voidedPalletCodes });
      if (recovery.voidedCaseCodes > 0) this.#log.warn('重启恢复：作废打印结果未知的箱码 (restart: case codes of unknown print fate voided)', { batchId: batch.id, voided: recovery.voidedCaseCodes });
    }
    if (batch?.state === 'running') this.#startStations(batch);
    else if (batch !== null) this.#signals.setCounters(batchCounts(this.#db, batch.id));
    await this.#signals.redrive();
    this.#background = this.#o.background?.() ?? null;
    this.#log.info('工位已启动 (station started)', { stationId: config.station.id, line: config.station.line, batchId: this.#batch?.id ?? null, triggerSource: this.#o.triggerSource });
  }

  /** PLC: connect in the background with back-off; the station runs (and alarms) while it is away. */
  async #connectPlc(): Promise<void> {
    const plc = this.#plc;
    if (plc === null || this.#stopping) return;
    try {
      await plc.connect();
      this.#plcBackoff.reset();
      this.#alarms.clear('plc-offline:plc');
      this.#log.info('PLC 已连接 (PLC connected)', {});
      await this.#signals.redrive();
    } catch (error) {
      if (this.#stopping) return;
      this.#log.warn('PLC 连接失败 (PLC connect failed)', { error: error instanceof Error ? error.message : String(error) });
      this.#alarms.raise('plc-offline', 'plc');
      this.#plcBackoff.schedule(() => { void this.#connectPlc(); });
    }
  }

  #changed(): void {
    for (const l of this.#listeners) l();
  }

  #startStations(b: Batch): void {
    const product = getProduct(this.#db, b.productId);
    if (product === null) throw new StationStateError(`批次 ${b.id} 的产品 ${b.productId} 不存在 (product of the batch not found)`);
    const counts = batchCounts(this.#db, b.id);
    this.#caseStation?.start({ id: b.id, rules: caseRulesOf(this.#db, b.id) }, { good: counts.good, reject: counts.reject, noRead: counts.noRead });
    this.#palletStation?.start({ id: b.id, casesPerPallet: product.casesPerPallet }, counts.pallets);
    this.#signals.setCounters({ good: counts.good, reject: counts.reject, noRead: counts.noRead });
    this.#signals.setRunning(true);
    this.#stationsOn = b.id;
    this.#log.info('批次运行中，工位开始工作 (batch running; stations started)', { batchId: b.id, lot: b.lot });
  }

  async #pauseStations(): Promise<void> {
    this.#stationsOn = null;
    await Promise.all([this.#caseStation?.pause(), this.#palletStation?.pause()]);
    this.#signals.setRunning(false);
  }

  /** A pause that waits for the cases in hand is not overtaken by an adoption, nor the other way round. */
  #inTurn<T>(command: () => Promise<T>): Promise<T> {
    const result = this.#serial.then(command);
    this.#serial = result.catch(() => undefined);
    return result;
  }

  #requireBatch(batchId?: number): Batch {
    const batch = this.#batch;
    if (batch === null) throw new StationStateError('本线没有未关闭的批次 (no open batch on this line)');
    if (batchId !== undefined && batch.id !== batchId) {
      throw new StationStateError(`批次 ${batchId} 不是本工位当前的批次 ${batch.id} (batch ${batchId} is not the batch this station holds)`);
    }
    return batch;
  }

  #requirePallet(): PalletStation {
    if (this.#palletStation === null) throw new StationStateError('本站未配置组垛工位 (no pallet station configured)');
    return this.#palletStation;
  }

  /** What the start-up recovery found and did for the batch it found open (null: none was open). */
  get recovery(): StationRecovery | null {
    return this.#recovery;
  }

  /** The batch this runtime holds (running or paused), or null. */
  get batchId(): number | null {
    return this.#batch?.id ?? null;
  }

  status(): StationStatus {
    const b = this.#batch;
    const product = b === null ? null : getProduct(this.#db, b.productId);
    const caseStation = this.#caseStation;
    const counters = caseStation?.counters ?? { good: 0, reject: 0, noRead: 0 };
    const pallet = this.#palletStation === null ? null : { ...this.#palletStation.progress(), state: this.#palletStation.state };
    const config = this.config;
    return {
      station: { id: config.station.id, name: config.station.name ?? null, line: config.station.line },
      running: b?.state === 'running',
      batch: b === null || product === null ? null : {
        id: b.id, productId: b.productId, lot: b.lot, productionDate: b.productionDate, state: b.state,
        unitsPerCase: product.unitsPerCase, casesPerPallet: product.casesPerPallet,
      },
      caseStation: caseStation === null ? null : {
        state: caseStation.state, pending: caseStation.pending, triggerSource: this.#o.triggerSource,
        caseCodeMode: caseStation.caseCodeMode, unseen: caseStation.unseen, unseenCounts: caseStation.unseenCounts, labelsVerified: caseStation.labelsVerified,
      },
      palletStation: pallet,
      counters: { ...counters, cases: counters.good, pallets: pallet?.pallets ?? 0 },
      lastReads: caseStation?.lastReads ?? [],
      alarms: this.#alarms.active(),
      light: this.#signals.light,
      lineStopped: this.#signals.lineStopped,
      devices: [
        ...this.#readers.map((r) => ({ name: r.name, kind: 'reader' as const, state: r.state })),
        ...this.#printers.map((p) => ({ name: p.name, kind: 'printer' as const, state: p.state })),
        ...(this.#plc === null ? [] : [{ name: 'plc', kind: 'plc' as const, state: this.#alarms.has('plc-offline') ? 'offline' : 'online' }]),
      ],
    };
  }

  /**
   * Called after every change (a case decided, an alarm raised, a batch command …), synchronously and often (up
   * to ~100 times a second on a fast line): listeners should take `status()` lazily or throttle. Returns the
   * unsubscribe function.
   */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => { this.#listeners.delete(listener); };
  }

  /**
   * Starts a batch on this line and the stations on it. The store refuses it (CONFLICT, naming the open batch)
   * while another batch of this line is open: the store is the truth, not this runtime's memory.
   */
  startBatch(input: Omit<StartBatchInput, 'line'>): Batch {
    const batch = startStoreBatch(this.#db, { ...input, line: this.config.station.line });
    this.#batch = batch;
    this.#startStations(batch);
    this.#changed();
    return batch;
  }

  /**
   * Waits for the cases in hand, then pauses the batch (its open pallet stays open in the database). With
   * `batchId`, refused unless that is the batch this station holds. Serialised with adoptions and `closeBatch`.
   */
  pauseBatch(actor: string, batchId?: number): Promise<Batch> {
    return this.#inTurn(async () => {
      const b = this.#requireBatch(batchId);
      // The cases in hand are decided (and committed) while the batch still runs; only then is it paused.
      await this.#pauseStations();
      try {
        this.#batch = pauseStoreBatch(this.#db, b.id, actor);
      } catch (error) {
        const stored = getBatch(this.#db, b.id);
        if (stored?.state === 'running' && this.#stationsOn === null) this.#startStations(stored);
        throw error;
      }
      this.#changed();
      return this.#batch;
    });
  }

  /** Resumes the paused batch this station holds (`batchId`: refused for another) and starts the stations on it. */
  resumeBatch(actor: string, batchId?: number): Batch {
    const b = this.#requireBatch(batchId);
    const batch = resumeStoreBatch(this.#db, b.id, actor);
    this.#batch = batch;
    this.#startStations(batch);
    this.#changed();
    return batch;
  }

  /**
   * Waits for the cases in hand (if running) and closes the batch with its reconciliation; refused unless signed
   * when unexplained (the stations then run on). `batchId` and serialisation as for `pauseBatch`.
   */
  closeBatch(input: { readonly actor: string; readonly reason?: string; readonly batchId?: number }): Promise<CloseOutcome> {
    return this.#inTurn(async () => {
      const b = this.#requireBatch(input.batchId);
      if (b.state === 'running') await this.#pauseStations();
      try {
        return closeStoreBatch(this.#db, { batchId: b.id, actor: input.actor, epcis: this.#o.epcis, ...(input.reason === undefined ? {} : { reason: input.reason }) });
      } finally {
        // Closed: nothing to run. Refused (unexplained codes, no signature) or failed: a running batch runs on.
        const stored = getBatch(this.#db, b.id);
        this.#batch = stored?.state === 'closed' ? null : stored;
        if (this.#batch?.state === 'running' && this.#stationsOn === null) this.#startStations(this.#batch);
        this.#changed();
      }
    });
  }

  /**
   * A batch transition was committed in the store beside the runtime (the CLI, another process, the API for a batch
   * this runtime did not hold): re-read this line's open batches and follow the store — start the stations on the
   * running batch, pause them for a paused one, stop them when none is open. A batch of another line is not adopted.
   * Cases still in hand when the store was paused first are refused by the store's guard, never committed into a
   * paused batch. Serialised; resolves with the batch the station now holds.
   */
  adoptBatch(batchId: number): Promise<Batch | null> {
    return this.#inTurn(async () => {
      if (this.#stopping) return this.#batch;
      const announced = getBatch(this.#db, batchId);
      if (announced !== null && announced.line !== this.config.station.line) {
        this.#log.info('批次不属于本线，工位不采用 (batch of another line; not adopted)', { batchId, line: announced.line });
        return this.#batch;
      }
      const next = lineBatch(this.#db, this.config.station.line);
      if (next?.state === 'running') {
        if (this.#stationsOn !== next.id) {
          if (this.#stationsOn !== null) await this.#pauseStations();
          this.#batch = next;
          this.#startStations(next);
        } else {
          this.#batch = next;
        }
      } else {
        if (this.#stationsOn !== null) await this.#pauseStations();
        this.#batch = next;
        this.#signals.setCounters(next === null ? { good: 0, reject: 0, noRead: 0 } : batchCounts(this.#db, next.id));
      }
      this.#log.info('工位已采用批次变更 (station adopted a batch change)', { batchId, adopted: this.#batch?.id ?? null, state: this.#batch?.state ?? null });
      this.#changed();
      return this.#batch;
    });
  }

  /**
   * Cases or pallets of `batchId` were committed in the store beside the stations (manual capture, rework through
   * the local API): once no case is in hand, the counters are read again from the database, so the operator's
   * counts include them. Nothing happens for a batch the stations do not run. Serialised like `adoptBatch`.
   */
  recount(batchId: number): Promise<void> {
    return this.#inTurn(async () => {
      if (this.#stationsOn !== batchId) return;
      // A case in hand is committed before its counter moves (the PLC is told in between): count only when none is.
      await this.#caseStation?.idle();
      if (this.#stationsOn !== batchId) return;
      const counts = batchCounts(this.#db, batchId);
      this.#caseStation?.recount({ good: counts.good, reject: counts.reject, noRead: counts.noRead });
      this.#palletStation?.recount(counts.pallets);
      this.#signals.setCounters({ good: counts.good, reject: counts.reject, noRead: counts.noRead });
      this.#changed();
    });
  }

  /** The operator's 结束本垛; a short pallet needs a reason. */
  async endPallet(input: { readonly actor: string; readonly reason?: string }): Promise<PalletOutcome> {
    return this.#requirePallet().endPallet(input);
  }

  parkPallet(actor: string): PalletStack {
    return this.#requirePallet().park(actor);
  }

  resumePallet(stackId: number, actor: string): PalletStack {
    return this.#requirePallet().resume(stackId, actor);
  }

  /** The operator acknowledges an alarm (those that need it: reject not confirmed, database error …). */
  acknowledgeAlarm(id: string, actor: string): boolean {
    return this.#alarms.clear(id, actor);
  }

  /** Leaves a safe stop once its cause is gone (free disk, database checked); false when still unsafe. */
  reset(actor: string): boolean {
    this.#disk.refresh();
    if (!this.#disk.ok()) return false;
    this.#alarms.clearKind('disk-low', actor);
    this.#alarms.clearKind('database-error', actor);
    this.#caseStation?.reset();
    this.#palletStation?.reset();
    if (this.#batch?.state === 'running') this.#startStations(this.#batch);
    this.#changed();
    return true;
  }

  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#plcBackoff.cancel();
    await Promise.all([this.#caseStation?.close(), this.#palletStation?.close()]);
    await this.#background?.stop();
    await this.#signals.close();
    await Promise.all([...this.#readers.map((r) => r.close()), ...this.#printers.map((p) => p.close())]);
    await this.#plc?.close();
    await this.store.close();
    this.#listeners.clear();
    this.#log.info('工位已停止 (station stopped)', {});
  }
}
