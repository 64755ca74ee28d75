import type { Printer } from '../../printers/index.ts';
import type { ReadResult, Reader } from '../../scanners/index.ts';
import type { EpcisContext } from '../../sync/index.ts';
import type { PairingSourceKind } from '../config/pairing-config.ts';
import { maskCode } from '../domain/mask.ts';
import type { PlcPort, TriggerEvent } from '../plc/plc-port.ts';
import { StoreError } from '../store/errors.ts';
import type { Db } from '../store/open.ts';
import {
  allocatePairingOuter, commitPairingItem, lastPairingItems, pairingCodeKind, pairingCounts,
  type PairingCounts, type PairingDecide, type PairingItemView, type PairingRun, type PairingSide, type PairingVerdict,
} from '../store/pairing-items.ts';
import type { AlarmBoard } from '../station/alarm-board.ts';
import type { Logger } from '../station/logger.ts';
import { checkPair } from './check-pair.ts';
import { splitFrame } from './one-frame.ts';
import { PAIRING_REASON_NUMBER, PAIRING_REASON_ZH } from './pairing-reason.ts';
import { pairingStationMachine, type PairingStationEvent, type PairingStationState } from './pairing-station-machine.ts';

/**
 * Where the two codes of an item come from (config `pairing`, pairingSourceKind):
 * - `two-readers`: the inner side's reader and the outer side's, software-triggered together (错位 from their counters);
 * - `one-camera`: one reader whose one read carries both codes (splitFrame tells them apart; 错位 does not apply);
 * - `print`: the inner side's reader, and a printer that prints an outer code allocated for the item.
 */
export type PairingSources =
  | { readonly kind: 'two-readers'; readonly inner: Reader; readonly outer: Reader }
  | { readonly kind: 'one-camera'; readonly camera: Reader }
  | { readonly kind: 'print'; readonly inner: Reader; readonly printer: Printer };

export interface PairingStationOptions {
  readonly db: Db;
  readonly run: PairingRun;
  readonly sources: PairingSources;
  /** EPCIS context: every pair is frozen as an AssociationEvent in its own transaction. Absent: no events. */
  readonly epcis?: EpcisContext;
  /** Photo-eye trigger counter (one edge per item) and the reject kicker (排废). */
  readonly plc: PlcPort;
  readonly alarms: AlarmBoard;
  readonly log: Logger;
  readonly readTimeoutMs: number;
  readonly lastItems?: number;
  readonly now?: () => number;
  readonly onChange?: () => void;
}

/** Where the time of one item goes, ms to 0.01 (the pairing bench reads these). */
export interface PairingTiming {
  /** Trigger taken from the queue → both reads answered. */
  readonly readMs: number;
  /** The ONE durable transaction (facts, decision, rows; fsync included). */
  readonly commitMs: number;
  /** Reads answered → committed and the PLC command issued: the pair decision. */
  readonly decisionMs: number;
}

export interface PairingItemOutcome {
  readonly seq: number;
  readonly verdict: PairingVerdict;
  readonly timing: PairingTiming;
  readonly confirm: 'confirmed' | 'not-confirmed' | null;
}

export interface PairingStationStatus {
  readonly mode: 'pairing';
  /** How the codes are read: two readers, one camera, or the outer code printed by the station. */
  readonly sources: PairingSourceKind;
  readonly state: PairingStationState;
  readonly run: { readonly uuid: string; readonly line: string; readonly innerPackage: string; readonly outerPackage: string };
  readonly counts: PairingCounts;
  /** Newest first, inner codes masked. */
  readonly lastItems: readonly (PairingItemView & { readonly reasonLabel: string | null })[];
  /** Items queued by the photo-eye and not yet decided. */
  readonly queued: number;
  /** Items that passed while the station was stopped or halted (no decision, no waste row: the PLC did not kick them). */
  readonly unseen: number;
}

const MAX_QUEUE = 1_000;

interface Acquired {
  readonly inner: PairingSide;
  readonly outer: PairingSide;
  /** One-camera mode: every code of the one read, split after (splitFrame). */
  readonly frame: readonly string[] | null;
  /** Print mode: why the outer code is not confirmed printed; null = printed (or not print mode). */
  readonly printFailed: string | null;
  /** Two-reader mode: both readers' raw trigger ids (realignment after 错位). */
  readonly triggers: { readonly inner: number | null; readonly outer: number | null } | null;
}
const ms = (a: number, b: number): number => Math.round((b - a) * 100) / 100;

/**
 * The pairing station runtime (issue 15 §1): for every photo-eye edge of the PLC it gets the item's two codes from
 * its sources (PairingSources: both readers software-triggered at once, taking one code from each — a no-read, or
 * not exactly one code, is an unread side; or one camera read split by splitFrame; or the inner reader and an
 * allocated outer code printed meanwhile, a print not confirmed being waste `print-failed`), and hands the item to
 * commitPairingItem, which reads the codes' facts, runs checkPair and writes the pair or the waste row in one
 * durable transaction. Only then the PLC is told: accept, or a reject pulse (排废) with the reason's number.
 *
 * 错位 (slipped order): each reader numbers its results (scanners contract: `trigger.id`, one sequence shared with
 * the reader's own external triggers). The station expects both sides to advance by exactly one per item; a side
 * that answered an extra trigger (a double trigger on its photo-eye, a stray external read) is ahead, and the item
 * is waste `slipped`. The counters are then realigned, so the next item is judged afresh.
 */
export class PairingStation {
  readonly #o: PairingStationOptions;
  readonly #now: () => number;
  #state: PairingStationState = 'stopped';
  #queue = 0;
  #unseen = 0;
  #items = 0;
  readonly #base: { inner: number | null; outer: number | null } = { inner: null, outer: null };
  #unsubscribe: (() => void) | null = null;
  #loop: Promise<void> | null = null;
  readonly #idleWaiters: (() => void)[] = [];
  readonly #outcomeListeners = new Set<(o: PairingItemOutcome) => void>();

  constructor(options: PairingStationOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  get state(): PairingStationState {
    return this.#state;
  }

  #go(event: PairingStationEvent): void {
    const t = pairingStationMachine.next(this.#state, event);
    if (!t.ok) throw new StoreError('INVALID_STATE', t.reason);
    this.#state = t.to;
    this.#o.onChange?.();
  }

  /** Subscribes to the PLC's trigger counter; items are decided one at a time in trigger order. */
  start(): void {
    this.#go('start');
    this.#unsubscribe ??= this.#o.plc.onTrigger((e) => { this.#onTrigger(e); });
  }

  onOutcome(listener: (o: PairingItemOutcome) => void): () => void {
    this.#outcomeListeners.add(listener);
    return () => { this.#outcomeListeners.delete(listener); };
  }

  #onTrigger(e: TriggerEvent): void {
    if (this.#state === 'stopped' || this.#state === 'halted') {
      this.#unseen += e.advancedBy;
      this.#o.log.warn('工位未运行时有件通过 (items passed while the pairing station was not running)', { count: e.advancedBy, state: this.#state });
      this.#o.onChange?.();
      return;
    }
    const room = Math.max(0, MAX_QUEUE - this.#queue);
    const take = Math.min(room, e.advancedBy);
    this.#queue += take;
    if (take < e.advancedBy) {
      this.#unseen += e.advancedBy - take;
      this.#o.log.error('配对工位积压已满，拒收触发 (pairing station backlog full; triggers refused)', { refused: e.advancedBy - take });
    }
    this.#loop ??= this.#drain().finally(() => { this.#loop = null; });
  }

  async #drain(): Promise<void> {
    while (this.#queue > 0 && this.#state === 'idle') {
      this.#queue -= 1;
      await this.#item();
    }
    if (this.#queue === 0) for (const w of this.#idleWaiters.splice(0)) w();
  }

  /** Resolves once no trigger is queued or in hand (tests and the demo wait on it; never timed). */
  whenIdle(): Promise<void> {
    if (this.#queue === 0 && this.#loop === null) return Promise.resolve();
    return new Promise((resolve) => { this.#idleWaiters.push(resolve); });
  }

  async #read(reader: Reader): Promise<ReadResult | null> {
    try {
      return await reader.trigger({ timeoutMs: this.#o.readTimeoutMs });
    } catch (error) {
      this.#o.log.warn('读码器触发失败，按单面无读处理 (reader trigger failed; side counted unread)', { error: error instanceof Error ? error.message : String(error) });
      return null;
    }
  }

  #side(which: 'inner' | 'outer', result: ReadResult | null, k: number): PairingSide {
    if (result === null) return { code: null, counter: null };
    if (this.#base[which] === null) this.#base[which] = result.trigger.id - k;
    const counter = result.trigger.id - (this.#base[which] ?? 0);
    const code = result.kind === 'read' && result.codes.length === 1 ? (result.codes[0]?.text ?? null) : null;
    return { code, counter };
  }

  /** The item's two sides and what overrides checkPair: a print not confirmed, extra codes in a one-camera frame. */
  async #acquire(k: number): Promise<Acquired> {
    const src = this.#o.sources;
    if (src.kind === 'two-readers') {
      const [ri, ro] = await Promise.all([this.#read(src.inner), this.#read(src.outer)]);
      return { inner: this.#side('inner', ri, k), outer: this.#side('outer', ro, k), frame: null, printFailed: null, triggers: { inner: ri?.trigger.id ?? null, outer: ro?.trigger.id ?? null } };
    }
    if (src.kind === 'one-camera') {
      const r = await this.#read(src.camera);
      const counter = r === null ? null : r.trigger.id;
      const codes = r !== null && r.kind === 'read' ? r.codes.map((c) => c.text) : [];
      return { inner: { code: null, counter }, outer: { code: null, counter }, frame: codes, printFailed: null, triggers: null };
    }
    // Print mode: the outer code is allocated (committed: it may be on a cap from now on), printed while the inner side is read.
    let outerCode: string | null = null;
    let printFailed: string | null = null;
    if (src.printer.state !== 'ready' && src.printer.state !== 'busy') printFailed = `打印机状态 ${src.printer.state} (printer ${src.printer.state})`;
    else {
      const allocation = allocatePairingOuter(this.#o.db, this.#o.run, this.#now());
      if (allocation.kind === 'none') printFailed = allocation.why;
      else outerCode = allocation.code;
    }
    const print = async (): Promise<string | null> => {
      if (outerCode === null) return printFailed;
      try {
        const r = await src.printer.print({ id: `pairing-${this.#o.run.id}-${k}`, code: outerCode });
        return r.kind === 'printed' ? null : `${r.kind === 'rejected' ? `打印机拒绝 (rejected ${r.reason})` : '打印结果不确定 (fate unknown)'}: ${r.detail}`;
      } catch (error) {
        return `打印失败 (print failed): ${error instanceof Error ? error.message : String(error)}`;
      }
    };
    const [ri, why] = await Promise.all([this.#read(src.inner), print()]);
    const inner = ri === null ? { code: null, counter: null } : { code: ri.kind === 'read' && ri.codes.length === 1 ? (ri.codes[0]?.text ?? null) : null, counter: null };
    return { inner, outer: { code: outerCode, counter: null }, frame: null, printFailed: why, triggers: null };
  }

  async #item(): Promise<void> {
    this.#go('trigger');
    const t0 = performance.now();
    const k = this.#items + 1;
    let got: Acquired;
    try {
      got = await this.#acquire(k);
    } catch (error) {
      this.#halt(error);
      return;
    }
    this.#go('read');
    const t1 = performance.now();
    let inner = got.inner;
    let outer = got.outer;
    let extra = 0;
    const decide: PairingDecide = (facts) => {
      if (got.printFailed !== null) return { kind: 'waste', reason: 'print-failed' };
      const verdict = checkPair({ inner, outer }, facts, this.#o.run);
      return verdict.kind === 'pair' && extra > 0 ? { kind: 'waste', reason: 'foreign' } : verdict;
    };
    let committed;
    try {
      if (got.frame !== null) {
        // A code's kind never changes once imported, so it is safe to read before the item's transaction.
        const split = splitFrame(got.frame, (c) => pairingCodeKind(this.#o.db, c), this.#o.run);
        inner = { code: split.inner, counter: inner.counter };
        outer = { code: split.outer, counter: outer.counter };
        extra = split.extra;
      }
      committed = commitPairingItem(this.#o.db, { runId: this.#o.run.id, inner, outer, at: this.#now(), ...(this.#o.epcis === undefined ? {} : { epcis: this.#o.epcis }) }, decide);
    } catch (error) {
      this.#halt(error);
      return;
    }
    const t2 = performance.now();
    this.#items = k;
    const verdict = committed.verdict;
    if (verdict.kind === 'waste' && verdict.reason === 'slipped' && got.triggers !== null && got.triggers.inner !== null && got.triggers.outer !== null) {
      this.#base.inner = got.triggers.inner - k;
      this.#base.outer = got.triggers.outer - k;
    }
    if (this.#o.sources.kind === 'print' && got.printFailed === null) this.#o.alarms.clear('printer-fault:pairing-print');
    if (got.printFailed !== null) {
      this.#o.alarms.raise('printer-fault', 'pairing-print', got.printFailed);
      this.#o.log.warn('外码打印未确认，该件排废，外码作废 (outer code print not confirmed; item wasted, code voided)', { seq: committed.seq, outer: outer.code, why: got.printFailed });
    }
    let confirm: PairingItemOutcome['confirm'] = null;
    let t3 = t2;
    try {
      if (verdict.kind === 'pair') {
        this.#go('pair');
        const accepted = this.#o.plc.accept();
        t3 = performance.now();
        await accepted;
      } else {
        this.#go('waste');
        const pulse = this.#o.plc.pulseReject(PAIRING_REASON_NUMBER[verdict.reason]);
        t3 = performance.now();
        const r = await pulse;
        confirm = r.kind;
        if (r.kind === 'not-confirmed') this.#o.alarms.raise('reject-not-confirmed', 'pairing', `第 ${committed.seq} 件 (item ${committed.seq})`);
      }
    } catch (error) {
      // The decision is committed (the waste row is the record); a lost PLC link is the PLC link's alarm.
      this.#o.log.warn('PLC 命令失败 (PLC command failed)', { seq: committed.seq, error: error instanceof Error ? error.message : String(error) });
    }
    this.#o.log.info(verdict.kind === 'pair' ? '配对 (paired)' : `排废 ${PAIRING_REASON_ZH[verdict.reason]} (waste ${verdict.reason})`, {
      seq: committed.seq, outer: outer.code, inner: inner.code === null ? null : maskCode(inner.code), innerCounter: inner.counter, outerCounter: outer.counter,
      ...(extra > 0 ? { extraCodes: extra } : {}),
    });
    this.#go('done');
    const outcome: PairingItemOutcome = { seq: committed.seq, verdict, confirm, timing: { readMs: ms(t0, t1), commitMs: ms(t1, t2), decisionMs: ms(t1, t3) } };
    for (const l of this.#outcomeListeners) l(outcome);
  }

  #halt(error: unknown): void {
    this.#o.log.error('配对记录写入失败，工位停止 (pairing commit failed; station halted)', { error: error instanceof Error ? error.message : String(error) });
    this.#o.alarms.raise('database-error', 'pairing', error instanceof Error ? error.message : String(error));
    this.#go('fault');
    for (const w of this.#idleWaiters.splice(0)) w();
  }

  status(): PairingStationStatus {
    const run = this.#o.run;
    return {
      mode: 'pairing',
      sources: this.#o.sources.kind,
      state: this.#state,
      run: { uuid: run.uuid, line: run.line, innerPackage: run.innerPackageUuid, outerPackage: run.outerPackageUuid },
      counts: pairingCounts(this.#o.db, run.id),
      lastItems: lastPairingItems(this.#o.db, run.id, this.#o.lastItems ?? 20).map((v) => ({ ...v, reasonLabel: v.reason === null ? null : PAIRING_REASON_ZH[v.reason] })),
      queued: this.#queue,
      unseen: this.#unseen,
    };
  }

  /** Stops taking triggers (the item in hand finishes first). */
  async stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#queue = 0;
    await this.#loop;
    if (this.#state === 'idle') this.#go('pause');
  }
}
