import type { Batch, CloseOutcome } from '../store/batches.ts';
import type { EndPalletResult, StationStatus } from './contract.ts';

/**
 * The port the running station implements for the API (edge/main.ts adapts its station object to it). The API
 * works without one: status then comes from the database (db-status.ts) and station-only operations answer
 * 409 NO_STATION. The API never drives devices itself. Starting and resuming a batch are committed in the store by
 * the API and announced to the station through `batchChanged`, so the database stays the one truth; pausing and
 * closing the batch the station runs go through the station (`pauseBatch` / `closeBatch`), which decides the
 * cases in hand first — committed in the store, a pause would make the store refuse a case being decided.
 */
export interface StationLike {
  /** The live snapshot; read codes of secret kinds already masked (the API masks known secrets again). */
  status(): StationStatus;
  /** Called on every state change (counts, current case/pallet, reads, alarms); returns an unsubscribe. */
  onChange(listener: () => void): () => void;
  /** The API started, paused, resumed or closed a batch in the store: adopt it. Must not throw. */
  batchChanged?(batchId: number): void;
  /** The API committed cases or pallets of `batchId` beside the station (manual capture): count again. Must not throw. */
  storeChanged?(batchId: number): void;
  /**
   * Pauses `batchId` if it is the batch this station runs: waits for the cases in hand, then commits the pause.
   * null: not this station's batch (or no batch in hand) — the API commits the pause in the store.
   */
  pauseBatch?(batchId: number, actor: string): Promise<Batch | null>;
  /**
   * Closes `batchId` (reconciliation, signed `reason` when codes are unexplained) if it is the batch this station
   * runs: waits for the cases in hand, then commits. null: not this station's batch — the API closes it in the store.
   */
  closeBatch?(input: { readonly batchId: number; readonly actor: string; readonly reason?: string }): Promise<CloseOutcome | null>;
  /**
   * The operator's "end pallet" (结束本垛): allocate, print, verify and commit the current pallet now. Below the
   * ratio (短垛) the station refuses it without a `reason`.
   */
  endPallet?(actor: string, reason?: string): Promise<EndPalletResult>;
}
