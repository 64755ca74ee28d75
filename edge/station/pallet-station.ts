import type { EpcisContext } from '../../sync/index.ts';
import type { Printer } from '../../printers/index.ts';
import type { ReadResult, Reader } from '../../scanners/index.ts';
import { palletStationMachine, type PalletStationEvent, type PalletStationState } from '../aggregation/pallet-station-machine.ts';
import { StoreError } from '../store/errors.ts';
import type { Db } from '../store/open.ts';
import { allocatePalletCode, commitPallet, getPalletStack, openPallet, palletStacks, parkPallet, resumePallet, stackCase, type PalletStack } from '../store/pallet-commit.ts';
import { recordReject } from '../store/rejects.ts';
import type { DeferredOutcome, WriteGroup } from '../store/write-group.ts';
import type { AlarmBoard } from './alarm-board.ts';
import type { DiskGuard } from './disk-guard.ts';
import { printAndVerifyLabel, type LabelAllocation, type LabelWords } from './label-verify.ts';
import type { Logger } from './logger.ts';
import type { CodeLookup } from '../aggregation/check-case.ts';
import { maskedCode } from './masked-code.ts';
import { StationBugError, StationStateError } from './station-errors.ts';
import { voidStationCode } from './void-station-code.ts';

export interface PalletStationBatch {
  readonly id: number;
  readonly casesPerPallet: number;
}

export interface PalletStationOptions {
  readonly db: Db;
  /**
   * The line's group commit. A stacked case (and the opening of a stack, and the first pallet code of a label) is
   * deferred onto the next case decision's commit instead of costing an fsync of its own (issue 12); nothing is
   * told to a device on stacking, so no one waits for it.
   */
  readonly writes: WriteGroup;
  readonly lookup: CodeLookup;
  /** Reads case codes as cases are stacked (its own photo-eye trigger; every read result counts). */
  readonly reader: Reader;
  readonly printer: Printer;
  /** Reads the printed label back (software trigger). */
  readonly verifier: Reader;
  readonly alarms: AlarmBoard;
  readonly disk: DiskGuard;
  readonly log: Logger;
  readonly epcis: EpcisContext;
  readonly verifyTimeoutMs: number;
  /** Labels tried (each with a new code) before giving up with an alarm. Default 3. */
  readonly labelAttempts?: number;
  readonly now?: () => number;
  readonly onChange?: () => void;
}

export type PalletOutcome =
  | { readonly kind: 'committed'; readonly palletCode: string; readonly cases: number; readonly short: boolean }
  | { readonly kind: 'failed'; readonly detail: string };

export interface PalletProgress {
  readonly stackId: number | null;
  readonly cases: number;
  readonly ratio: number;
  /** Cases read for the next pallet while this one is being labelled. */
  readonly held: number;
  readonly parked: readonly { readonly id: number; readonly cases: number }[];
  readonly lastPallet: { readonly code: string; readonly cases: number; readonly at: string } | null;
  readonly pallets: number;
}

/** The pallet label's texts: alarms, void reasons (audit rows) and logs. */
const PALLET_LABEL_WORDS: LabelWords = {
  printFailed: (why) => `打印失败 ${why} (print failed)`,
  printVoidReason: (why) => `垛标签打印结果不确定或被拒 (pallet label not confirmed printed): ${why}`,
  verifyVoidReason: (why) => `垛标签复核失败 (pallet label not verified): ${why}`,
  mismatch: '读到的码与垛码不符 (label reads a different code)',
  verifierErrorLog: '复核读码失败 (verifier read failed)',
  verifyFailedLog: '垛标签复核失败 (pallet label not verified)',
};

/**
 * The pallet station runtime (DESIGN §6, issue 4 §3). Cases are stacked on a persisted pallet stack as they are
 * read; at the ratio (or on the operator's end-pallet, a short pallet with a signed reason) a pallet code is
 * allocated, its label printed (runPrintQueue: the fate of the job is printed / rejected / unknown) and read
 * back by the verifier (exactly one code in view, the one printed: printAndVerifyLabel), and only then is the
 * pallet committed in one transaction (commitPallet). A code whose label is not both printed and verified is
 * voided (DESIGN §4: it may exist on paper) and a new code tried.
 * State lives in `palletStationMachine`.
 */
export class PalletStation {
  readonly #o: PalletStationOptions;
  readonly #now: () => number;
  #state: PalletStationState = 'stopped';
  #batch: PalletStationBatch | null = null;
  /** The pallet being built: `id` is null until the deferred write that opens its stack has committed. */
  #stack: { id: number | null; cases: string[] } | null = null;
  readonly #held: string[] = [];
  #pallets = 0;
  #last: PalletProgress['lastPallet'] = null;
  #closing: Promise<PalletOutcome> | null = null;
  #closed = false;
  readonly #sub: { dispose(): void };

  constructor(options: PalletStationOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#sub = options.reader.onRead((r) => { this.#onRead(r); });
  }

  get state(): PalletStationState {
    return this.#state;
  }

  progress(): PalletProgress {
    const parked = this.#batch === null ? [] : this.#stacks().filter((s) => s.state === 'parked').map((s) => ({ id: s.id, cases: s.cases.length }));
    return {
      stackId: this.#stack?.id ?? null, cases: this.#stack?.cases.length ?? 0, ratio: this.#batch?.casesPerPallet ?? 0,
      held: this.#held.length, parked, lastPallet: this.#last, pallets: this.#pallets,
    };
  }

  #stacks(): PalletStack[] {
    return this.#batch === null ? [] : palletStacks(this.#o.db, this.#batch.id);
  }

  /** Pallets committed, read again from the database (pallets committed beside the station: manual capture). */
  recount(pallets: number): void {
    this.#pallets = pallets;
    this.#o.onChange?.();
  }

  /**
   * Binds a running batch and resumes from the database (the truth after a restart): the newest open stack is
   * the pallet being built; other open stacks (left by an older crash) are parked so exactly one is open. A
   * stack already at the ratio is closed at once (the crash hit between its last case and its label).
   */
  start(batch: PalletStationBatch, pallets: number): void {
    this.#batch = batch;
    this.#pallets = pallets;
    const open = this.#stacks().filter((s) => s.state === 'open');
    const current = open.at(-1);
    for (const s of open.slice(0, -1)) parkPallet(this.#o.db, s.id, 'station');
    this.#stack = current === undefined ? null : { id: current.id, cases: [...current.cases] };
    this.#step('start');
    if (this.#stack !== null) this.#o.log.info('恢复未完成的垛 (open pallet resumed)', { batchId: batch.id, stackId: this.#stack.id, cases: this.#stack.cases.length });
    this.#closeIfFull();
  }

  /** Waits for a label in progress, then stops taking cases. The open stack stays in the database. */
  async pause(): Promise<void> {
    await this.idle();
    this.#o.writes.flush();
    if (this.#state === 'halted') return;
    this.#step('pause');
  }

  async idle(): Promise<void> {
    while (this.#closing !== null) await this.#closing.catch(() => undefined);
  }

  reset(): void {
    if (this.#state === 'halted') this.#step('reset');
  }

  /** The operator's "end pallet" (结束本垛). Below the ratio it is a force close and needs a reason. */
  async endPallet(input: { readonly actor: string; readonly reason?: string }): Promise<PalletOutcome> {
    if (this.#state !== 'stacking') throw new StationStateError(`组垛工位状态为 ${this.#state}，不能结束本垛 (pallet station is ${this.#state})`);
    const stack = this.#stack;
    if (stack === null || stack.cases.length === 0) throw new StationStateError('当前垛上没有箱 (the pallet has no cases)');
    const ratio = this.#batch?.casesPerPallet ?? 0;
    const reason = input.reason?.trim() ?? '';
    if (stack.cases.length < ratio && reason.length === 0) {
      throw new StationStateError(`本垛只有 ${stack.cases.length}/${ratio} 箱，强制结垛需要填写原因 (a short pallet needs a reason)`);
    }
    return this.#close(input.actor, stack.cases.length < ratio ? { reason } : undefined);
  }

  /** Sets the open pallet aside (提取未成垛); the next case starts a new stack. */
  park(actor: string): PalletStack {
    if (this.#state !== 'stacking') throw new StationStateError(`组垛工位状态为 ${this.#state}，不能暂存 (pallet station is ${this.#state})`);
    this.#o.writes.flush();
    const stack = this.#stack;
    if (stack === null || stack.cases.length === 0 || stack.id === null) throw new StationStateError('当前垛上没有箱 (the pallet has no cases)');
    const parked = parkPallet(this.#o.db, stack.id, actor);
    this.#stack = null;
    this.#step('park');
    this.#o.log.info('垛已暂存 (pallet parked)', { stackId: stack.id, cases: stack.cases.length });
    return parked;
  }

  /** Takes a parked pallet back onto the line; the current pallet must be empty (park it first). */
  resume(stackId: number, actor: string): PalletStack {
    if (this.#state !== 'stacking') throw new StationStateError(`组垛工位状态为 ${this.#state}，不能恢复 (pallet station is ${this.#state})`);
    this.#o.writes.flush();
    if (this.#stack !== null && this.#stack.cases.length > 0) throw new StationStateError('当前垛上已有箱，请先暂存当前垛 (park the current pallet first)');
    const resumed = resumePallet(this.#o.db, stackId, actor);
    this.#stack = { id: resumed.id, cases: [...resumed.cases] };
    this.#step('resume');
    this.#closeIfFull();
    return resumed;
  }

  #step(event: PalletStationEvent): void {
    const t = palletStationMachine.next(this.#state, event);
    if (!t.ok) throw new StationBugError(t.reason);
    this.#state = t.to;
    this.#o.onChange?.();
  }

  #onRead(result: ReadResult): void {
    if (this.#closed || result.kind !== 'read') return;
    for (const code of new Set(result.codes.map((c) => c.text))) this.#onCase(code);
  }

  #onCase(code: string): void {
    const batch = this.#batch;
    if (this.#state === 'stopped' || this.#state === 'halted' || batch === null) {
      this.#o.log.warn('组垛工位未运行，忽略箱码 (pallet station not running; case ignored)', { caseCode: maskedCode(code, this.#o.lookup), state: this.#state });
      return;
    }
    if (this.#stack?.cases.includes(code) === true || this.#held.includes(code)) return; // the same case read twice
    const full = this.#stack !== null && this.#stack.cases.length >= batch.casesPerPallet;
    if (this.#state !== 'stacking' || full) {
      // The pallet is being labelled: this case starts the next one.
      this.#held.push(code);
      this.#step('case');
      this.#closeIfFull();
      return;
    }
    if (!this.#o.disk.ok()) { this.#halt('disk-low', '磁盘空间不足 (disk nearly full)'); return; }
    // Counted at once (the ratio, the duplicate check and the screen see it); stored with the next decision's
    // commit. The stack row is opened by the first case's write, in its savepoint: a refused first case leaves none.
    const stack = this.#stack ?? { id: null, cases: [] };
    this.#stack = stack;
    stack.cases.push(code);
    this.#o.writes.defer(() => {
      const id = stack.id ?? openPallet(this.#o.db, batch.id);
      stackCase(this.#o.db, id, code);
      stack.id = id;
    }, (outcome) => { this.#stacked(batch, stack, code, outcome); });
    this.#step('case');
    this.#closeIfFull();
  }

  /** The deferred stacking of one case has committed, or was refused (then it comes off the count). */
  #stacked(batch: PalletStationBatch, stack: { id: number | null; cases: string[] }, code: string, outcome: DeferredOutcome<void>): void {
    if (outcome.ok) return;
    const at = stack.cases.indexOf(code);
    if (at >= 0) stack.cases.splice(at, 1);
    const error = outcome.error;
    if (error instanceof StoreError && (error.code === 'CONFLICT' || error.code === 'INVALID_STATE')) { this.#refuse(batch, code, error); this.#o.onChange?.(); return; }
    this.#databaseError(error);
  }

  /** A case that cannot go on this pallet: recorded as a pallet-station reject, and the operator takes it off. */
  #refuse(batch: PalletStationBatch, code: string, error: StoreError): void {
    // The store's message names the value as read; a secret code held under the reader must not leak through it.
    const shown = maskedCode(code, this.#o.lookup);
    const detail = error.message.replaceAll(code, shown);
    this.#o.log.warn('组垛拒收箱码 (case refused at the pallet station)', { batchId: batch.id, caseCode: shown, reason: detail });
    try {
      recordReject(this.#o.db, { batchId: batch.id, station: 'pallet', findings: [{ reason: 'case-code', code, detail }], read: { childCodes: [code], caseCode: null, noRead: false }, at: this.#now() });
    } catch (e) {
      this.#databaseError(e);
      return;
    }
    this.#o.alarms.raise('pallet-case-refused', shown, detail);
  }

  #closeIfFull(): void {
    const batch = this.#batch;
    if (batch === null || this.#state !== 'stacking' || this.#stack === null) return;
    if (this.#stack.cases.length >= batch.casesPerPallet) void this.#close('station', undefined);
  }

  #close(actor: string, short: { reason: string } | undefined): Promise<PalletOutcome> {
    const run = this.#label(actor, short);
    this.#closing = run;
    void run.finally(() => { if (this.#closing === run) this.#closing = null; });
    return run;
  }

  async #label(actor: string, short: { reason: string } | undefined): Promise<PalletOutcome> {
    const batch = this.#batch;
    const stack = this.#stack;
    if (batch === null || stack === null) throw new StationBugError('pallet close without a batch or stack');
    this.#step('close');
    const first = await this.#firstPalletCode(batch, stack, actor, short !== undefined);
    if (first === null) {
      // A case of this pallet was refused as its write committed (its reject is recorded): not full any more.
      this.#step('give-up');
      for (const c of this.#held.splice(0)) this.#onCase(c);
      this.#closeIfFull();
      return { kind: 'failed', detail: '垛上的箱被拒收，继续组垛 (a case of the pallet was refused; stacking goes on)' };
    }
    if (first.kind === 'halted') return { kind: 'failed', detail: first.detail };
    let firstUsed = false;
    const stackId = stack.id;
    if (stackId === null) throw new StationBugError('pallet code allocated for a stack that was never opened');
    const label = await printAndVerifyLabel({
      printer: this.#o.printer, verifier: this.#o.verifier, verifyTimeoutMs: this.#o.verifyTimeoutMs, attempts: this.#o.labelAttempts ?? 3,
      log: this.#o.log, words: PALLET_LABEL_WORDS,
      logFields: (code, _attempt, why) => ({ stackId, palletCode: code, why }),
      jobId: (attempt) => `pallet-stack-${stackId}-${attempt}`,
      beforeAttempt: () => {
        if (this.#o.disk.ok()) return null;
        this.#halt('disk-low', '磁盘空间不足 (disk nearly full)');
        return 'disk nearly full';
      },
      allocate: () => {
        if (firstUsed) return this.#allocatePalletCode(batch, actor);
        firstUsed = true;
        return first;
      },
      voidCode: (code, reason) => this.#voidLabel(code, reason),
      step: (step) => { if (step !== 'allocated') this.#step(step); },
      closed: () => this.#closed,
    });
    // The loop ended before it printed anything (printer not ready, disk low): the code allocated ahead is voided
    // now, not left for the restart's recovery (it was never on paper, but the rule is the same).
    if (!firstUsed && !this.#voidLabel(first.code, '垛码未打印即作废 (pallet code voided before printing)')) return { kind: 'failed', detail: 'database error' };
    if (label.kind === 'halted') return { kind: 'failed', detail: label.detail };
    if (label.kind === 'failed') {
      const detail = label.failures.join('; ');
      this.#o.alarms.raise('pallet-label-failed', 'pallet', detail);
      if (this.#state === 'labelling' || this.#state === 'verifying') this.#step('give-up');
      return { kind: 'failed', detail };
    }
    const code = label.code;
    let committed;
    try {
      committed = commitPallet(this.#o.db, {
        batchId: batch.id, palletCode: code, stackId, at: this.#now(), actor, epcis: this.#o.epcis, ...(short === undefined ? {} : { short }),
      });
    } catch (error) {
      this.#databaseError(error);
      return { kind: 'failed', detail: errorText(error) };
    }
    this.#pallets += 1;
    this.#last = { code, cases: committed.cases, at: new Date(this.#now()).toISOString() };
    this.#stack = null;
    this.#o.alarms.clear('pallet-label-failed:pallet');
    this.#o.log.info('垛已提交 (pallet committed)', { batchId: batch.id, palletCode: code, cases: committed.cases, short: committed.short });
    this.#step('committed');
    const held = this.#held.splice(0);
    for (const c of held) this.#onCase(c);
    return { kind: 'committed', palletCode: code, cases: committed.cases, short: committed.short };
  }

  /**
   * The first pallet code of a label, allocated in a deferred write behind the pallet's own deferred stackings, so
   * it rides on the next decision's commit (one fsync less per pallet) and sees their outcome: null when the stack
   * in the database no longer has the cases the close counted on (one was refused).
   */
  #firstPalletCode(batch: PalletStationBatch, stack: { id: number | null; cases: string[] }, actor: string, short: boolean): Promise<Extract<LabelAllocation, { kind: 'code' }> | { kind: 'halted'; detail: string } | null> {
    return new Promise((resolve) => {
      this.#o.writes.defer(() => {
        const need = short ? 1 : batch.casesPerPallet;
        if (stack.id === null || getPalletStack(this.#o.db, stack.id).cases.length < need) return null;
        return allocatePalletCode(this.#o.db, batch.id, { actor }).code;
      }, (outcome) => {
        if (outcome.ok) { resolve(outcome.value === null ? null : { kind: 'code', code: outcome.value }); return; }
        this.#databaseError(outcome.error);
        resolve({ kind: 'halted', detail: errorText(outcome.error) });
      });
    });
  }

  /** Any database error allocating the pallet code halts the station. */
  #allocatePalletCode(batch: PalletStationBatch, actor: string): LabelAllocation {
    try {
      return { kind: 'code', code: allocatePalletCode(this.#o.db, batch.id, { actor }).code };
    } catch (error) {
      this.#databaseError(error);
      return { kind: 'halted', detail: errorText(error) };
    }
  }

  /** Voids a pallet code that may exist on paper; false (and halted) when the database refuses. */
  #voidLabel(code: string, reason: string): boolean {
    return voidStationCode(this.#o, code, reason, this.#now(), (error) => { this.#databaseError(error); });
  }

  #databaseError(error: unknown): void {
    this.#o.log.error('数据库错误，组垛工位停止 (database error; pallet station halted)', { error: errorText(error) });
    this.#halt('database-error', errorText(error));
  }

  #halt(kind: 'disk-low' | 'database-error', detail: string): void {
    if (this.#state !== 'halted') this.#step('fault');
    this.#o.alarms.raise(kind, 'pallet', detail);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#sub.dispose();
    this.#o.writes.flush();
    await this.idle();
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
