import type { EpcisContext } from '../../sync/index.ts';
import type { ReadResult, Reader } from '../../scanners/index.ts';
import { caseStationMachine, type CaseStationEvent, type CaseStationState } from '../aggregation/case-station-machine.ts';
import { checkCase, type CaseRead, type CaseRules, type CodeLookup, type Finding } from '../aggregation/check-case.ts';
import { REJECT_REASON_NUMBER, REJECT_REASON_ZH, type RejectReason } from '../aggregation/reject-reason.ts';
import type { PlcPort } from '../plc/plc-port.ts';
import { commitCase } from '../store/case-commit.ts';
import { StoreError } from '../store/errors.ts';
import type { Db } from '../store/open.ts';
import { recordReject, setRejectConfirm } from '../store/rejects.ts';
import type { AlarmBoard } from './alarm-board.ts';
import type { DiskGuard } from './disk-guard.ts';
import type { Logger } from './logger.ts';
import { maskedCode } from './masked-code.ts';
import { StationBugError } from './station-errors.ts';

/** Where case triggers come from: the PLC's photo-eye counter, or the camera's own (external) trigger. */
export type CaseTriggerSource = 'plc' | 'camera';

/** One case as the operator sees it in "last reads" (inner codes masked). */
export interface CaseOutcomeView {
  readonly seq: number;
  /** ISO 8601 of the decision. */
  readonly at: string;
  readonly outcome: 'accepted' | 'rejected';
  readonly caseCode: string | null;
  readonly childCount: number;
  /** Codes read through the case top, masked where secret (first 48). */
  readonly codes: readonly string[];
  readonly reasons: readonly RejectReason[];
  /** Chinese labels of the reasons (缺码, 重码 …). */
  readonly reasonLabels: readonly string[];
  readonly rejectId: number | null;
  readonly confirm: 'confirmed' | 'not-confirmed' | 'pending' | null;
  /** Trigger → decision committed and PLC command issued, ms. */
  readonly decisionMs: number;
}

export interface CaseCounters {
  readonly good: number;
  readonly reject: number;
  readonly noRead: number;
}

export interface CaseStationBatch {
  readonly id: number;
  readonly rules: CaseRules;
}

export interface CaseStationOptions {
  readonly db: Db;
  readonly lookup: CodeLookup;
  readonly camera: Reader;
  readonly caseReader: Reader;
  readonly plc: PlcPort | null;
  readonly triggerSource: CaseTriggerSource;
  readonly alarms: AlarmBoard;
  readonly disk: DiskGuard;
  readonly log: Logger;
  readonly epcis: EpcisContext;
  readonly readTimeoutMs: number;
  readonly consecutiveRejects: number;
  readonly now?: () => number;
  /** Called after every state, counter or last-read change. */
  readonly onChange?: () => void;
}

const LAST_READS = 20;
/** A queue this deep means the station cannot keep up or triggers are spurious; further triggers are refused loudly. */
const MAX_QUEUE = 1_000;

/**
 * The case station runtime (DESIGN §6, issue 4 §2). Each trigger becomes one case, handled strictly one after
 * another in trigger order (the PLC's accept/reject commands must reach the kicker in conveyor order):
 * read the camera and the case reader together → checkCase → commit in ONE transaction (commitCase) or record
 * the reject (recordReject) → only then tell the PLC (accept, or the reject pulse and its confirm).
 * State lives in `caseStationMachine`; every step goes through its table.
 */
export class CaseStation {
  readonly #o: CaseStationOptions;
  readonly #now: () => number;
  #state: CaseStationState = 'stopped';
  #batch: CaseStationBatch | null = null;
  #counters: CaseCounters = { good: 0, reject: 0, noRead: 0 };
  #consecutive = 0;
  #seq = 0;
  #last: CaseOutcomeView[] = [];
  readonly #queue: (ReadResult | null)[] = [];
  #pump: Promise<void> = Promise.resolve();
  #draining = false;
  #closed = false;
  readonly #disposers: (() => void)[] = [];

  constructor(options: CaseStationOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    if (options.triggerSource === 'plc' && options.plc !== null) {
      this.#disposers.push(options.plc.onTrigger((e) => { this.trigger(e.advancedBy); }));
    }
    if (options.triggerSource === 'camera') {
      const sub = options.camera.onRead((r) => { if (r.trigger.source === 'external') this.#enqueue(r); });
      this.#disposers.push(() => { sub.dispose(); });
    }
  }

  get state(): CaseStationState {
    return this.#state;
  }

  get counters(): CaseCounters {
    return this.#counters;
  }

  get lastReads(): readonly CaseOutcomeView[] {
    return this.#last;
  }

  get batchId(): number | null {
    return this.#batch?.id ?? null;
  }

  /** Cases triggered and not yet decided. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Binds a running batch (counters come from the database: it is the truth after a restart). */
  start(batch: CaseStationBatch, counters: CaseCounters): void {
    this.#batch = batch;
    this.#counters = counters;
    this.#consecutive = 0;
    this.#step('start');
  }

  /** Waits for every triggered case to be decided, then stops taking triggers. */
  async pause(): Promise<void> {
    await this.idle();
    if (this.#state === 'halted') return;
    this.#step('pause');
  }

  /** Resolves when no case is in hand. */
  async idle(): Promise<void> {
    while (this.#draining) await this.#pump;
  }

  /** Leaves `halted` after the operator cleared the cause; the runtime calls start() again if the batch runs. */
  reset(): void {
    if (this.#state === 'halted') this.#step('reset');
  }

  /** A software trigger of n cases (the PLC trigger counter advanced by n). */
  trigger(n = 1): void {
    for (let i = 0; i < n; i += 1) this.#enqueue(null);
  }

  #enqueue(prefetched: ReadResult | null): void {
    if (this.#closed) return;
    if (this.#state === 'stopped' || this.#state === 'halted') {
      this.#o.log.warn('工位未运行，忽略触发 (station not running; trigger ignored)', { state: this.#state });
      return;
    }
    if (this.#queue.length >= MAX_QUEUE) {
      this.#o.log.error('触发积压过多，忽略触发 (trigger backlog full; trigger ignored)', { pending: this.#queue.length });
      return;
    }
    this.#queue.push(prefetched);
    if (this.#draining) return;
    this.#draining = true;
    // #drain may finish synchronously: `draining`, not the promise, says whether one runs.
    this.#pump = this.#drain();
  }

  async #drain(): Promise<void> {
    // `finally` runs in the same synchronous step as the last queue check (no await between them), so a trigger
    // enqueued after it starts a new drain instead of waiting in the queue for the next trigger.
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const prefetched = this.#queue.shift() ?? null;
        if (this.#state !== 'idle') {
          // Halted (or stopped) mid-queue: the line is stopped; these cases are rescanned after the reset.
          this.#o.log.warn('工位已停止，未处理的触发被丢弃 (station stopped; pending triggers dropped)', { dropped: this.#queue.length + 1, state: this.#state });
          this.#queue.length = 0;
          break;
        }
        await this.#handle(prefetched);
      }
    } finally {
      this.#draining = false;
    }
  }

  #step(event: CaseStationEvent): void {
    const t = caseStationMachine.next(this.#state, event);
    if (!t.ok) throw new StationBugError(t.reason);
    this.#state = t.to;
    this.#o.onChange?.();
  }

  async #readOne(reader: Reader): Promise<ReadResult | null> {
    try {
      return await reader.trigger({ timeoutMs: this.#o.readTimeoutMs });
    } catch (error) {
      // Offline / not ready: the case cannot be read; it is rejected as a no-read (the ReaderLink alarms).
      this.#o.log.warn('读码失败 (read failed)', { error: error instanceof Error ? error.message : String(error) });
      return null;
    }
  }

  async #collect(prefetched: ReadResult | null): Promise<CaseRead> {
    const [image, label] = await Promise.all([
      prefetched === null ? this.#readOne(this.#o.camera) : Promise.resolve(prefetched),
      this.#readOne(this.#o.caseReader),
    ]);
    const childCodes = image?.kind === 'read' ? image.codes.map((c) => c.text) : [];
    const caseCodes = label?.kind === 'read' ? [...new Set(label.codes.map((c) => c.text))] : [];
    // Two different case codes in one read is ambiguous (a neighbour's label in view): treated as not read.
    return { childCodes, caseCode: caseCodes.length === 1 ? (caseCodes[0] ?? null) : null, noRead: image?.kind !== 'read' };
  }

  async #handle(prefetched: ReadResult | null): Promise<void> {
    const batch = this.#batch;
    if (batch === null) throw new StationBugError('case station is idle without a batch');
    const started = this.#now();
    this.#step('trigger');
    const read = await this.#collect(prefetched);
    this.#step('read');
    if (!this.#o.disk.ok()) {
      this.#halt('disk-low', `剩余 ${Math.round(this.#o.disk.freeBytes() / 1048576)} MiB，低于 ${Math.round(this.#o.disk.minFreeBytes / 1048576)} MiB (free space below the limit)`);
      return;
    }
    const at = this.#now();
    let decision = checkCase(read, batch.rules, this.#o.lookup);
    if (decision.kind === 'accept') {
      try {
        commitCase(this.#o.db, { batchId: batch.id, caseCode: decision.caseCode, children: decision.children, at, actor: 'station', epcis: this.#o.epcis });
      } catch (error) {
        const conflict = refusedCommit(error);
        if (conflict === null) { this.#databaseError(error); return; }
        // The guarded UPDATEs saw something checkCase did not (a code used meanwhile): nothing was committed.
        decision = { kind: 'reject', findings: [conflict] };
      }
    }
    if (decision.kind === 'accept') {
      this.#step('accept');
      try {
        await this.#o.plc?.accept();
      } catch (error) {
        // Committed already; a PLC that missed the accept may kick a good case: the alarm says to check.
        this.#o.log.error('PLC 放行命令失败 (PLC accept failed)', { batchId: batch.id, caseCode: decision.caseCode, error: errorText(error) });
        this.#o.alarms.raise('plc-offline', 'plc');
      }
      this.#counters = { ...this.#counters, good: this.#counters.good + 1 };
      this.#consecutive = 0;
      this.#o.alarms.clear('consecutive-rejects:case');
      this.#remember({ outcome: 'accepted', read, at, started, reasons: [], rejectId: null, confirm: null });
      this.#o.log.debug('装箱合格已提交 (case committed)', { batchId: batch.id, caseCode: decision.caseCode, children: decision.children.length, ms: this.#now() - started });
      this.#step('done');
      return;
    }
    await this.#reject(batch, read, decision.findings, at, started);
  }

  async #reject(batch: CaseStationBatch, read: CaseRead, findings: readonly Finding[], at: number, started: number): Promise<void> {
    let rejectId: number;
    let reason: RejectReason;
    try {
      const recorded = recordReject(this.#o.db, { batchId: batch.id, station: 'case', findings, read, at });
      rejectId = recorded.id;
      reason = recorded.reason;
    } catch (error) {
      this.#databaseError(error);
      return;
    }
    this.#step('reject');
    const reasons = [...new Set(findings.map((f) => f.reason))];
    this.#counters = {
      good: this.#counters.good, reject: this.#counters.reject + 1, noRead: this.#counters.noRead + (reason === 'no-read' ? 1 : 0),
    };
    this.#consecutive += 1;
    const caseShown = read.caseCode === null ? null : maskedCode(read.caseCode, this.#o.lookup);
    this.#o.log.warn('剔除 (case rejected)', { batchId: batch.id, rejectId, reasons, caseCode: caseShown, children: read.childCodes.length });
    let confirm: CaseOutcomeView['confirm'] = 'pending';
    const plc = this.#o.plc;
    if (plc !== null) {
      let confirmed = false;
      try {
        const outcome = await plc.pulseReject(REJECT_REASON_NUMBER[reason]);
        confirmed = outcome.kind === 'confirmed';
      } catch (error) {
        this.#o.log.error('PLC 剔除命令失败 (PLC reject pulse failed)', { rejectId, error: errorText(error) });
        this.#o.alarms.raise('plc-offline', 'plc');
      }
      confirm = confirmed ? 'confirmed' : 'not-confirmed';
      try {
        setRejectConfirm(this.#o.db, rejectId, confirm);
      } catch (error) {
        this.#databaseError(error);
        return;
      }
      if (!confirmed) {
        this.#o.log.error('剔除未确认 (reject not confirmed)', { batchId: batch.id, rejectId, caseCode: caseShown });
        this.#o.alarms.raise('reject-not-confirmed', `reject-${rejectId}`, `剔除记录 #${rejectId}${caseShown === null ? '' : `，箱码 ${caseShown}`} (reject #${rejectId})`);
      }
    }
    if (this.#consecutive >= this.#o.consecutiveRejects) {
      this.#o.alarms.raise('consecutive-rejects', 'case', `连续 ${this.#consecutive} 箱剔除，最近原因 ${reasons.map((r) => REJECT_REASON_ZH[r]).join('、')} (${this.#consecutive} rejects in a row)`);
    }
    this.#remember({ outcome: 'rejected', read, at, started, reasons, rejectId, confirm });
    this.#step('done');
  }

  #remember(v: { outcome: 'accepted' | 'rejected'; read: CaseRead; at: number; started: number; reasons: RejectReason[]; rejectId: number | null; confirm: CaseOutcomeView['confirm'] }): void {
    const lookup = this.#o.lookup;
    this.#seq += 1;
    this.#last.unshift({
      seq: this.#seq, at: new Date(v.at).toISOString(), outcome: v.outcome,
      caseCode: v.read.caseCode === null ? null : maskedCode(v.read.caseCode, lookup),
      childCount: v.read.childCodes.length,
      codes: v.read.childCodes.slice(0, 48).map((c) => maskedCode(c, lookup)),
      reasons: v.reasons, reasonLabels: v.reasons.map((r) => REJECT_REASON_ZH[r]),
      rejectId: v.rejectId, confirm: v.confirm, decisionMs: this.#now() - v.started,
    });
    if (this.#last.length > LAST_READS) this.#last.length = LAST_READS;
  }

  #databaseError(error: unknown): void {
    this.#o.log.error('数据库错误，工位停止 (database error; station halted)', { error: errorText(error), code: (error as { code?: unknown }).code });
    this.#halt('database-error', errorText(error));
  }

  #halt(kind: 'disk-low' | 'database-error', detail: string): void {
    this.#o.log.error('工位安全停止 (station halted)', { kind, detail });
    this.#step('fault');
    // The stop-level alarm sets red + buzzer and the PLC line stop (LineSignals).
    this.#o.alarms.raise(kind, 'case', detail);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const d of this.#disposers) d();
    this.#queue.length = 0;
    await this.idle();
  }
}

/** A commit refused by its guards (nothing written) becomes a reject finding; anything else is a database error. */
function refusedCommit(error: unknown): Finding | null {
  if (!(error instanceof StoreError)) return null;
  // Messages of CONFLICT name codes through displayCode: safe to keep.
  if (error.code === 'CONFLICT') return { reason: 'duplicate', detail: error.message };
  if (error.code === 'INVALID_STATE') return { reason: 'unusable', detail: `批次未在运行 (batch not running): ${error.message}` };
  return null;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
