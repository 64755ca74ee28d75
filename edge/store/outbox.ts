import type { Statement } from 'better-sqlite3';
import type { FrozenEventText, OutboxCounts, OutboxEntry, OutboxSource, SyncState } from '../../sync/index.ts';
import { StoreBugError, StoreError } from './errors.ts';
import type { Db } from './open.ts';
import { perConnection } from './statement-cache.ts';

/**
 * The transactional outbox over the `outbox` table (migrations/0001-initial.ts): EPCIS events frozen (eventID +
 * body) in the same transaction as the state change that produced them (DESIGN §3, notes/reliability-security
 * §4). Triggers keep body, eventID and type frozen and let only confirmed rows be pruned. A row leaves `pending`
 * only on headquarters' word (sync/sender); there is deliberately no way here to mark a row uploaded by hand.
 *
 * Sender bookkeeping lives in `meta` under `sync.*` keys so `wuma sync status`, in another process, can read it.
 */

export interface AppendOptions {
  readonly batchId?: number;
  /** The pallet code this event belongs to (for per-pallet "confirmed by headquarters" status). */
  readonly pallet?: string;
  /** ISO 8601 write time; default now. */
  readonly at?: string;
}

interface Statements {
  readonly insert: Statement<unknown[]>;
  readonly peek: Statement<unknown[]>;
  readonly confirm: Statement<unknown[]>;
  readonly quarantine: Statement<unknown[]>;
  readonly attempt: Statement<unknown[]>;
  readonly counts: Statement<unknown[]>;
  readonly meta: Statement<unknown[]>;
}

const statements = perConnection((db: Db): Statements => ({
  insert: db.prepare('INSERT INTO outbox (event_id, event_type, body, created_at, batch_id, pallet) VALUES (?, ?, ?, ?, ?, ?)'),
  peek: db.prepare(`SELECT id, event_id, event_type, body, created_at, pallet, batch_id, attempts FROM outbox
                    WHERE state = 'pending' AND id > ? ORDER BY id LIMIT ?`).raw(),
  confirm: db.prepare(`UPDATE outbox SET state = 'confirmed', confirmed_at = ? WHERE id BETWEEN ? AND ? AND state = 'pending'`),
  quarantine: db.prepare(`UPDATE outbox SET state = 'quarantined', last_error = ? WHERE id = ? AND state = 'pending'`),
  attempt: db.prepare(`UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id BETWEEN ? AND ? AND state = 'pending'`),
  counts: db.prepare('SELECT state, count(*) AS n FROM outbox GROUP BY state'),
  meta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
}));

/**
 * Appends one frozen event. Must run inside the caller's transaction (the station's decision), so the event
 * commits or rolls back with the state change it describes. Returns the outbox id. A second event with the same
 * eventID is a CONFLICT (the hash says it is the same event: the caller decided the same thing twice).
 */
export function appendOutbox(db: Db, frozen: FrozenEventText, options: AppendOptions = {}): number {
  if (!db.inTransaction) throw new StoreBugError('appendOutbox must run inside the transaction of the state change it records');
  if (frozen.eventID.length === 0 || frozen.body.length === 0 || frozen.eventType.length === 0) {
    throw new StoreError('INVALID_INPUT', `待上传事件缺少 eventID/eventType/body (outbox event lacks eventID, eventType or body)`);
  }
  try {
    const r = statements(db).insert.run(frozen.eventID, frozen.eventType, frozen.body, options.at ?? new Date().toISOString(), options.batchId ?? null, options.pallet ?? null);
    return Number(r.lastInsertRowid);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new StoreError('CONFLICT', `事件已在待上传队列中: ${frozen.eventID} (event already in the outbox)`, { cause: error });
    }
    throw error;
  }
}

type PeekRow = [number, string, string, string, string, string | null, number | null, number];

/**
 * `ids` as runs of consecutive integers `[first, last]`, so a batch (consecutive outbox ids, with gaps only
 * where rows left the queue earlier) is written with one UPDATE per run instead of one per row. Runs cover
 * exactly the given ids, never an id in between.
 */
export function idRuns(ids: readonly number[]): [number, number][] {
  const sorted = ids.every((id, i) => i === 0 || id > (ids[i - 1] ?? 0)) ? ids : [...ids].sort((a, b) => a - b);
  const runs: [number, number][] = [];
  let run: [number, number] | undefined;
  for (const id of sorted) {
    if (run !== undefined && id <= run[1] + 1) run[1] = Math.max(run[1], id);
    else runs.push(run = [id, id]);
  }
  return runs;
}

/** The SQLite `OutboxSource` the sender runs on. Each write is one short transaction. */
export interface SqliteOutboxOptions {
  /**
   * Checkpoint the WAL (PASSIVE: never waits for readers or writers) after each confirmation. For a process that
   * only sends (`wuma sync`): confirmations are its only writes, and this keeps the WAL short without the
   * checkpoint worker thread and its second V8 isolate (~19 MiB). A station keeps its own worker.
   */
  readonly checkpointAfterConfirm?: boolean;
}

export class SqliteOutbox implements OutboxSource {
  readonly #db: Db;
  readonly #checkpoint: boolean;
  readonly #s: Statements;
  readonly #confirmAll: (ids: readonly number[], at: string) => void;
  readonly #attemptAll: (ids: readonly number[], error: string) => void;

  constructor(db: Db, options: SqliteOutboxOptions = {}) {
    this.#db = db;
    this.#checkpoint = options.checkpointAfterConfirm === true;
    this.#s = statements(db);
    this.#confirmAll = db.transaction((ids: readonly number[], at: string) => {
      let changed = 0;
      for (const [first, last] of idRuns(ids)) changed += this.#s.confirm.run(at, first, last).changes;
      if (changed > 0) this.#s.meta.run('sync.last_success', at);
    });
    this.#attemptAll = db.transaction((ids: readonly number[], error: string) => {
      for (const [first, last] of idRuns(ids)) this.#s.attempt.run(error, first, last);
    });
  }

  peek(afterId: number, limit: number): OutboxEntry[] {
    const rows = this.#s.peek.all(afterId, limit) as PeekRow[];
    const entries: OutboxEntry[] = new Array<OutboxEntry>(rows.length);
    for (let i = 0; i < rows.length; i += 1) {
      const [id, eventId, eventType, body, createdAt, pallet, batchId, attempts] = rows[i] as PeekRow;
      entries[i] = pallet === null || batchId === null
        ? { id, eventId, eventType, body, createdAt, attempts, ...(pallet === null ? {} : { pallet }), ...(batchId === null ? {} : { batchId }) }
        : { id, eventId, eventType, body, createdAt, attempts, pallet, batchId };
    }
    return entries;
  }

  markConfirmed(ids: readonly number[], at: string): void {
    if (ids.length === 0) return;
    this.#confirmAll(ids, at);
    // PASSIVE reports a busy checkpoint (another process's checkpointer) as a result row, not an error; the
    // next confirmation tries again.
    if (this.#checkpoint) this.#db.pragma('wal_checkpoint(PASSIVE)');
  }

  quarantine(id: number, reason: string, _at: string): void {
    this.#s.quarantine.run(reason, id);
  }

  recordAttempt(ids: readonly number[], error: string): void {
    if (ids.length > 0) this.#attemptAll(ids, error);
  }

  counts(): OutboxCounts {
    return outboxCounts(this.#db);
  }

  noteState(state: SyncState, at: string, detail?: string): void {
    this.#db.transaction(() => {
      this.#s.meta.run('sync.state', state);
      this.#s.meta.run('sync.state_at', at);
      this.#s.meta.run('sync.state_detail', detail ?? '');
    })();
  }
}

export function outboxCounts(db: Db): OutboxCounts {
  const counts = { pending: 0, confirmed: 0, quarantined: 0 };
  for (const row of statements(db).counts.all() as { state: keyof OutboxCounts; n: number }[]) counts[row.state] = row.n;
  return counts;
}

export interface QuarantinedEvent {
  readonly id: number;
  readonly eventId: string;
  readonly eventType: string;
  readonly createdAt: string;
  readonly batchId: number | null;
  readonly pallet: string | null;
  readonly attempts: number;
  /** The receiver's reason, as it gave it. */
  readonly reason: string;
}

export interface PalletConfirmation {
  readonly pallet: string;
  readonly events: number;
  readonly confirmed: number;
  readonly pending: number;
  readonly quarantined: number;
  /** Every event of the pallet is stored at headquarters. */
  readonly confirmedByHeadquarters: boolean;
}

export interface SyncStatus {
  readonly counts: OutboxCounts;
  /** Oldest pending event's write time: how far behind headquarters is. */
  readonly oldestPendingAt: string | null;
  readonly lastSuccessAt: string | null;
  /** The sender's last noted state (troubles and recoveries), or null if it never ran. */
  readonly sender: { readonly state: string; readonly at: string; readonly detail: string } | null;
  readonly quarantined: readonly QuarantinedEvent[];
  readonly quarantinedShown: number;
}

function meta(db: Db, key: string): string | null {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value ?? null;
}

/** What IT sees in `wuma sync status`: backlog, last success, the sender's state, quarantined events. */
export function syncStatus(db: Db, quarantineLimit = 100): SyncStatus {
  const oldest = db.prepare(`SELECT created_at FROM outbox WHERE state = 'pending' ORDER BY id LIMIT 1`).get() as { created_at: string } | undefined;
  const quarantined = (db.prepare(`SELECT id, event_id, event_type, created_at, batch_id, pallet, attempts, last_error FROM outbox
      WHERE state = 'quarantined' ORDER BY id LIMIT ?`).all(quarantineLimit) as {
    id: number; event_id: string; event_type: string; created_at: string; batch_id: number | null; pallet: string | null; attempts: number; last_error: string | null;
  }[]).map((r) => ({
    id: r.id, eventId: r.event_id, eventType: r.event_type, createdAt: r.created_at, batchId: r.batch_id, pallet: r.pallet,
    attempts: r.attempts, reason: r.last_error ?? '',
  }));
  const state = meta(db, 'sync.state');
  return {
    counts: outboxCounts(db),
    oldestPendingAt: oldest?.created_at ?? null,
    lastSuccessAt: meta(db, 'sync.last_success'),
    sender: state === null ? null : { state, at: meta(db, 'sync.state_at') ?? '', detail: meta(db, 'sync.state_detail') ?? '' },
    quarantined,
    quarantinedShown: quarantined.length,
  };
}

/** Per-pallet "confirmed by headquarters" counts, newest pallets first; `pallet` narrows to one. */
export function palletConfirmations(db: Db, options: { pallet?: string; limit?: number } = {}): PalletConfirmation[] {
  const rows = db.prepare(`SELECT pallet, count(*) AS events,
        sum(state = 'confirmed') AS confirmed, sum(state = 'pending') AS pending, sum(state = 'quarantined') AS quarantined
      FROM outbox WHERE pallet IS NOT NULL ${options.pallet === undefined ? '' : 'AND pallet = @pallet'}
      GROUP BY pallet ORDER BY max(id) DESC LIMIT @limit`)
    .all({ limit: options.limit ?? 100, ...(options.pallet === undefined ? {} : { pallet: options.pallet }) }) as {
    pallet: string; events: number; confirmed: number; pending: number; quarantined: number;
  }[];
  return rows.map((r) => ({ ...r, confirmedByHeadquarters: r.events > 0 && r.confirmed === r.events }));
}

/** Frozen bodies of one production batch's events in write order (any state), for the hand-carried export. */
export function outboxBodiesOfBatch(db: Db, batchId: number): { bodies: string[]; newestAt: string | null } {
  const rows = db.prepare('SELECT body, created_at FROM outbox WHERE batch_id = ? ORDER BY id').raw().all(batchId) as [string, string][];
  let newest: string | null = null;
  for (const [, at] of rows) if (newest === null || at > newest) newest = at;
  return { bodies: rows.map(([body]) => body), newestAt: newest };
}
