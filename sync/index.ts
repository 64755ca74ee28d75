/** Public surface of sync/. Explicit export list (STYLE.md "Shape"); edge/ imports sync only through here. */
export type {
  CaptureLimits, CaptureResult, EventRejection, FrozenEventText, OutboxCounts, OutboxEntry, OutboxSource, OutboxState,
  SyncEvent, SyncState, SyncSummary,
} from './contract.ts';
export { Sender } from './sender/sender.ts';
export type { AssembleDocument, RunOptions, SenderClock, SenderOptions, SyncLog, SyncLogLevel } from './sender/sender.ts';
export { SYNC_EVENTS, SYNC_STATES, SYNC_TRANSITIONS, nextSyncState, syncTransition } from './sender/state-machine.ts';
