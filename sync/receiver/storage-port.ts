/**
 * The receiver's storage port (issue 14, DESIGN.md §10): what the HTTP receiver needs from its database, with two
 * adapters chosen at start — SQLite (`sqlite-storage.ts`, the embedded default: one process, one file) and
 * PostgreSQL (`pg-storage.ts`: N receiver processes on one server). Both must give the same answers; the shared
 * suite `storage.conformance.case.ts` runs against each.
 *
 * Invariants every adapter keeps:
 * - Idempotency by eventID is the database's unique key, never a process's memory: a resend to any receiver is
 *   stored once; the same eventID with other content is a 409 error for that event.
 * - One capture is one transaction: its events, index rows, conflicts and its finished capture job commit
 *   together (or, under `rollback` with errors, nothing but the job).
 * - Capture jobs live in the database, so `GET /capture/{id}` answers on whichever receiver is asked.
 * - Conflicts are flagged and stored with the events, never rejected. Within one capture every commissioning
 *   is applied before any code is checked as known (so both adapters agree on order inside a document).
 * - Query pages are ordered by the store's own insertion id; a page token fixes the upper id bound at the first
 *   page, after every capture that had begun has committed, so paging never repeats or skips an event that
 *   existed when the query began, whatever is inserted meanwhile (EPCIS 2.0 §12.4 pagination).
 */
import type { CaptureErrorBehaviour, CaptureEventError, CaptureJobResult, Conflict } from './capture-job.ts';

export interface IngestOutcome {
  readonly stored: number;
  readonly duplicates: number;
  readonly errors: CaptureEventError[];
  readonly conflicts: Conflict[];
}

export interface IngestOptions {
  readonly behaviour: CaptureErrorBehaviour;
  readonly captureID: string | null;
  /** Document `@context` prefixes (for re-hashing events with extension keys). */
  readonly prefixes?: Readonly<Record<string, string>>;
  /** `standalone` for `POST /events` (the event then needs its own `@context`). */
  readonly mode?: 'document' | 'standalone';
  /** The capture job for this outcome, saved in the ingest transaction (or on its own after a rollback). */
  readonly job?: (outcome: IngestOutcome) => CaptureJobResult;
  /** Record time (epoch ms) of this capture; default now. Tests plant clock skew with it. */
  readonly now?: number;
}

/** The subset of the EPCIS 2.0 SimpleEventQuery parameters the receiver answers (values already canonical). */
export interface EventQuery {
  /** Bare CBV words (`commissioning`), any of. */
  readonly bizStep?: readonly string[];
  readonly disposition?: readonly string[];
  /** Canonical identifiers (Digital Link form), any of; each MATCH_ list narrows the result (AND). */
  readonly matchEpc?: readonly string[];
  readonly matchAnyEpc?: readonly string[];
  readonly matchParentID?: readonly string[];
  /** Event time bounds, epoch ms: `GE_eventTime` ≤ t < `LT_eventTime`. */
  readonly geEventTime?: number;
  readonly ltEventTime?: number;
  readonly bizLocation?: readonly string[];
  readonly readPoint?: readonly string[];
}

/** Keyset position of a query: events with after < id ≤ upTo. */
export interface PageWindow {
  readonly after: number;
  readonly upTo: number;
}

export interface QueryPage {
  readonly bodies: string[];
  /** The id of the last event on this page when there may be more; null on the last page. */
  readonly lastId: number | null;
}

/** Where a code stands, built from the stored events (`GET /epcs/{epc}`). */
export interface EpcState {
  readonly epc: string;
  readonly commissioned: { readonly eventID: string; readonly site: string | null } | null;
  readonly eventCount: number;
  readonly lastEvent: {
    readonly eventID: string; readonly type: string; readonly action: string | null; readonly bizStep: string | null;
    readonly disposition: string | null; readonly eventTime: string; readonly readPoint: string | null; readonly bizLocation: string | null;
  } | null;
  /** Parent, grandparent, … (nearest first). */
  readonly parents: readonly string[];
  readonly children: readonly string[];
}

/** One reading point (station) as headquarters sees it: the readPoint, else the bizLocation, of its events. */
export interface SiteActivity {
  readonly site: string;
  readonly events: number;
  /** Record time of its last capture (epoch ms). */
  readonly lastCaptureAt: number;
  /** Latest event time it sent (epoch ms). */
  readonly lastEventTime: number;
}

export interface StoredConflict extends Conflict {
  readonly id: number;
  readonly at: number;
  readonly captureID: string | null;
}

export interface ReceiverStorage {
  readonly kind: 'sqlite' | 'postgres';
  ingest(events: readonly unknown[], options: IngestOptions): Promise<IngestOutcome>;
  /** The stored JSON of an event. */
  event(eventID: string): Promise<string | undefined>;
  /** The highest id a new query may see: every capture begun before this call has committed at or below it. */
  queryBound(): Promise<number>;
  queryEvents(query: EventQuery, window: PageWindow, perPage: number): Promise<QueryPage>;
  epcState(epc: string): Promise<EpcState | null>;
  conflicts(limit: number): Promise<StoredConflict[]>;
  sites(): Promise<SiteActivity[]>;
  eventCount(): Promise<number>;
  saveJob(job: CaptureJobResult): Promise<void>;
  job(captureID: string): Promise<string | undefined>;
  close(): Promise<void>;
}
