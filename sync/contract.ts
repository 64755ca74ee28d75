/**
 * The sync contract: only types. The outbox (SQLite, edge/store/outbox.ts) implements `OutboxSource`; the sender
 * (sync/sender/) consumes it and speaks the EPCIS 2.0 REST capture binding (EPCIS 2.0 §12,
 * gs1-epcis/REST-Bindings/openapi.yaml) to headquarters.
 *
 * Invariants the implementations keep:
 * - An entry's `eventId`, `eventType` and `body` are frozen when it is written (same transaction as the state
 *   change that produced it); every send and resend carries exactly those bytes, so a resend is idempotent at a
 *   receiver that dedupes by eventID.
 * - An entry leaves `pending` only by headquarters' word: confirmed (a capture job that finished with success)
 *   or quarantined (the receiver rejected it, with its reason). There is no manual "set uploaded" anywhere.
 */

/** A frozen EPCIS event as produced by sync/epcis `freezeEvent`: the hash eventID and the exact JSON text. */
export interface FrozenEventText {
  readonly eventID: string;
  readonly eventType: string;
  readonly body: string;
}

/** Outbox row states (edge/store/migrations/0001-initial.ts `outbox.state`). */
export type OutboxState = 'pending' | 'confirmed' | 'quarantined';

export interface OutboxEntry {
  /** Outbox row id: monotonically increasing in write order; the send order. */
  readonly id: number;
  readonly eventId: string;
  readonly eventType: string;
  /** The frozen event JSON text, sent byte for byte. */
  readonly body: string;
  /** ISO 8601 time the row was written. */
  readonly createdAt: string;
  readonly pallet?: string;
  readonly batchId?: number;
  /** Failed send attempts so far (network errors, timeouts, 5xx). */
  readonly attempts: number;
}

export interface OutboxCounts {
  readonly pending: number;
  readonly confirmed: number;
  readonly quarantined: number;
}

/**
 * What the sender needs from the outbox. Synchronous: the station's store is better-sqlite3, and each call is
 * one short transaction. Ids passed back are ids the sender received from `peek`.
 */
export interface OutboxSource {
  /** Up to `limit` pending entries with id > afterId, ascending by id. */
  peek(afterId: number, limit: number): OutboxEntry[];
  /** Headquarters confirmed these (capture job finished with success). Idempotent. `at` is ISO 8601. */
  markConfirmed(ids: readonly number[], at: string): void;
  /** Headquarters rejected this entry; it leaves the queue with the server's reason. Idempotent. */
  quarantine(id: number, reason: string, at: string): void;
  /** A send attempt of these entries failed transiently; counts it and keeps the error text. */
  recordAttempt(ids: readonly number[], error: string): void;
  counts(): OutboxCounts;
  /** Persists the sender's state for `wuma sync status` (another process may be asking). */
  noteState(state: SyncState, at: string, detail?: string): void;
}

/** Limits advertised by `OPTIONS /capture` (openapi `204CaptureEndpointDiscovery`). */
export interface CaptureLimits {
  /** `GS1-EPCIS-Capture-Limit`: most events per capture request. */
  readonly maxEvents: number;
  /** `GS1-EPCIS-Capture-File-Size-Limit`: most bytes per capture request body. */
  readonly maxBytes: number;
}

/** One event a finished capture job (or a 400 response) names as wrong. */
export interface EventRejection {
  readonly eventId: string;
  readonly reason: string;
  /** The receiver says it already holds this eventID (409 ResourceAlreadyExists): delivered, not rejected. */
  readonly alreadyExists: boolean;
}

/**
 * The outcome of sending one capture document, which the sender branches on (STYLE.md "Values and errors"):
 * - accepted: the job finished with success; every event in it is stored.
 * - rejected: nothing stored (rollback); `events` lists the offenders the server named (maybe none, when the
 *   server's errors cannot be tied to an event: the sender then bisects the batch to find them).
 * - too-large: 413 CaptureLimitExceeded; halve the batch.
 * - unauthorized: 401 / 403; stop until a new token.
 * - retry: network error, timeout, 5xx, a job that never finished; resend the same bytes later.
 */
export type CaptureResult =
  | { readonly kind: 'accepted'; readonly captureId: string }
  | { readonly kind: 'rejected'; readonly events: readonly EventRejection[]; readonly reason: string }
  | { readonly kind: 'too-large'; readonly limits?: Partial<CaptureLimits> }
  | { readonly kind: 'unauthorized'; readonly status: number; readonly reason: string }
  | { readonly kind: 'retry'; readonly reason: string };

/** The sync state machine's states (sync/sender/state-machine.ts). */
export type SyncState =
  /** Reading `OPTIONS /capture` limits. */
  | 'discovering'
  /** Nothing pending; waiting for new outbox rows. */
  | 'idle'
  /** A capture request is on the wire. */
  | 'sending'
  /** Following `Location`: polling the capture job. */
  | 'polling'
  /** A transient failure; waiting out exponential backoff with jitter. */
  | 'backoff'
  /** 401 / 403: stopped, alarm raised; leaves only on a new token (or a restart). */
  | 'unauthorized'
  /** Shut down (SIGINT, `--once` drained). Final. */
  | 'stopped';

/** What happens to the state machine. */
export type SyncEvent =
  | 'limits-read'
  | 'work-found'
  | 'queue-empty'
  | 'posted'
  | 'job-running'
  | 'accepted'
  | 'rejected'
  | 'too-large'
  | 'retry'
  | 'unauthorized'
  | 'backoff-elapsed'
  | 'new-token'
  | 'stop';

/** Counters of one sender run; `wuma sync --once` prints them. */
export interface SyncSummary {
  readonly confirmed: number;
  readonly quarantined: number;
  readonly requests: number;
  readonly retries: number;
  readonly bytesSent: number;
  readonly state: SyncState;
}
