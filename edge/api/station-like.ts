import type { EndPalletResult, StationStatus } from './contract.ts';

/**
 * The port the running station implements for the API (edge/main.ts adapts its station object to it). The API
 * works without one: status then comes from the database (db-status.ts) and station-only operations answer
 * 409 NO_STATION. The API never drives devices itself; batch transitions are committed in the store by the API
 * and announced to the station through `batchChanged`, so the database stays the one truth.
 */
export interface StationLike {
  /** The live snapshot; read codes of secret kinds already masked (the API masks known secrets again). */
  status(): StationStatus;
  /** Called on every state change (counts, current case/pallet, reads, alarms); returns an unsubscribe. */
  onChange(listener: () => void): () => void;
  /** The API started, paused, resumed or closed a batch in the store: adopt it. Must not throw. */
  batchChanged?(batchId: number): void;
  /** The operator's "end pallet" (短垛): allocate, print, verify and commit the current pallet now. */
  endPallet?(actor: string): Promise<EndPalletResult>;
}
