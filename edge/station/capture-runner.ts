import type { EpcisContext } from '../../sync/index.ts';
import { NEW_SESSION, nextScan, scanLine, type CaptureRules, type CaptureSession, type Prompt, type RefuseReason } from '../aggregation/manual-capture.ts';
import type { ManualCaptureEvent } from '../aggregation/manual-capture-machine.ts';
import { caseRulesOf } from '../store/batches.ts';
import { batchFacts } from '../store/case-commit.ts';
import { codeLookup } from '../store/code-lookup.ts';
import { StoreError, type StoreErrorCode } from '../store/errors.ts';
import { commitManualCase, commitManualPallet, stackManualCase } from '../store/manual-capture-commit.ts';
import type { Db } from '../store/open.ts';
import { parkPallet } from '../store/pallet-commit.ts';
import { maskedCode } from './masked-code.ts';

/** Why a scan was refused: the pure module's reason, or the store's error code when a commit was refused. */
export type CaptureRefusal = RefuseReason | StoreErrorCode;

/**
 * What one scan did. Every code in it is as it may be shown: secret kinds (cap-inner, case-inner) masked; case
 * and pallet codes are outer codes and shown as scanned.
 */
export type CaptureStep =
  /** An empty line: nothing happened. */
  | { readonly kind: 'ignored' }
  | { readonly kind: 'refused'; readonly shown: string | null; readonly reason: CaptureRefusal; readonly detail: string }
  | { readonly kind: 'child-added'; readonly shown: string; readonly have: number; readonly need: number }
  | { readonly kind: 'control'; readonly event: ManualCaptureEvent; readonly dropped: number }
  | { readonly kind: 'case-committed'; readonly caseCode: string; readonly children: number; readonly auditSeq: number }
  | { readonly kind: 'stacked'; readonly caseCode: string; readonly stackId: number; readonly cases: number; readonly need: number }
  | { readonly kind: 'pallet-committed'; readonly palletCode: string; readonly cases: number; readonly short: boolean; readonly auditSeq: number };

export interface CaptureTally { cases: number; pallets: number; refused: number }

export interface CaptureEnd {
  /** Child codes of a half case that were dropped (never committed). */
  readonly halfCaseDropped: number;
  /** The session's pallet stack, parked for the pallet station to resume; null when there was none. */
  readonly parkedStack: number | null;
  /** Parking the stack was refused by the store (it stays as it is in the database). */
  readonly parkRefused: Extract<CaptureStep, { kind: 'refused' }> | null;
  readonly tally: Readonly<CaptureTally>;
}

export interface CaptureRunnerOptions {
  readonly db: Db;
  readonly batchId: number;
  readonly epcis: EpcisContext;
  /** Epoch milliseconds; default Date.now. */
  readonly now?: () => number;
}

/**
 * One manual-capture session (issue 4 §4) for one running batch, shared by `wuma capture` (stdin) and the local
 * API (edge/api/capture-routes.ts): the in-memory CaptureSession and its pallet stack id. Each scan is decided by
 * the pure module (scanLine), committed through the store's guarded transactions (commitManualCase,
 * stackManualCase, commitManualPallet, each re-checking the user's permission), and the proposed session is
 * adopted only after the commit succeeded: a refused commit leaves the session as it was. A StoreError is a
 * refusal of that scan, never the end of the session. `end` drops a half case and parks a started pallet stack.
 *
 * Not thread-safe by design: better-sqlite3 is synchronous, so each `scan` runs to completion before the next.
 */
export class CaptureRunner {
  readonly batchId: number;
  readonly lot: string;
  readonly rules: CaptureRules;
  readonly tally: CaptureTally = { cases: 0, pallets: 0, refused: 0 };
  #session: CaptureSession = NEW_SESSION;
  #stackId: number | null = null;
  readonly #db: Db;
  readonly #epcis: EpcisContext;
  readonly #now: () => number;

  /** Opens a session for a running batch; a batch that is missing or not running is a StoreError. */
  static open(options: CaptureRunnerOptions): CaptureRunner {
    const facts = batchFacts(options.db, options.batchId);
    if (facts.state !== 'running') {
      throw new StoreError('INVALID_STATE', `批次 ${options.batchId} 状态为 ${facts.state}，不能采集 (batch is not running)`);
    }
    return new CaptureRunner(options, facts.lot, { caseRules: caseRulesOf(options.db, options.batchId), casesPerPallet: facts.casesPerPallet });
  }

  private constructor(options: CaptureRunnerOptions, lot: string, rules: CaptureRules) {
    this.#db = options.db;
    this.batchId = options.batchId;
    this.lot = lot;
    this.#epcis = options.epcis;
    this.#now = options.now ?? Date.now;
    this.rules = rules;
  }

  get session(): CaptureSession { return this.#session; }
  get stackId(): number | null { return this.#stackId; }
  get ended(): boolean { return this.#session.state === 'ended'; }

  /** What to scan next. */
  prompt(): Prompt {
    return nextScan(this.#session, this.rules);
  }

  /** A code as it may be shown (secret kinds masked). */
  shown(code: string): string {
    return maskedCode(code, codeLookup(this.#db));
  }

  /** One scan (one line of the scan gun) by `userId`, who is recorded on every commit. */
  scan(line: string, userId: string): CaptureStep {
    const o = scanLine(this.#session, line, this.rules, codeLookup(this.#db));
    switch (o.kind) {
      case 'ignored': return o;
      case 'refused': return this.#refused(o.shown, o.reason, o.detail);
      case 'child-added':
        this.#session = o.session;
        return { kind: 'child-added', shown: o.shown, have: o.session.children.length, need: this.rules.caseRules.unitsPerCase };
      case 'control':
        this.#session = o.session;
        return { kind: 'control', event: o.event, dropped: o.dropped };
      case 'commit-case': return this.#attempt(() => {
        const r = commitManualCase(this.#db, { batchId: this.batchId, caseCode: o.caseCode, children: o.children, userId, at: this.#now(), epcis: this.#epcis });
        if (r.kind === 'rejected') {
          // Findings come back from the store with their codes masked.
          return this.#refused(this.shown(o.caseCode), r.findings[0]?.reason ?? 'case-code', r.findings.map((f) => (f.code === undefined ? f.detail : `${f.code}: ${f.detail}`)).join('；'));
        }
        this.#session = o.session;
        this.tally.cases += 1;
        return { kind: 'case-committed', caseCode: this.shown(o.caseCode), children: r.committed.children, auditSeq: r.auditSeq };
      });
      case 'stack-case': return this.#attempt(() => {
        const r = stackManualCase(this.#db, { batchId: this.batchId, stackId: this.#stackId, caseCode: o.caseCode, userId, at: new Date(this.#now()).toISOString() });
        this.#stackId = r.stackId;
        this.#session = o.session;
        return { kind: 'stacked', caseCode: this.shown(o.caseCode), stackId: r.stackId, cases: r.cases, need: this.rules.casesPerPallet };
      });
      case 'commit-pallet': return this.#attempt(() => {
        if (this.#stackId === null) throw new StoreError('INVALID_STATE', '没有正在组的垛 (no pallet stack)');
        const r = commitManualPallet(this.#db, { batchId: this.batchId, stackId: this.#stackId, palletCode: o.palletCode, userId, at: this.#now(), epcis: this.#epcis, short: o.short });
        this.#stackId = null;
        this.#session = o.session;
        this.tally.pallets += 1;
        return { kind: 'pallet-committed', palletCode: this.shown(o.palletCode), cases: r.committed.cases, short: r.committed.short, auditSeq: r.auditSeq };
      });
    }
  }

  /** Ends the session (Ctrl-D, SIGINT, the UI's leave): a half case is dropped, a started pallet stack parked by `userId`. */
  end(userId: string): CaptureEnd {
    const halfCaseDropped = this.#session.children.length;
    const stack = this.#stackId;
    let parkedStack: number | null = null;
    let parkRefused: CaptureEnd['parkRefused'] = null;
    if (stack !== null) {
      const step = this.#attempt((): CaptureStep => { parkPallet(this.#db, stack, userId, new Date(this.#now()).toISOString()); return { kind: 'ignored' }; });
      if (step.kind === 'refused') parkRefused = step;
      else parkedStack = stack;
    }
    this.#stackId = null;
    this.#session = { ...this.#session, state: 'ended', children: [] };
    return { halfCaseDropped, parkedStack, parkRefused, tally: { ...this.tally } };
  }

  #refused(shown: string | null, reason: CaptureRefusal, detail: string): Extract<CaptureStep, { kind: 'refused' }> {
    this.tally.refused += 1;
    return { kind: 'refused', shown, reason, detail };
  }

  /** Runs a store commit; a StoreError refuses this scan and the session goes on unchanged. */
  #attempt(work: () => CaptureStep): CaptureStep {
    try {
      return work();
    } catch (error) {
      if (error instanceof StoreError) return this.#refused(null, error.code, error.message);
      throw error;
    }
  }
}
