import type { EpcisContext } from '../../sync/index.ts';
import { CaptureRunner, type CaptureEnd } from '../station/capture-runner.ts';
import type { Db } from '../store/open.ts';
import type { CaptureOutcomeView } from './contract.ts';
import { ApiError } from './errors.ts';
import type { ApiLogger } from './logger.ts';

/** One open manual-capture session and who started it. */
export interface OpenCapture {
  readonly runner: CaptureRunner;
  readonly startedBy: { readonly id: string; readonly name: string };
  readonly startedAt: string;
  /** The outcome of the last scan, for a screen that opens (or reloads) mid-session. */
  last: CaptureOutcomeView | null;
  /** Who scanned last: parks a started pallet stack when the API closes. */
  lastBy: string;
}

/**
 * The manual-capture sessions of the API process (issue 4 §4), in memory: AT MOST ONE PER BATCH. The half case
 * and the step belong to the line, not to a person, so a session is keyed by its batch: whoever may capture
 * (`capture.manual`) scans into it and may end it — at a shift change the next operator carries on — and every
 * commit is recorded under the user who made that scan (the API session's user, never a body field). A second
 * start for the same batch is refused (409 CONFLICT, naming who started the open one). Logging out does not end a
 * session; ending it (or closing the API) drops a half case and parks a started pallet stack, as Ctrl-D does in
 * `wuma capture`. A restart of edge loses the half case (it was never committed) and nothing else: stacked cases
 * are already on a persisted stack.
 */
export class CaptureSessions {
  readonly #open = new Map<number, OpenCapture>();

  get(batchId: number): OpenCapture | undefined {
    return this.#open.get(batchId);
  }

  /** Opens a session for a running batch (StoreError: missing or not running); 409 when one is open already. */
  start(db: Db, epcis: EpcisContext, batchId: number, user: { readonly id: string; readonly name: string }, now: Date): OpenCapture {
    const open = this.#open.get(batchId);
    if (open !== undefined) {
      throw new ApiError('CONFLICT', `批次 ${batchId} 已有进行中的人工采集（${open.startedBy.name} 于 ${open.startedAt} 开始），请继续扫码或先结束它 (a manual capture is already open for this batch; carry on with it or end it first)`, { details: { startedBy: open.startedBy, startedAt: open.startedAt } });
    }
    const capture: OpenCapture = { runner: CaptureRunner.open({ db, batchId, epcis }), startedBy: { id: user.id, name: user.name }, startedAt: now.toISOString(), last: null, lastBy: user.id };
    this.#open.set(batchId, capture);
    return capture;
  }

  /** The open session of a batch, or 409 saying to start one. */
  require(batchId: number): OpenCapture {
    const open = this.#open.get(batchId);
    if (open === undefined) throw new ApiError('INVALID_STATE', `批次 ${batchId} 没有进行中的人工采集，请先开始 (no manual capture is open for this batch; start one first)`);
    return open;
  }

  /** Ends a batch's session: the half case is dropped, a started pallet stack parked by `userId`. */
  end(batchId: number, userId: string): CaptureEnd {
    const end = this.require(batchId).runner.end(userId);
    this.#open.delete(batchId);
    return end;
  }

  /** The API is closing: ends every session (stacks parked by whoever scanned last). A failure is logged, never thrown. */
  endAll(logger: ApiLogger): void {
    for (const [batchId, open] of this.#open) {
      try {
        const end = open.runner.end(open.lastBy);
        logger.info('api.capture.ended', { batchId, why: 'api-close', halfCaseDropped: end.halfCaseDropped, parkedStack: end.parkedStack });
      } catch (error) {
        logger.error('api.capture.end-failed', { batchId, error: error instanceof Error ? error.message : String(error) });
      }
    }
    this.#open.clear();
  }
}
