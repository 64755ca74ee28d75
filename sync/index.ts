/** Public surface of sync/. Explicit export list (STYLE.md "Shape"); edge/ imports sync only through here. */
export type {
  CaptureLimits, CaptureResult, EventRejection, FrozenEventText, OutboxCounts, OutboxEntry, OutboxSource, OutboxState,
  SyncEvent, SyncState, SyncSummary,
} from './contract.ts';
export { Sender } from './sender/sender.ts';
export type { AssembleDocument, RunOptions, SenderClock, SenderOptions, SyncLog, SyncLogLevel } from './sender/sender.ts';
export { SYNC_EVENTS, SYNC_STATES, SYNC_TRANSITIONS, nextSyncState, syncTransition } from './sender/state-machine.ts';
export { assembleCaptureDocument } from './sender/assemble-document.ts';
export type { LineCodeKind, LineFact, LineFactType, CommissioningFact, PackingFact, UnpackingFact, DecommissioningFact, DestroyingFact, InspectingFact, SamplingFact, PairingFact, ShippingFact, ReceivingFact, StoringFact, KindedCode, PartyRef, BizTransactionRef } from './epcis/line-fact.ts';
export { LINE_CODE_KINDS } from './epcis/line-fact.ts';
export type { EpcisContext, IdentifierConfig, Gs1Form, Gs1KeyScheme } from './epcis/epcis-context.ts';
export { parseEpcisContext } from './epcis/epcis-context.ts';
export type { EpcisEvent, EpcisEventType, EpcisAction } from './epcis/epcis-event.ts';
export { mapFact } from './epcis/map-fact.ts';
export { identifierFor } from './epcis/identifier.ts';
export type { CbvVersion, HashOptions } from './epcis/event-hash.ts';
export { eventHashId, prehashString } from './epcis/event-hash.ts';
export type { FreezeOptions, FrozenEvent } from './epcis/freeze-event.ts';
export { freezeEvent } from './epcis/freeze-event.ts';
export type { DocumentContext } from './epcis/capture-document.ts';
export { captureDocument, EPCIS_CONTEXT_URL } from './epcis/capture-document.ts';
export type { ValidationIssue, ValidationResult } from './epcis/validate.ts';
export { validateDocument, validateEventInDocument, warmValidators } from './epcis/validate.ts';
export { maskIdentifier } from './epcis/mask-secret.ts';
export type { CaptureErrorBehaviour, CaptureEventError, CaptureJobResult, Conflict, ConflictKind } from './receiver/capture-job.ts';
export type { ReceiverLimits, ReceiverOptions, RunningHqReceiver, RunningReceiver } from './receiver/start-receiver.ts';
export type { EpcState, ReceiverStorage, SiteActivity, StoredConflict } from './receiver/storage-port.ts';
export { startReceiver, DEFAULT_RECEIVER_LIMITS } from './receiver/start-receiver.ts';
export { guardDriverFaults, PgReceiverStorage, redactPgUrl } from './receiver/pg-storage.ts';
export { SyncError, SyncBugError } from './errors.ts';
export type { SyncErrorCode } from './errors.ts';
