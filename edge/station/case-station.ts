import type { EpcisContext } from '../../sync/index.ts';
import type { Printer } from '../../printers/index.ts';
import type { ReadResult, Reader } from '../../scanners/index.ts';
import { caseStationMachine, type CaseStationEvent, type CaseStationState } from '../aggregation/case-station-machine.ts';
import { checkCase, type CaseRead, type CaseRules, type CodeLookup, type Finding } from '../aggregation/check-case.ts';
import { REJECT_REASON_NUMBER, REJECT_REASON_ZH, type RejectReason } from '../aggregation/reject-reason.ts';
import type { PlcEvent, PlcPort } from '../plc/plc-port.ts';
import { allocateCaseCode } from '../store/case-allocation.ts';
import { commitCase } from '../store/case-commit.ts';
import { StoreError } from '../store/errors.ts';
import { nudgeCheckpoint, type Db } from '../store/open.ts';
import { recordReject, setRejectConfirm } from '../store/rejects.ts';
import type { WriteGroup } from '../store/write-group.ts';
import type { AlarmBoard } from './alarm-board.ts';
import type { DiskGuard } from './disk-guard.ts';
import { printAndVerifyLabel, type LabelAllocation, type LabelWords } from './label-verify.ts';
import type { Logger } from './logger.ts';
import { maskedCode } from './masked-code.ts';
import { StationBugError } from './station-errors.ts';
import { triggerGap } from './trigger-gap.ts';
import { voidStationCode } from './void-station-code.ts';

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
  /**
   * An accepted case: how long checkCase and the durable commit (commitCase, fsync included) took, ms to 0.01 —
   * where the decision time goes (the station bench reports them). null for a reject.
   */
  readonly timing: { readonly checkMs: number; readonly commitMs: number } | null;
}

/**
 * Cases that passed the station without a decision since start-up, by cause (their sum is `unseen`). Triggers the
 * station queued and decided are never counted here, however many arrived in one poll.
 */
export interface UnseenCounts {
  /** Triggers counted by the PLC while its link was down (wrap-aware u16 difference at the resync). */
  readonly outage: number;
  /** PLC restarts seen (the counter went back); each adds its counter value to `unseen` as "at least". */
  readonly restarts: number;
  /** Triggers refused because the backlog was full. */
  readonly backlogFull: number;
  /** Triggers while the station was stopped, paused or halted, and triggers pending when it halted. */
  readonly notRunning: number;
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

/** Print mode (`caseCode.mode: 'print'`): the case code is allocated, printed and read back on every case. */
export interface CasePrintOptions {
  readonly printer: Printer;
  /** Reads the printed case label back (software trigger). */
  readonly verifier: Reader;
  /** Codes tried per case (each a new code; a failed one is voided) before the case is rejected. Default 3. */
  readonly attempts?: number;
  /** How long the verifier may take, ms. Default 2000. */
  readonly verifyTimeoutMs?: number;
}

export interface CaseStationOptions {
  readonly db: Db;
  /** The line's group commit: each decision's commit also carries the pallet station's deferred stacking. */
  readonly writes: WriteGroup;
  readonly lookup: CodeLookup;
  readonly camera: Reader;
  /** Read mode: reads the pre-printed case code. Exactly one of `caseReader` and `casePrint`. */
  readonly caseReader?: Reader | null;
  /** Print mode: allocate → print → read back. */
  readonly casePrint?: CasePrintOptions | null;
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
/** Failed labels in a row (across cases) that raise `case-label-failed`: one failure may be a smudge, two are a pattern. */
const LABEL_FAILURES_ALARM = 2;
/** A queue this deep means the station cannot keep up or triggers are spurious; further triggers are refused loudly. */
const MAX_QUEUE = 1_000;

/** The case code label's texts: alarms, void reasons (audit rows) and logs. */
const CASE_LABEL_WORDS: LabelWords = {
  printFailed: (why) => `打印未确认 ${why} (print not confirmed)`,
  printVoidReason: (why) => `箱码打印结果不确定或被拒 (case code print not confirmed): ${why}`,
  verifyVoidReason: (why) => `箱码复核失败 (case label not verified): ${why}`,
  mismatch: '读到的码与箱码不符 (label reads a different code)',
  verifierErrorLog: '箱码复核读码失败 (case verifier read failed)',
  printFailedLog: '箱码打印未确认，作废 (case code print not confirmed; voided)',
  verifyFailedLog: '箱码复核失败，作废 (case label not verified; voided)',
};

/**
 * The case station runtime (DESIGN §6, issue 4 §2). Each trigger becomes one case, handled strictly one after
 * another in trigger order (the PLC's accept/reject commands must reach the kicker in conveyor order):
 * read the camera and the case reader together → checkCase → commit in ONE transaction (commitCase) or record
 * the reject (recordReject) → only then tell the PLC (accept, or the reject pulse and its confirm).
 * In print mode the case code is allocated (committed), printed and read back while the camera reads; a code not
 * confirmed printed and read back is voided and a new one tried. A counter that advanced by n in one poll is n
 * cases, all queued and decided (at 100 cases/s a 20 ms poll often sees 2–3): no loss, no alarm. Only real loss
 * raises `cases-unseen`, counted by cause (`unseenCounts`): triggers during a PLC outage or across a PLC restart
 * (`trigger-resync`), a full backlog, triggers while stopped / paused / halted. State lives in
 * `caseStationMachine`; every step goes through its table.
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
  #unseen = 0;
  #unseenBy: UnseenCounts = { outage: 0, restarts: 0, backlogFull: 0, notRunning: 0 };
  #labelFailures = 0;
  #labels = 0;
  readonly #disposers: (() => void)[] = [];

  constructor(options: CaseStationOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    if ((options.caseReader ?? null) === null === ((options.casePrint ?? null) === null)) {
      throw new StationBugError('case station needs exactly one of caseReader (read mode) and casePrint (print mode)');
    }
    if (options.triggerSource === 'plc' && options.plc !== null) {
      // The driver reports every edge as a count; a jump or a resync means cases the station did not see in time.
      this.#disposers.push(options.plc.onEvent((e) => { this.#onPlcEvent(e); }));
    }
    if (options.triggerSource === 'camera') {
      const sub = options.camera.onRead((r) => { if (r.trigger.source === 'external') this.#enqueue([r]); });
      this.#disposers.push(() => { sub.dispose(); });
    }
  }

  /** A case is in hand or queued: its commit is coming (the group commit waits for it rather than going first). */
  get busy(): boolean {
    return this.#draining || this.#queue.length > 0;
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

  /** Cases that passed the station without a decision (PLC outage, triggers while stopped …) since start-up. */
  get unseen(): number {
    return this.#unseen;
  }

  /** `unseen` by cause. */
  get unseenCounts(): UnseenCounts {
    return this.#unseenBy;
  }

  /** `read` (pre-printed case codes) or `print` (allocated, printed, read back). */
  get caseCodeMode(): 'read' | 'print' {
    return (this.#o.casePrint ?? null) === null ? 'read' : 'print';
  }

  /** Case labels printed and read back since start-up (print mode). */
  get labelsVerified(): number {
    return this.#labels;
  }

  #onPlcEvent(e: PlcEvent): void {
    if (this.#closed) return;
    if (e.kind === 'trigger') {
      // n edges in one poll (a 20 ms poll at 100 cases/s often sees 2–3): n cases, each queued and decided in
      // order (the PLC expects one answer per case). Nothing was lost, so nothing is alarmed.
      this.trigger(e.trigger.advancedBy);
    } else if (e.kind === 'trigger-resync') {
      // After a reconnect the driver re-baselines the counter; the cases in the gap got no decision at all.
      const gap = triggerGap(e.previous, e.current);
      if (gap.kind === 'missed') {
        this.#missed('outage', gap.cases, `PLC 通讯中断期间触发计数 ${e.previous} → ${e.current}，${gap.cases} 箱未检测 (${gap.cases} triggers during the PLC outage)`);
      } else if (gap.kind === 'restart') {
        // The counter went back: the PLC restarted. How many cases passed is unknown (at least `current`).
        this.#missed('restarts', gap.atLeast, `PLC 重启，触发计数 ${e.previous} → ${e.current}，期间经过的箱数未知，至少 ${gap.atLeast} 箱 (PLC restarted; number of cases unknown, at least ${gap.atLeast})`);
      }
    }
  }

  /**
   * Cases that passed without a decision: never silent (issue 4 §6). Counted, logged and alarmed (stop level:
   * red light and line stop until the operator re-checked the cases and acknowledged).
   */
  #missed(cause: keyof UnseenCounts, n: number, why: string): void {
    this.#unseen += n;
    this.#unseenBy = { ...this.#unseenBy, [cause]: this.#unseenBy[cause] + (cause === 'restarts' ? 1 : n) };
    this.#o.log.error('有箱子未经检测通过 (cases passed unseen)', { batchId: this.#batch?.id ?? null, cause, cases: n, unseenTotal: this.#unseen, why });
    this.#o.alarms.raise('cases-unseen', 'case', `${why}；累计 ${this.#unseen} 箱 (${this.#unseen} in total)`);
    this.#o.onChange?.();
  }

  /** Binds a running batch (counters come from the database: it is the truth after a restart). */
  start(batch: CaseStationBatch, counters: CaseCounters): void {
    this.#batch = batch;
    this.#counters = counters;
    this.#consecutive = 0;
    this.#step('start');
  }

  /**
   * Counters read again from the database (cases committed beside the station: manual capture, rework). Call it
   * with no case in hand (after `idle()`), or a case committed but not yet counted would be counted twice.
   */
  recount(counters: CaseCounters): void {
    this.#counters = counters;
    this.#o.onChange?.();
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

  /** A software trigger of n cases (the PLC trigger counter advanced by n): every one is queued and decided. */
  trigger(n = 1): void {
    this.#enqueue(Array.from({ length: n }, () => null));
  }

  /** Queues one case per entry (a prefetched camera read, or null: the station triggers the camera). */
  #enqueue(cases: readonly (ReadResult | null)[]): void {
    if (this.#closed || cases.length === 0) return;
    if (this.#state === 'stopped' || this.#state === 'halted') {
      this.#o.log.warn('工位未运行，忽略触发 (station not running; trigger ignored)', { state: this.#state, cases: cases.length });
      this.#missed('notRunning', cases.length, `工位${this.#state === 'halted' ? '已安全停止' : '未运行'}时有 ${cases.length} 箱经过 (${cases.length} case(s) passed while the station was ${this.#state})`);
      return;
    }
    const room = Math.max(0, MAX_QUEUE - this.#queue.length);
    this.#queue.push(...cases.slice(0, room));
    const refused = cases.length - Math.min(room, cases.length);
    if (refused > 0) {
      this.#o.log.error('触发积压过多，忽略触发 (trigger backlog full; trigger ignored)', { pending: this.#queue.length, refused });
      this.#missed('backlogFull', refused, `触发积压超过 ${MAX_QUEUE}，${refused} 箱未检测 (trigger backlog full; ${refused} refused)`);
    }
    if (this.#draining || this.#queue.length === 0) return;
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
          const dropped = this.#queue.length + 1;
          this.#o.log.warn('工位已停止，未处理的触发被丢弃 (station stopped; pending triggers dropped)', { dropped, state: this.#state });
          this.#queue.length = 0;
          this.#missed('notRunning', dropped, `工位停止时 ${dropped} 个触发未处理 (${dropped} triggers pending when the station stopped)`);
          break;
        }
        await this.#handle(prefetched);
        // Committed and told the PLC, nothing queued: the gap before the next case is the checkpoint's moment.
        if (this.#queue.length === 0) nudgeCheckpoint(this.#o.db);
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

  /** null: the station halted (database error) while collecting; nothing more is done for this case. */
  async #collect(batch: CaseStationBatch, prefetched: ReadResult | null): Promise<CaseRead | null> {
    const print = this.#o.casePrint ?? null;
    const reader = this.#o.caseReader ?? null;
    const [image, caseCode] = await Promise.all([
      prefetched === null ? this.#readOne(this.#o.camera) : Promise.resolve(prefetched),
      print !== null ? this.#printCaseCode(batch, print) : this.#readCaseCode(reader),
    ]);
    if (caseCode === 'halted') return null;
    const childCodes = image?.kind === 'read' ? image.codes.map((c) => c.text) : [];
    return { childCodes, caseCode, noRead: image?.kind !== 'read' };
  }

  async #readCaseCode(reader: Reader | null): Promise<string | null> {
    if (reader === null) return null;
    const label = await this.#readOne(reader);
    const caseCodes = label?.kind === 'read' ? [...new Set(label.codes.map((c) => c.text))] : [];
    // Two different case codes in one read is ambiguous (a neighbour's label in view): treated as not read.
    return caseCodes.length === 1 ? (caseCodes[0] ?? null) : null;
  }

  /**
   * Print mode (issue 4 §2), through printAndVerifyLabel: allocate a case code (committed before printing), print
   * it (runPrintQueue: printed / rejected / unknown), read it back (exactly one code in view, the one printed). A code not both confirmed printed and read back is voided — it may exist on
   * a carton (DESIGN §4) — and a new code is tried, up to `attempts`. Returns the verified code, null when none
   * (the case is then rejected for its case code), or 'halted' when the database refused.
   */
  async #printCaseCode(batch: CaseStationBatch, print: CasePrintOptions): Promise<string | null | 'halted'> {
    const result = await printAndVerifyLabel({
      printer: print.printer, verifier: print.verifier, verifyTimeoutMs: print.verifyTimeoutMs ?? 2_000, attempts: print.attempts ?? 3,
      log: this.#o.log, words: CASE_LABEL_WORDS,
      logFields: (code, attempt, why) => ({ batchId: batch.id, caseCode: code, attempt, why }),
      jobId: (attempt) => `case-${batch.id}-${this.#seq + 1}-${attempt}`,
      allocate: () => this.#allocateCaseCode(batch),
      voidCode: (code, reason) => this.#voidCaseCode(code, reason),
      step: (step) => { this.#step(step === 'allocated' ? 'print' : step); },
      onLabelFailed: (why) => { this.#labelFailed(why); },
      closed: () => this.#closed,
    });
    if (result.kind === 'halted') return 'halted';
    if (result.kind === 'verified') {
      this.#labels += 1;
      this.#labelFailures = 0;
      // A label right at the first try shows printer and verifier are well again.
      if (result.attempt === 1) this.#o.alarms.clear('case-label-failed:case');
      return result.code;
    }
    if (result.failures.length > 0) {
      // Out of attempts (or no printer, no code left): this case is rejected for its case code.
      this.#o.alarms.raise('case-label-failed', 'case', `本箱未能打出可复核的箱码，已剔除: ${result.failures.join('; ')} (no verified case code; the case is rejected)`);
    }
    return null;
  }

  /** A batch out of case codes (or no longer running) refuses; any other database error halts the station. */
  #allocateCaseCode(batch: CaseStationBatch): LabelAllocation {
    try {
      return { kind: 'code', code: allocateCaseCode(this.#o.db, batch.id).code };
    } catch (error) {
      if (error instanceof StoreError && (error.code === 'NOT_FOUND' || error.code === 'INVALID_STATE')) return { kind: 'refused', why: error.message };
      this.#databaseError(error);
      return { kind: 'halted', detail: errorText(error) };
    }
  }

  /** One failed label; the second in a row (across cases) raises the alarm, with the running count. */
  #labelFailed(why: string): void {
    this.#labelFailures += 1;
    if (this.#labelFailures >= LABEL_FAILURES_ALARM) {
      this.#o.alarms.raise('case-label-failed', 'case', `连续 ${this.#labelFailures} 次: ${why} (${this.#labelFailures} failed labels in a row)`);
    }
  }

  /** Voids a case code that may exist on a carton; false (and halted) when the database refuses. */
  #voidCaseCode(code: string, reason: string): boolean {
    return voidStationCode(this.#o, code, reason, this.#now(), (error) => { this.#databaseError(error); });
  }

  async #handle(prefetched: ReadResult | null): Promise<void> {
    const batch = this.#batch;
    if (batch === null) throw new StationBugError('case station is idle without a batch');
    const started = this.#now();
    this.#step('trigger');
    const read = await this.#collect(batch, prefetched);
    if (read === null) return;
    this.#step('read');
    if (!this.#o.disk.ok()) {
      this.#halt('disk-low', `剩余 ${Math.round(this.#o.disk.freeBytes() / 1048576)} MiB，低于 ${Math.round(this.#o.disk.minFreeBytes / 1048576)} MiB (free space below the limit)`);
      return;
    }
    const at = this.#now();
    const checkStarted = performance.now();
    let decision = checkCase(read, batch.rules, this.#o.lookup);
    const commitStarted = performance.now();
    let timing: CaseOutcomeView['timing'] = null;
    if (decision.kind === 'accept') {
      try {
        const accepted = decision;
        this.#o.writes.commitWith(() => commitCase(this.#o.db, { batchId: batch.id, caseCode: accepted.caseCode, children: accepted.children, at, actor: 'station', epcis: this.#o.epcis }));
        timing = { checkMs: hundredths(commitStarted - checkStarted), commitMs: hundredths(performance.now() - commitStarted) };
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
      this.#remember({ outcome: 'accepted', read, at, started, reasons: [], rejectId: null, confirm: null, timing });
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
      const recorded = this.#o.writes.commitWith(() => recordReject(this.#o.db, { batchId: batch.id, station: 'case', findings, read, at }));
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
    this.#remember({ outcome: 'rejected', read, at, started, reasons, rejectId, confirm, timing: null });
    this.#step('done');
  }

  #remember(v: { outcome: 'accepted' | 'rejected'; read: CaseRead; at: number; started: number; reasons: RejectReason[]; rejectId: number | null; confirm: CaseOutcomeView['confirm']; timing: CaseOutcomeView['timing'] }): void {
    // An accepted case was checked to hold only outer codes (never secret): shown as read, without a lookup each.
    // A rejected read may hold anything (a cap turned over shows its inner code): each code is looked up and masked.
    const lookup = this.#o.lookup;
    const shown = v.outcome === 'accepted' ? (c: string): string => c : (c: string): string => maskedCode(c, lookup);
    this.#seq += 1;
    this.#last.unshift({
      seq: this.#seq, at: new Date(v.at).toISOString(), outcome: v.outcome,
      caseCode: v.read.caseCode === null ? null : shown(v.read.caseCode),
      childCount: v.read.childCodes.length,
      codes: v.read.childCodes.slice(0, 48).map(shown),
      reasons: v.reasons, reasonLabels: v.reasons.map((r) => REJECT_REASON_ZH[r]),
      rejectId: v.rejectId, confirm: v.confirm, decisionMs: this.#now() - v.started, timing: v.timing,
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

function hundredths(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
