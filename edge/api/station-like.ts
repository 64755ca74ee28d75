import type { Batch, CloseOutcome, StartBatchInput } from '../store/batches.ts';
import type { EndPalletResult, StationStatus } from './contract.ts';

/**
 * The port a running station offers the API (edge/api/line-adapter.ts puts the line runtime behind it). The API
 * works without one: status then comes from the database (db-status.ts) and station-only operations answer
 * 409 NO_STATION. The API never drives devices itself. A batch command for the station's own line goes to the
 * station, which decides it once — waiting for the cases in hand where it must — and returns the new state; the
 * API pushes that, nothing is echoed back to the station. A command the station does not own (another line's
 * batch, no station) answers null and the API commits it in the store.
 */
export interface StationLike {
  /** The live snapshot; read codes of secret kinds already masked (the API masks known secrets again). */
  status(): StationStatus;
  /** Called on every state change (counts, current case/pallet, reads, alarms); returns an unsubscribe. */
  onChange(listener: () => void): () => void;
  /** Starts a batch of the station's line and the stations on it; null: another line's batch. */
  startBatch?(input: StartBatchInput): Batch | null;
  /** Pauses `batchId` once the cases in hand are decided; null: not the batch this station holds. */
  pauseBatch?(batchId: number, actor: string): Promise<Batch | null>;
  /** Resumes `batchId` and starts the stations on it; null: not the batch this station holds. */
  resumeBatch?(batchId: number, actor: string): Batch | null;
  /** Closes `batchId` (reconciliation, signed `reason` when codes are unexplained); null: not this station's batch. */
  closeBatch?(input: { readonly batchId: number; readonly actor: string; readonly reason?: string }): Promise<CloseOutcome | null>;
  /** The API committed cases or pallets of `batchId` beside the station (manual capture, rework): count again. Must not throw. */
  storeChanged?(batchId: number): void;
  /**
   * The operator's "end pallet" (结束本垛): allocate, print, verify and commit the current pallet now. Below the
   * ratio (短垛) the station refuses it without a `reason`.
   */
  endPallet?(actor: string, reason?: string): Promise<EndPalletResult>;
}
