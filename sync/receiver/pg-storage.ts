/**
 * The PostgreSQL adapter of the receiver's storage port (issue 14): N receiver processes on one server. Driver:
 * `postgres` (porsager/postgres), the maintained npm client — no hand-written wire code.
 *
 * - Idempotency is `events.event_id UNIQUE`: `INSERT … ON CONFLICT DO NOTHING RETURNING` decides which events of a
 *   capture are new, atomically across receivers (a concurrent insert of the same key waits for the other
 *   transaction and then counts as a duplicate). The same holds for `commissioned.epc` and `parent_of.child`, so a
 *   code commissioned twice or a child packed twice through two receivers at once is still flagged.
 * - One capture is one transaction (events, codes, conflicts, site activity and the finished capture job).
 *   A deadlock or serialization failure between receivers retries the whole capture (up to 5 times).
 * - Rows per event are what PostgreSQL's CPU pays for (the HQ bench: index inserts dominate), so a commissioning is
 *   written once: its `commissioned` row is also the code's index entry for that event, and `codes` gets a
 *   role-1 row only for a commissioning that lost (a second commissioning of a known code). The commissioning rows
 *   are inserted first (`ON CONFLICT DO NOTHING RETURNING`): the codes that lose are the ones the database already
 *   knew, so only those, and the must-be-known codes this capture does not commission itself, are read back.
 *   Inside a capture `enable_seqscan` is off: every statement is a key lookup, and a long `= ANY(array)` would
 *   otherwise tempt the planner into (parallel) sequential scans of a growing table.
 * - Keys compare bytewise (`COLLATE "C"`): codes and eventIDs are identifiers, not words, and the cluster's
 *   locale collation costs every B-tree comparison.
 * - Page bounds: every capture takes `pg_advisory_xact_lock_shared(QUERY_LOCK)`; `queryBound()` takes it exclusively
 *   for a moment, so the max id it reads has no uncommitted capture below it (see storage-port.ts).
 * - Schema migrations are numbered (`wuma_receiver_schema`), applied at open under an advisory lock, so receivers
 *   starting at once migrate once.
 * - Connection loss (a PostgreSQL restart, a cut network): the whole driver pool is replaced by a fresh one and the old
 *   one is ended at once, rejecting whatever it still held. A capture whose connection was lost is tried again on the
 *   fresh pool (its events are deduplicated by key, so a commit whose answer was lost is harmless); if the server is
 *   still away it surfaces as RECEIVER_STORAGE (HTTP 500) and the sender retries. Why the whole pool: after a
 *   connection dies the `postgres` driver 3.4.x can keep a connection that never sends again, and can throw an
 *   uncatchable TypeError from `nextWrite` (porsager/postgres#1208); `guardDriverFaults` turns that throw into a
 *   replacement of the pool instead of the end of the receiver process.
 */
import postgres from 'postgres';
import { SyncError } from '../errors.ts';
import { canonicalIdentifier } from '../epcis/canonical-identifier.ts';
import type { CaptureEventError, CaptureJobResult, Conflict } from './capture-job.ts';
import { detectConflicts, doubleParent, type ConflictLedger, type FreshEvent } from './detect-conflicts.ts';
import { epcStateOf, MAX_CHILDREN, MAX_DEPTH, siteActivity } from './epc-state.ts';
import { clashError, eventFacts, prepareEvent, ROLE, type Candidate } from './prepare-event.ts';
import type { EpcState, EventQuery, IngestOptions, IngestOutcome, PageWindow, QueryPage, ReceiverStorage, SiteActivity, StoredConflict } from './storage-port.ts';

type Sql = postgres.Sql;
type Tx = postgres.TransactionSql;

const QUERY_LOCK = 1_414_001;
const MIGRATION_LOCK = 1_414_002;
const RETRYABLE = new Set(['40P01', '40001']);
/** Driver codes and SQLSTATEs (class 08 too) that mean the connection or the server is gone, not the statement. */
const CONNECTION_LOST = new Set(['CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECTION_ENDED', 'CONNECT_TIMEOUT', 'ECONNREFUSED', 'ECONNRESET',
  'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', '57P01', '57P02', '57P03']);
/** Tries of one capture over lost connections (each on a fresh pool). */
const CONNECTION_TRIES = 3;

export function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (CONNECTION_LOST.has(code) || code.startsWith('08'));
}

const DRIVER_SOURCE = /[\\/]postgres[\\/]src[\\/](connection|index)\.js/;

/**
 * The driver's own faults after a lost connection, which escape every await: a throw from its deferred `nextWrite`
 * (a TypeError on the nulled socket, porsager/postgres#1208, or the socket's write error), or the connection-loss
 * rejection of a query the driver issued itself, which nobody awaits (its stack may hold only Node's socket frames;
 * in a receiver process the driver is the only thing that rejects promises with socket errors).
 */
export function isDriverFault(error: unknown, origin: 'uncaughtException' | 'unhandledRejection'): boolean {
  if (origin === 'unhandledRejection') return isConnectionLoss(error);
  const stack = error instanceof Error ? error.stack ?? '' : '';
  return DRIVER_SOURCE.test(stack) && (/\bnextWrite\b/.test(stack) || isConnectionLoss(error));
}

/** Numbered migrations; a receiver applies those above the stored version, in order, in one transaction. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE events (
     id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     event_id text NOT NULL UNIQUE,
     body text NOT NULL,
     capture_id text,
     record_time bigint NOT NULL,
     event_time bigint NOT NULL,
     type text NOT NULL,
     action text,
     biz_step text,
     disposition text,
     biz_location text,
     read_point text
   );
   CREATE TABLE codes (epc text NOT NULL, role smallint NOT NULL, event bigint NOT NULL, PRIMARY KEY (epc, role, event));
   CREATE TABLE commissioned (epc text PRIMARY KEY, event bigint NOT NULL, site text);
   CREATE TABLE parent_of (child text PRIMARY KEY, parent text NOT NULL);
   CREATE INDEX parent_of_parent ON parent_of (parent);
   CREATE TABLE conflicts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind text NOT NULL, event_id text NOT NULL,
     epc text NOT NULL, detail text NOT NULL, site text, capture_id text, at bigint NOT NULL);
   CREATE TABLE capture_jobs (capture_id text PRIMARY KEY, result text NOT NULL);
   CREATE TABLE sites (site text PRIMARY KEY, events bigint NOT NULL, last_capture bigint NOT NULL, last_event_time bigint NOT NULL);`,
  // 2: bytewise keys; a won commissioning's index entry is its `commissioned` row (see the header).
  `ALTER TABLE events ALTER COLUMN event_id TYPE text COLLATE "C";
   ALTER TABLE codes ALTER COLUMN epc TYPE text COLLATE "C";
   ALTER TABLE commissioned ALTER COLUMN epc TYPE text COLLATE "C";
   ALTER TABLE parent_of ALTER COLUMN child TYPE text COLLATE "C", ALTER COLUMN parent TYPE text COLLATE "C";
   DELETE FROM codes c USING commissioned m WHERE c.role = ${ROLE.commissioned} AND c.epc = m.epc AND c.event = m.event;`,
  // 3: a code's commissioning event is read from the key alone (index-only scan: one random read less per lookup).
  `ALTER TABLE commissioned DROP CONSTRAINT commissioned_pkey, ADD CONSTRAINT commissioned_pkey PRIMARY KEY (epc) INCLUDE (event);`,
];

export interface PgStorageOptions {
  /** Pool size of this receiver (default 8). */
  readonly max?: number;
  readonly clockSkewMs?: number;
}

const openPool = (url: string, max: number): Sql =>
  postgres(url, { max, onnotice: () => {}, idle_timeout: 30, connect_timeout: 10, prepare: true });

const storageError = (what: string, error: unknown): SyncError =>
  new SyncError('RECEIVER_STORAGE', `接收端 PostgreSQL ${what}失败 (PostgreSQL ${what === '写入' ? 'write' : 'read'} failed): ${(error as Error).message}`, { cause: error });

/** `postgres://user:pw@host/db` → the same with the password replaced, for messages. */
export function redactPgUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+):[^@/]*@/, '$1:***@');
}

export class PgReceiverStorage implements ReceiverStorage {
  readonly kind = 'postgres' as const;
  /** The current pool; replaced (never patched) when a connection is lost. */
  private sql: Sql;
  private readonly url: string;
  private readonly max: number;
  private readonly clockSkewMs: number | undefined;
  /** Old pools still ending. */
  private readonly retiring = new Set<Promise<void>>();
  private closed = false;

  private constructor(sql: Sql, url: string, options: PgStorageOptions) {
    this.sql = sql;
    this.url = url;
    this.max = options.max ?? 8;
    this.clockSkewMs = options.clockSkewMs;
  }

  /** Connects and migrates; fails with RECEIVER_STORAGE when the server cannot be reached. */
  static async open(url: string, options: PgStorageOptions = {}): Promise<PgReceiverStorage> {
    const sql = openPool(url, options.max ?? 8);
    try {
      await sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
        await tx`CREATE TABLE IF NOT EXISTS wuma_receiver_schema (version int NOT NULL)`;
        const rows = await tx<{ version: number }[]>`SELECT version FROM wuma_receiver_schema`;
        const version = rows[0]?.version ?? 0;
        if (version > MIGRATIONS.length) throw new Error(`数据库结构版本 ${version} 比本程序新 (schema version ${version} is newer than this receiver: ${MIGRATIONS.length})`);
        for (let v = version; v < MIGRATIONS.length; v += 1) await tx.unsafe(MIGRATIONS[v] ?? '');
        if (rows.length === 0) await tx`INSERT INTO wuma_receiver_schema (version) VALUES (${MIGRATIONS.length})`;
        else await tx`UPDATE wuma_receiver_schema SET version = ${MIGRATIONS.length}`;
      });
    } catch (error) {
      await sql.end({ timeout: 1 });
      throw new SyncError('RECEIVER_STORAGE', `接收端 PostgreSQL 无法打开: ${redactPgUrl(url)} (cannot open PostgreSQL): ${(error as Error).message}`, { cause: error });
    }
    return new PgReceiverStorage(sql, url, options);
  }

  /**
   * Replaces the pool `failed` with a fresh one, once (a pool already replaced is left alone), and ends `failed` at
   * once: its pending queries reject with CONNECTION_DESTROYED and take their connections, wedged or not, with them.
   */
  private replacePool(failed: Sql, why: string): void {
    if (this.closed || failed !== this.sql) return;
    this.sql = openPool(this.url, this.max);
    const ending = failed.end({ timeout: 0 }).catch(() => {}).finally(() => { this.retiring.delete(ending); });
    this.retiring.add(ending);
    process.emitWarning(`PostgreSQL 连接中断，已换用新的连接池 (connection lost, pool replaced): ${why}`);
  }

  /** After the driver's own fault the faulty connection cannot be named: the current pool goes. */
  driverFault(error: unknown): void {
    this.replacePool(this.sql, whyLost(error));
  }

  private async use<T>(what: '读取' | '写入', op: (sql: Sql) => Promise<T>): Promise<T> {
    const sql = this.sql;
    try {
      return await op(sql);
    } catch (error) {
      if (isConnectionLoss(error)) this.replacePool(sql, whyLost(error));
      throw storageError(what, error);
    }
  }

  async ingest(events: readonly unknown[], options: IngestOptions): Promise<IngestOutcome> {
    const errors: CaptureEventError[] = [];
    const candidates: Candidate[] = [];
    for (let i = 0; i < events.length; i += 1) {
      const c = prepareEvent(events[i], i, options, errors);
      if (c) candidates.push(c);
    }
    const rolledBack = async (all: CaptureEventError[]): Promise<IngestOutcome> => {
      const outcome: IngestOutcome = { stored: 0, duplicates: 0, errors: all, conflicts: [] };
      if (options.job) await this.saveJob(options.job(outcome));
      return outcome;
    };
    if (options.behaviour === 'rollback' && errors.length > 0) return rolledBack(errors);
    for (let attempt = 1, lost = 0; ; attempt += 1) {
      const attemptErrors = [...errors];
      const sql = this.sql;
      try {
        return await sql.begin((tx) => this.write(tx, candidates, attemptErrors, options));
      } catch (error) {
        if (error === ROLLBACK_SIGNAL) return rolledBack(attemptErrors);
        const code = (error as { code?: unknown }).code;
        if (typeof code === 'string' && RETRYABLE.has(code) && attempt < 5) continue;
        if (isConnectionLoss(error)) {
          this.replacePool(sql, whyLost(error));
          lost += 1;
          if (lost < CONNECTION_TRIES && !this.closed) continue;
        }
        if (error instanceof SyncError) throw error;
        throw storageError('写入', error);
      }
    }
  }

  /** One capture's transaction; throws ROLLBACK_SIGNAL when it must roll back (clash errors under `rollback`). */
  private async write(tx: Tx, candidates: readonly Candidate[], errors: CaptureEventError[], options: IngestOptions): Promise<IngestOutcome> {
    const now = options.now ?? Date.now();
    await tx`SELECT pg_advisory_xact_lock_shared(${QUERY_LOCK}), set_config('enable_seqscan', 'off', true)`;
    const facts = candidates.map((c) => eventFacts(c.event));
    const inserted = candidates.length === 0 ? [] : await tx.unsafe<{ id: string; event_id: string }[]>(
      `INSERT INTO events (event_id, body, capture_id, record_time, event_time, type, action, biz_step, disposition, biz_location, read_point)
       SELECT u.event_id, u.body, $3, $4, u.event_time, u.type, u.action, u.biz_step, u.disposition, u.biz_location, u.read_point
       FROM unnest($1::text[], $2::text[], $5::int8[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
         AS u (event_id, body, event_time, type, action, biz_step, disposition, biz_location, read_point)
       ON CONFLICT (event_id) DO NOTHING RETURNING id, event_id`,
      [candidates.map((c) => c.eventID), candidates.map((c) => c.body), options.captureID, now, facts.map((f) => f.eventTime),
        facts.map((f) => f.type), facts.map((f) => f.action), facts.map((f) => f.bizStep), facts.map((f) => f.disposition),
        facts.map((f) => f.bizLocation), facts.map((f) => f.readPoint)] as never[],
    );
    const newIds = new Map(inserted.map((r) => [r.event_id, Number(r.id)]));
    const fresh: FreshEvent[] = [];
    const again: Candidate[] = [];
    for (let i = 0; i < candidates.length; i += 1) {
      const c = candidates[i] as Candidate;
      const row = newIds.get(c.eventID);
      if (row !== undefined) { newIds.delete(c.eventID); fresh.push({ c, f: facts[i]!, row }); } else again.push(c);
    }
    let duplicates = 0;
    if (again.length > 0) {
      const stored = await tx.unsafe<{ event_id: string; body: string }[]>('SELECT event_id, body FROM events WHERE event_id = ANY($1::text[])', [again.map((c) => c.eventID)]);
      const bodies = new Map(stored.map((r) => [r.event_id, r.body]));
      for (const c of again) {
        if (bodies.get(c.eventID) === c.body) duplicates += 1;
        else errors.push(clashError(c));
      }
    }
    if (options.behaviour === 'rollback' && errors.length > 0) throw ROLLBACK_SIGNAL;
    const { conflicts, indexedBy } = await this.conflictsOf(tx, fresh, now);
    await insertCodes(tx, fresh, indexedBy);
    if (conflicts.length > 0) {
      await tx.unsafe(`INSERT INTO conflicts (kind, event_id, epc, detail, site, capture_id, at)
        SELECT u.kind, u.event_id, u.epc, u.detail, u.site, $6, $7 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u (kind, event_id, epc, detail, site)`,
      [conflicts.map((k) => k.kind), conflicts.map((k) => k.eventID), conflicts.map((k) => k.epc), conflicts.map((k) => k.detail), conflicts.map((k) => k.site ?? null), options.captureID, now] as never[]);
    }
    const activity = [...siteActivity(fresh)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [site, a] of activity) {
      await tx`INSERT INTO sites (site, events, last_capture, last_event_time) VALUES (${site}, ${a.events}, ${now}, ${a.lastEventTime})
        ON CONFLICT (site) DO UPDATE SET events = sites.events + excluded.events, last_capture = greatest(sites.last_capture, excluded.last_capture),
        last_event_time = greatest(sites.last_event_time, excluded.last_event_time)`;
    }
    const outcome: IngestOutcome = { stored: fresh.length, duplicates, errors, conflicts };
    if (options.job) {
      const job = options.job(outcome);
      await tx`INSERT INTO capture_jobs (capture_id, result) VALUES (${job.captureID}, ${JSON.stringify(job)}) ON CONFLICT (capture_id) DO UPDATE SET result = excluded.result`;
    }
    return outcome;
  }

  /**
   * detectConflicts over an in-memory view of the codes this capture touches, then the changes written under the
   * unique keys. The capture's first commissioning (or pairing) of each code is inserted before the check: a code
   * the insert loses is one the database already knew (committed by an earlier capture, or by another receiver just
   * now), and its first site is read back. `indexedBy` maps each code whose `commissioned` row this capture wrote
   * to the event that row names (that event's role-1 `codes` row is not written).
   */
  private async conflictsOf(tx: Tx, fresh: readonly FreshEvent[], now: number): Promise<{ conflicts: Conflict[]; indexedBy: Map<string, number> }> {
    const firsts = new Map<string, { row: number; site: string | null }>();
    const children = new Set<string>();
    const unpackAllOf = new Set<string>();
    for (const e of fresh) {
      // The order detectConflicts applies them in: per event, its commissionings, then its pairings.
      for (const epc of e.f.commissions) if (!firsts.has(epc)) firsts.set(epc, { row: e.row, site: e.f.site });
      for (const epc of e.f.pairs) if (!firsts.has(epc)) firsts.set(epc, { row: e.row, site: e.f.site });
      if (e.f.type === 'AggregationEvent' && e.f.parent !== null) {
        for (const c of e.f.children) children.add(c);
        if (e.f.action === 'DELETE' && e.f.children.length === 0) unpackAllOf.add(e.f.parent);
      }
    }
    const indexedBy = new Map<string, number>();
    /** Codes the database knew before this capture, with the site that first commissioned them. */
    const known = new Map<string, string | null>();
    const knownAt = async (epcs: readonly string[]): Promise<void> => {
      if (epcs.length === 0) return;
      for (const r of await tx.unsafe<{ epc: string; site: string | null }[]>('SELECT epc, site FROM commissioned WHERE epc = ANY($1::text[])', [epcs as string[]])) known.set(r.epc, r.site);
    };
    if (firsts.size > 0) {
      const list = [...firsts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const won = await tx.unsafe<{ epc: string }[]>(
        'INSERT INTO commissioned (epc, event, site) SELECT * FROM unnest($1::text[], $2::int8[], $3::text[]) ON CONFLICT (epc) DO NOTHING RETURNING epc',
        [list.map(([epc]) => epc), list.map(([, v]) => v.row), list.map(([, v]) => v.site)] as never[]);
      for (const r of won) indexedBy.set(r.epc, firsts.get(r.epc)?.row ?? 0);
      await knownAt(list.filter(([epc]) => !indexedBy.has(epc)).map(([epc]) => epc));
    }
    const unsettled = new Set<string>();
    for (const e of fresh) for (const epc of e.f.mustKnow) if (!firsts.has(epc)) unsettled.add(epc);
    await knownAt([...unsettled]);
    const parentOf = new Map<string, string>();
    if (children.size > 0 || unpackAllOf.size > 0) {
      for (const r of await tx.unsafe<{ child: string; parent: string }[]>('SELECT child, parent FROM parent_of WHERE child = ANY($1::text[]) OR parent = ANY($2::text[])', [[...children], [...unpackAllOf]])) parentOf.set(r.child, r.parent);
    }
    const before = new Map(parentOf);
    const ledger: ConflictLedger = {
      commissionedBy: (epc) => known.get(epc),
      commission: (epc, _row, site) => {
        if (known.has(epc)) return false;
        known.set(epc, site);
        return true;
      },
      isKnown: (epc) => known.has(epc),
      parentOf: (child) => parentOf.get(child),
      pack: (child, parent) => {
        if (parentOf.has(child)) return false;
        parentOf.set(child, parent);
        return true;
      },
      unpack: (child, parent) => { if (parentOf.get(child) === parent) parentOf.delete(child); },
      unpackAll: (parent) => { for (const [c, p] of parentOf) if (p === parent) parentOf.delete(c); },
    };
    const out = detectConflicts(fresh, ledger, now, this.clockSkewMs);
    const changed = [...new Set([...before.keys(), ...parentOf.keys()])].filter((c) => before.get(c) !== parentOf.get(c)).sort();
    if (changed.length > 0) {
      const gone = changed.filter((c) => before.has(c));
      if (gone.length > 0) await tx.unsafe('DELETE FROM parent_of p USING unnest($1::text[], $2::text[]) AS u (child, parent) WHERE p.child = u.child AND p.parent = u.parent', [gone, gone.map((c) => before.get(c) ?? '')]);
      const added = changed.filter((c) => parentOf.has(c));
      if (added.length > 0) {
        const won = new Set((await tx.unsafe<{ child: string }[]>(
          'INSERT INTO parent_of (child, parent) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (child) DO NOTHING RETURNING child',
          [added, added.map((c) => parentOf.get(c) ?? '')])).map((r) => r.child));
        const lost = added.filter((c) => !won.has(c));
        if (lost.length > 0) {
          const now2 = new Map((await tx.unsafe<{ child: string; parent: string }[]>('SELECT child, parent FROM parent_of WHERE child = ANY($1::text[])', [lost])).map((r) => [r.child, r.parent]));
          for (const child of lost) {
            const wanted = parentOf.get(child) ?? '';
            const there = now2.get(child);
            const e = fresh.find((x) => x.f.parent === wanted && x.f.children.includes(child));
            if (there !== undefined && there !== wanted && e !== undefined) out.push(doubleParent(e, child, there, wanted));
          }
        }
      }
    }
    return { conflicts: out, indexedBy };
  }

  async event(eventID: string): Promise<string | undefined> {
    return this.use('读取', async (sql) => (await sql<{ body: string }[]>`SELECT body FROM events WHERE event_id = ${eventID}`)[0]?.body);
  }

  async queryBound(): Promise<number> {
    // One statement, its own transaction: the exclusive lock is held until it ends, so every capture that took ids
    // before it has ended by the time the bound is returned, and captures after it take larger ids.
    return this.use('读取', async (sql) => {
      const rows = await sql<{ m: string }[]>`SELECT pg_advisory_xact_lock(${QUERY_LOCK})::text AS l, coalesce((SELECT max(id) FROM events), 0) AS m`;
      return Number(rows[0]?.m ?? 0);
    });
  }

  async queryEvents(q: EventQuery, window: PageWindow, perPage: number): Promise<QueryPage> {
    const params: unknown[] = [window.after, window.upTo];
    const where: string[] = ['id > $1', 'id <= $2'];
    const p = (v: unknown): string => { params.push(v); return `$${params.length}`; };
    const anyOf = (column: string, values: readonly string[] | undefined): void => { if (values !== undefined) where.push(`${column} = ANY(${p([...values])}::text[])`); };
    const match = (values: readonly string[] | undefined, roles: readonly number[]): void => {
      if (values !== undefined) where.push(`id IN (${eventsNaming(p([...values]), roles)})`);
    };
    anyOf('biz_step', q.bizStep);
    anyOf('disposition', q.disposition);
    anyOf('biz_location', q.bizLocation);
    anyOf('read_point', q.readPoint);
    if (q.geEventTime !== undefined) where.push(`event_time >= ${p(q.geEventTime)}`);
    if (q.ltEventTime !== undefined) where.push(`event_time < ${p(q.ltEventTime)}`);
    match(q.matchEpc, [ROLE.mentioned, ROLE.commissioned]);
    match(q.matchParentID, [ROLE.parent]);
    match(q.matchAnyEpc, [ROLE.mentioned, ROLE.commissioned, ROLE.parent]);
    const limit = p(perPage + 1);
    return this.use('读取', async (sql) => {
      const rows = await sql.unsafe<{ id: string; body: string }[]>(`SELECT id, body FROM events WHERE ${where.join(' AND ')} ORDER BY id LIMIT ${limit}`, params as never[]);
      const more = rows.length > perPage;
      const page = more ? rows.slice(0, perPage) : rows;
      return { bodies: page.map((r) => r.body), lastId: more ? Number(page[page.length - 1]?.id ?? 0) : null };
    });
  }

  async epcState(raw: string): Promise<EpcState | null> {
    const epc = canonicalIdentifier(raw);
    return this.use('读取', async (sql) => {
      const naming = eventsNaming('$1', [ROLE.mentioned, ROLE.commissioned, ROLE.parent]);
      const count = Number((await sql.unsafe<{ n: string }[]>(`SELECT count(DISTINCT event) AS n FROM (${naming}) AS e`, [[epc]]))[0]?.n ?? 0);
      if (count === 0) return null;
      const last = (await sql.unsafe<{ body: string }[]>(`SELECT body FROM events WHERE id IN (${naming}) ORDER BY event_time DESC, id DESC LIMIT 1`, [[epc]]))[0]?.body;
      const c = (await sql<{ body: string | null; site: string | null }[]>`SELECT (SELECT body FROM events WHERE id = c.event) AS body, c.site FROM commissioned c WHERE c.epc = ${epc}`)[0];
      const parents: string[] = [];
      for (let at = epc; parents.length < MAX_DEPTH;) {
        const p = (await sql<{ parent: string }[]>`SELECT parent FROM parent_of WHERE child = ${at}`)[0]?.parent;
        if (p === undefined || parents.includes(p)) break;
        parents.push(p);
        at = p;
      }
      const children = (await sql<{ child: string }[]>`SELECT child FROM parent_of WHERE parent = ${epc} ORDER BY child LIMIT ${MAX_CHILDREN}`).map((r) => r.child);
      return epcStateOf(epc, count, last, c, parents, children);
    });
  }

  async conflicts(limit: number): Promise<StoredConflict[]> {
    return this.use('读取', async (sql) => {
      const rows = await sql<{ id: string; kind: Conflict['kind']; eventID: string; epc: string; detail: string; site: string | null; captureID: string | null; at: string }[]>`
        SELECT id, kind, event_id AS "eventID", epc, detail, site, capture_id AS "captureID", at FROM conflicts ORDER BY id DESC LIMIT ${limit}`;
      return rows.map((r) => ({ ...r, id: Number(r.id), at: Number(r.at) }));
    });
  }

  async sites(): Promise<SiteActivity[]> {
    return this.use('读取', async (sql) => {
      const rows = await sql<{ site: string; events: string; lastCaptureAt: string; lastEventTime: string }[]>`
        SELECT site, events, last_capture AS "lastCaptureAt", last_event_time AS "lastEventTime" FROM sites ORDER BY site`;
      return rows.map((r) => ({ site: r.site, events: Number(r.events), lastCaptureAt: Number(r.lastCaptureAt), lastEventTime: Number(r.lastEventTime) }));
    });
  }

  async eventCount(): Promise<number> {
    return this.use('读取', async (sql) => Number((await sql<{ n: string }[]>`SELECT count(*) AS n FROM events`)[0]?.n ?? 0));
  }

  async saveJob(job: CaptureJobResult): Promise<void> {
    await this.use('写入', (sql) => sql`INSERT INTO capture_jobs (capture_id, result) VALUES (${job.captureID}, ${JSON.stringify(job)}) ON CONFLICT (capture_id) DO UPDATE SET result = excluded.result`);
  }

  async job(captureID: string): Promise<string | undefined> {
    return this.use('读取', async (sql) => (await sql<{ result: string }[]>`SELECT result FROM capture_jobs WHERE capture_id = ${captureID}`)[0]?.result);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.sql.end({ timeout: 5 });
    await Promise.all(this.retiring);
  }
}

const whyLost = (error: unknown): string => {
  const e = error as { code?: unknown; message?: unknown };
  return `${typeof e.code === 'string' ? `${e.code} ` : ''}${typeof e.message === 'string' ? e.message : String(error)}`;
};

/**
 * For the process that owns the receiver (`wuma receiver`): the `postgres` driver's TypeError from `nextWrite` after a
 * lost connection (porsager/postgres#1208) escapes every await as an uncaught exception, and a query the driver
 * issued itself can reject with nobody listening when its pool is ended. Those replace the pool of `storage`
 * instead of ending the process. Any other uncaught exception or unhandled rejection ends the process as Node would
 * (its stack on stderr, exit code 1). Returns the uninstaller.
 */
export function guardDriverFaults(storage: PgReceiverStorage, stderr: NodeJS.WritableStream = process.stderr): () => void {
  const onUncaught = (error: unknown, origin: 'uncaughtException' | 'unhandledRejection'): void => {
    if (isDriverFault(error, origin)) {
      storage.driverFault(error);
      return;
    }
    stderr.write(`${error instanceof Error ? error.stack ?? String(error) : String(error)}\n`);
    process.exit(1);
  };
  const onRejection = (reason: unknown): void => { onUncaught(reason, 'unhandledRejection'); };
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onRejection);
  return () => { process.off('uncaughtException', onUncaught); process.off('unhandledRejection', onRejection); };
}

const ROLLBACK_SIGNAL = new Error('rollback');

/**
 * The `codes` index rows of the capture's new events, each (epc, role) once per event, without the role-1 row that
 * the code's `commissioned` row already stands for. The events are new rows, so a plain INSERT cannot collide.
 */
async function insertCodes(tx: Tx, fresh: readonly FreshEvent[], indexedBy: ReadonlyMap<string, number>): Promise<void> {
  const epcs: string[] = [];
  const roles: number[] = [];
  const rows: number[] = [];
  const seen = new Set<string>();
  for (const e of fresh) {
    seen.clear();
    for (const [epc, role] of e.f.codes) {
      if (role === ROLE.commissioned && indexedBy.get(epc) === e.row) continue;
      const key = `${role}${epc}`;
      if (seen.has(key)) continue;
      seen.add(key);
      epcs.push(epc); roles.push(role); rows.push(e.row);
    }
  }
  if (epcs.length > 0) await tx.unsafe('INSERT INTO codes (epc, role, event) SELECT * FROM unnest($1::text[], $2::int2[], $3::int8[])', [epcs, roles, rows] as never[]);
}

/** The events that name one of `epcs` under one of `roles`, as SQL (`$n` is the text[] of codes). */
function eventsNaming(n: string, roles: readonly number[]): string {
  const codes = `SELECT event FROM codes WHERE epc = ANY(${n}::text[]) AND role IN (${roles.join(', ')})`;
  return roles.includes(ROLE.commissioned) ? `${codes} UNION ALL SELECT event FROM commissioned WHERE epc = ANY(${n}::text[])` : codes;
}
