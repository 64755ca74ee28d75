/**
 * The reference receiver's SQLite store: events idempotent by eventID, an EPC index for `GET /events?EQ_epc=`,
 * the packaging state needed to flag conflicts, and capture jobs. WAL + synchronous=FULL, asserted at open
 * (DESIGN.md §3: better-sqlite3 reopens WAL databases as NORMAL, which can lose acknowledged captures).
 *
 * The SQLite adapter of the receiver's storage port (storage-port.ts; `SqliteReceiverStorage` wraps it).
 * One capture = one transaction (`ingest`), prepared statements only. Identifiers are indexed in their
 * canonical Digital Link form, so a code sent once as EPC URN and once as Digital Link is the same code.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SyncBugError, SyncError } from '../errors.ts';
import { canonicalIdentifier } from '../epcis/canonical-identifier.ts';
import type { CaptureEventError, CaptureJobResult } from './capture-job.ts';
import { detectConflicts, type ConflictLedger, type FreshEvent } from './detect-conflicts.ts';
import { epcStateOf, MAX_CHILDREN, MAX_DEPTH, siteActivity } from './epc-state.ts';
import { clashError, eventFacts, eventKey, hashKey, prepareEvent, ROLE, type Candidate, type EventFacts } from './prepare-event.ts';
import type { EpcState, EventQuery, IngestOptions, IngestOutcome, PageWindow, QueryPage, SiteActivity, StoredConflict } from './storage-port.ts';

export type { IngestOptions, IngestOutcome } from './storage-port.ts';


const ROLLBACK = Symbol('rollback');

function placeholders(rows: number, perRow: number): string {
  const row = `(${Array.from({ length: perRow }, () => '?').join(', ')})`;
  return Array.from({ length: rows }, () => row).join(', ');
}

type Db = Database.Database;
type Statement = Database.Statement;

/**
 * Schema version 3 (`PRAGMA user_version`). Sized for draining a 1M-event backlog (issue 5):
 *
 * - `event_keys` is the idempotency index, clustered by event time: `t` is the canonical eventTime (epoch ms,
 *   the instant the hash covers) and `key` the 32-byte SHA-256 of the eventID plus a version byte. Two events
 *   with one hash eventID have one pre-hash, hence one eventTime, so (t, key) is unique exactly when the
 *   eventID is; and since captures arrive roughly in time order, inserts append instead of rewriting random
 *   pages of an ever larger index on every commit. Other eventIDs (no verified hash) use t = 0 (or -1 for a
 *   hash-form eventID whose event cannot be re-hashed, e.g. sensor data) and their UTF-8 text as key.
 *   A lookup by eventID alone (`GET /events/{eventID}`) scans this index: a diagnostic, not a hot path.
 * - `events` holds each event's JSON once; `receipt` names the capture (or POST /events) that brought it.
 *   Its id is the query order (page tokens are ids).
 * - `codes` is the identifier index for MATCH_ queries (role 0: epcList / childEPCs / input / output, 1: the
 *   epcList of a commissioning, 2: parentID; prepare-event.ts ROLE).
 * - `facets` holds the queryable fields of each event (EQ_bizStep … EQ_readPoint, event time) — version 3.
 * - `commissioned` is the set of codes made known here (commissioning or pairing) and by which site — version 3.
 * - `sites` is the per-station activity of the HQ page — version 3.
 *
 * Migration 2 → 3 runs at open in one transaction: the new tables are filled from the stored bodies, page by page.
 */
const SCHEMA_VERSION = 3;
const SCHEMA = `
CREATE TABLE IF NOT EXISTS receipts (id INTEGER PRIMARY KEY, capture_id TEXT, received_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, receipt INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS event_keys (t INTEGER NOT NULL, key BLOB NOT NULL, event INTEGER NOT NULL, PRIMARY KEY (t, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS codes (epc TEXT NOT NULL, role INTEGER NOT NULL, event INTEGER NOT NULL, PRIMARY KEY (epc, role, event)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS parent_of (child TEXT PRIMARY KEY, parent TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS parent_of_parent ON parent_of (parent);
CREATE TABLE IF NOT EXISTS conflicts (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  event_id TEXT NOT NULL,
  epc TEXT NOT NULL,
  detail TEXT NOT NULL,
  capture_id TEXT,
  at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS capture_jobs (capture_id TEXT PRIMARY KEY, result TEXT NOT NULL) WITHOUT ROWID;
`;
const SCHEMA_3 = `
ALTER TABLE conflicts ADD COLUMN site TEXT;
CREATE TABLE facets (event INTEGER PRIMARY KEY, event_time INTEGER NOT NULL, type TEXT NOT NULL, action TEXT, biz_step TEXT, disposition TEXT, biz_location TEXT, read_point TEXT);
CREATE TABLE commissioned (epc TEXT PRIMARY KEY, event INTEGER NOT NULL, site TEXT) WITHOUT ROWID;
CREATE TABLE sites (site TEXT PRIMARY KEY, events INTEGER NOT NULL, last_capture INTEGER NOT NULL, last_event_time INTEGER NOT NULL) WITHOUT ROWID;
`;

/** Rows per multi-row INSERT (3 parameters each). */
const CHUNK = 100;
const MIGRATE_PAGE = 5_000;

export class ReceiverStore {
  readonly path: string;
  private readonly db: Db;
  private readonly s: Record<'receipt' | 'insertKeys' | 'insertKey' | 'insertBodies' | 'insertBody' | 'insertCodes' | 'insertCode'
    | 'bodyByKey' | 'bodyByHash' | 'insertFacet' | 'commissionedBy' | 'commission' | 'insertParent' | 'parentOf' | 'unpackChild' | 'unpackAll'
    | 'insertConflict' | 'saveJob' | 'getJob' | 'listConflicts' | 'countEvents' | 'lastEvent' | 'touchSite' | 'listSites'
    | 'stateCount' | 'stateLast' | 'childrenOf' | 'commissionedRow', Statement>;
  /** Pending `codes` rows (epc, role, event) of this transaction; flushed at the end of the transaction. */
  private codeRows: (string | number)[] = [];
  private readonly clockSkewMs: number | undefined;

  constructor(path: string, options: { clockSkewMs?: number } = {}) {
    this.path = path;
    this.clockSkewMs = options.clockSkewMs;
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.db = new Database(path);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.pragma('busy_timeout = 5000');
      this.db.pragma('cache_size = -65536');
      const mode = this.db.pragma('journal_mode', { simple: true });
      const sync = this.db.pragma('synchronous', { simple: true });
      if (mode !== 'wal' || sync !== 2) throw new Error(`journal_mode=${String(mode)} synchronous=${String(sync)}`);
      const version = this.db.pragma('user_version', { simple: true }) as number;
      const tables = this.db.prepare('SELECT count(*) FROM sqlite_master').pluck().get() as number;
      if (tables > 0 && version !== SCHEMA_VERSION && version !== 2) {
        throw new Error(`数据库结构版本 ${String(version)}，需要 2 或 ${SCHEMA_VERSION}，请换一个新的 --db 文件 (schema version ${String(version)}, need 2 or ${SCHEMA_VERSION}: use a new --db file)`);
      }
      if (tables === 0 || version === 2) {
        this.db.transaction(() => {
          this.db.exec(SCHEMA);
          this.db.exec(SCHEMA_3);
          if (tables > 0) this.migrate2to3();
          this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
        }).immediate();
      }
    } catch (error) {
      throw new SyncError('RECEIVER_STORAGE', `接收端数据库无法打开: ${path} (cannot open receiver database): ${(error as Error).message}`, { cause: error });
    }
    const p = (sql: string): Statement => this.db.prepare(sql);
    this.s = {
      receipt: p('INSERT INTO receipts (capture_id, received_at) VALUES (?, ?)'),
      insertKeys: p(`INSERT INTO event_keys (t, key, event) VALUES ${placeholders(CHUNK, 3)} ON CONFLICT DO NOTHING RETURNING event`).pluck(),
      insertKey: p('INSERT INTO event_keys (t, key, event) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING event').pluck(),
      insertBodies: p(`INSERT INTO events (id, receipt, body) VALUES ${placeholders(CHUNK, 3)}`),
      insertBody: p('INSERT INTO events (id, receipt, body) VALUES (?, ?, ?)'),
      insertCodes: p(`INSERT OR IGNORE INTO codes (epc, role, event) VALUES ${placeholders(CHUNK, 3)}`),
      insertCode: p('INSERT OR IGNORE INTO codes (epc, role, event) VALUES (?, ?, ?)'),
      bodyByKey: p('SELECT e.body FROM event_keys k JOIN events e ON e.id = k.event WHERE k.t = ? AND k.key = ?').pluck(),
      bodyByHash: p('SELECT e.body FROM event_keys k JOIN events e ON e.id = k.event WHERE k.key = ? ORDER BY k.t DESC LIMIT 1').pluck(),
      insertFacet: p('INSERT INTO facets (event, event_time, type, action, biz_step, disposition, biz_location, read_point) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      commissionedBy: p('SELECT site FROM commissioned WHERE epc = ?'),
      commission: p('INSERT INTO commissioned (epc, event, site) VALUES (?, ?, ?) ON CONFLICT (epc) DO NOTHING'),
      insertParent: p('INSERT INTO parent_of (child, parent) VALUES (?, ?) ON CONFLICT (child) DO NOTHING'),
      parentOf: p('SELECT parent FROM parent_of WHERE child = ?').pluck(),
      unpackChild: p('DELETE FROM parent_of WHERE child = ? AND parent = ?'),
      unpackAll: p('DELETE FROM parent_of WHERE parent = ?'),
      insertConflict: p('INSERT INTO conflicts (kind, event_id, epc, detail, capture_id, at, site) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      saveJob: p('INSERT INTO capture_jobs (capture_id, result) VALUES (?, ?) ON CONFLICT (capture_id) DO UPDATE SET result = excluded.result'),
      getJob: p('SELECT result FROM capture_jobs WHERE capture_id = ?').pluck(),
      listConflicts: p('SELECT id, kind, event_id AS eventID, epc, detail, site, capture_id AS captureID, at FROM conflicts ORDER BY id DESC LIMIT ?'),
      countEvents: p('SELECT count(*) FROM events').pluck(),
      lastEvent: p('SELECT coalesce(max(id), 0) FROM events').pluck(),
      touchSite: p(`INSERT INTO sites (site, events, last_capture, last_event_time) VALUES (?, ?, ?, ?)
        ON CONFLICT (site) DO UPDATE SET events = events + excluded.events, last_capture = max(last_capture, excluded.last_capture), last_event_time = max(last_event_time, excluded.last_event_time)`),
      listSites: p('SELECT site, events, last_capture AS lastCaptureAt, last_event_time AS lastEventTime FROM sites ORDER BY site'),
      stateCount: p('SELECT count(DISTINCT event) FROM codes WHERE epc = ?').pluck(),
      stateLast: p(`SELECT e.body FROM facets f JOIN events e ON e.id = f.event WHERE f.event IN (SELECT event FROM codes WHERE epc = ?) ORDER BY f.event_time DESC, f.event DESC LIMIT 1`).pluck(),
      childrenOf: p('SELECT child FROM parent_of WHERE parent = ? ORDER BY child LIMIT ?').pluck(),
      commissionedRow: p('SELECT (SELECT body FROM events WHERE id = c.event) AS body, c.site FROM commissioned c WHERE c.epc = ?'),
    };
  }

  /** Fills version 3's tables from the stored bodies (runs inside the open transaction). */
  private migrate2to3(): void {
    const page = this.db.prepare('SELECT id, body FROM events WHERE id > ? ORDER BY id LIMIT ?');
    const facet = this.db.prepare('INSERT INTO facets (event, event_time, type, action, biz_step, disposition, biz_location, read_point) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const commission = this.db.prepare('INSERT INTO commissioned (epc, event, site) VALUES (?, ?, ?) ON CONFLICT (epc) DO NOTHING');
    const parentRole = this.db.prepare(`UPDATE OR IGNORE codes SET role = ${ROLE.parent} WHERE epc = ? AND role = ${ROLE.mentioned} AND event = ?`);
    let after = 0;
    for (;;) {
      const rows = page.all(after, MIGRATE_PAGE) as { id: number; body: string }[];
      if (rows.length === 0) return;
      for (const r of rows) {
        const f = eventFacts(JSON.parse(r.body) as Record<string, unknown>);
        facet.run(r.id, f.eventTime, f.type, f.action, f.bizStep, f.disposition, f.bizLocation, f.readPoint);
        for (const epc of [...f.commissions, ...f.pairs]) commission.run(epc, r.id, f.site);
        if (f.parent !== null) parentRole.run(f.parent, r.id);
      }
      after = rows[rows.length - 1]?.id ?? after;
    }
  }

  /**
   * Validates and stores a list of events as one transaction. Invalid events and eventID clashes (same id,
   * different JSON) become per-event errors; under `rollback` any error stores nothing. Conflicts are
   * flagged and stored with the events, never rejected.
   */
  ingest(events: readonly unknown[], options: IngestOptions): IngestOutcome {
    const errors: CaptureEventError[] = [];
    const candidates: Candidate[] = [];
    for (let i = 0; i < events.length; i += 1) {
      const c = prepareEvent(events[i], i, options, errors);
      if (c) candidates.push(c);
    }
    const rolledBack = (): IngestOutcome => {
      const outcome: IngestOutcome = { stored: 0, duplicates: 0, errors, conflicts: [] };
      if (options.job) this.saveJob(options.job(outcome));
      return outcome;
    };
    if (options.behaviour === 'rollback' && errors.length > 0) return rolledBack();
    let outcome: IngestOutcome | undefined;
    const write = this.db.transaction(() => {
      const now = options.now ?? Date.now();
      const receipt = Number(this.s.receipt.run(options.captureID, now).lastInsertRowid);
      // Event row ids are given out here (the transaction is IMMEDIATE, so no other writer can take them):
      // candidate i gets first + i whether or not it turns out new.
      const first = (this.s.lastEvent.get() as number) + 1;
      let duplicates = 0;
      const fresh: FreshEvent[] = [];
      this.codeRows = [];
      for (let from = 0; from < candidates.length; from += CHUNK) {
        const chunk = candidates.slice(from, from + CHUNK);
        const rows = this.insertChunk(chunk, first + from, receipt);
        for (let j = 0; j < chunk.length; j += 1) {
          const c = chunk[j] as Candidate;
          const row = first + from + j;
          if (rows.has(row)) {
            const f = eventFacts(c.event);
            fresh.push({ c, f, row });
            this.index(f, row);
            continue;
          }
          const existing = this.s.bodyByKey.get(c.t, c.key) as string | undefined;
          if (existing === c.body) duplicates += 1;
          else errors.push(clashError(c));
        }
      }
      this.flushCodes();
      if (options.behaviour === 'rollback' && errors.length > 0) throw ROLLBACK;
      const conflicts = detectConflicts(fresh, this.ledger, now, this.clockSkewMs);
      for (const k of conflicts) this.s.insertConflict.run(k.kind, k.eventID, k.epc, k.detail, options.captureID, now, k.site ?? null);
      for (const [site, a] of siteActivity(fresh)) this.s.touchSite.run(site, a.events, now, a.lastEventTime);
      outcome = { stored: fresh.length, duplicates, errors, conflicts };
      if (options.job) this.saveJob(options.job(outcome));
    });
    try {
      write.immediate();
    } catch (error) {
      this.codeRows = [];
      if (error === ROLLBACK) return rolledBack();
      throw new SyncError('RECEIVER_STORAGE', `接收端写入失败 (receiver write failed): ${(error as Error).message}`, { cause: error });
    }
    if (outcome === undefined) throw new SyncBugError('ingest committed without an outcome');
    return outcome;
  }

  private readonly ledger: ConflictLedger = {
    commissionedBy: (epc) => (this.s.commissionedBy.get(epc) as { site: string | null } | undefined)?.site,
    commission: (epc, row, site) => this.s.commission.run(epc, row, site).changes > 0,
    isKnown: (epc) => this.s.commissionedBy.get(epc) !== undefined,
    parentOf: (child) => this.s.parentOf.get(child) as string | undefined,
    pack: (child, parent) => this.s.insertParent.run(child, parent).changes > 0,
    unpack: (child, parent) => { this.s.unpackChild.run(child, parent); },
    unpackAll: (parent) => { this.s.unpackAll.run(parent); },
  };

  /** Inserts the keys of a chunk (row ids `firstRow`…) and the bodies of the new ones; returns the new row ids. */
  private insertChunk(chunk: readonly Candidate[], firstRow: number, receipt: number): Set<number> {
    let fresh: number[];
    if (chunk.length === CHUNK) {
      const params: (number | Buffer)[] = new Array<number | Buffer>(CHUNK * 3);
      for (let j = 0; j < CHUNK; j += 1) {
        const c = chunk[j] as Candidate;
        params[j * 3] = c.t;
        params[j * 3 + 1] = c.key;
        params[j * 3 + 2] = firstRow + j;
      }
      fresh = this.s.insertKeys.all(params) as number[];
    } else {
      fresh = [];
      for (let j = 0; j < chunk.length; j += 1) {
        const c = chunk[j] as Candidate;
        const row = this.s.insertKey.get(c.t, c.key, firstRow + j) as number | undefined;
        if (row !== undefined) fresh.push(row);
      }
    }
    const rows = new Set(fresh);
    if (rows.size === CHUNK) {
      const params: (number | string)[] = new Array<number | string>(CHUNK * 3);
      for (let j = 0; j < CHUNK; j += 1) {
        params[j * 3] = firstRow + j;
        params[j * 3 + 1] = receipt;
        params[j * 3 + 2] = (chunk[j] as Candidate).body;
      }
      this.s.insertBodies.run(params);
    } else {
      for (let j = 0; j < chunk.length; j += 1) if (rows.has(firstRow + j)) this.s.insertBody.run(firstRow + j, receipt, (chunk[j] as Candidate).body);
    }
    return rows;
  }

  /** The `codes` and `facets` rows of one newly stored event. */
  private index(f: EventFacts, row: number): void {
    this.s.insertFacet.run(row, f.eventTime, f.type, f.action, f.bizStep, f.disposition, f.bizLocation, f.readPoint);
    const rows = this.codeRows;
    for (const [epc, role] of f.codes) {
      rows.push(epc, role, row);
      if (rows.length === CHUNK * 3) {
        this.s.insertCodes.run(rows);
        rows.length = 0;
      }
    }
  }

  private flushCodes(): void {
    const rows = this.codeRows;
    for (let i = 0; i < rows.length; i += 3) this.s.insertCode.run(rows[i], rows[i + 1], rows[i + 2]);
    this.codeRows = [];
  }

  /** The stored JSON of an event (a hash-form eventID is looked up by scanning `event_keys`; see SCHEMA). */
  event(eventID: string): string | undefined {
    const hashed = hashKey(eventID);
    if (hashed !== null) return this.s.bodyByHash.get(hashed) as string | undefined;
    return (this.s.bodyByKey.get(0, eventKey(eventID)) ?? this.s.bodyByKey.get(-1, eventKey(eventID))) as string | undefined;
  }

  eventsByEpc(epc: string, limit: number): string[] {
    return this.queryEvents({ matchAnyEpc: [canonicalIdentifier(epc)] }, { after: 0, upTo: this.queryBound() }, limit).bodies;
  }

  /** One writer at a time (IMMEDIATE transactions): the current max id is a safe bound. */
  queryBound(): number {
    return this.s.lastEvent.get() as number;
  }

  queryEvents(q: EventQuery, window: PageWindow, perPage: number): QueryPage {
    const where: string[] = ['e.id > ?', 'e.id <= ?'];
    const params: (string | number)[] = [window.after, window.upTo];
    const anyOf = (column: string, values: readonly string[] | undefined): void => {
      if (values === undefined) return;
      where.push(`${column} IN (${values.map(() => '?').join(', ')})`);
      params.push(...values);
    };
    const match = (values: readonly string[] | undefined, roles: readonly number[]): void => {
      if (values === undefined) return;
      where.push(`e.id IN (SELECT event FROM codes WHERE epc IN (${values.map(() => '?').join(', ')}) AND role IN (${roles.join(', ')}))`);
      params.push(...values);
    };
    anyOf('f.biz_step', q.bizStep);
    anyOf('f.disposition', q.disposition);
    anyOf('f.biz_location', q.bizLocation);
    anyOf('f.read_point', q.readPoint);
    if (q.geEventTime !== undefined) { where.push('f.event_time >= ?'); params.push(q.geEventTime); }
    if (q.ltEventTime !== undefined) { where.push('f.event_time < ?'); params.push(q.ltEventTime); }
    match(q.matchEpc, [ROLE.mentioned, ROLE.commissioned]);
    match(q.matchParentID, [ROLE.parent]);
    match(q.matchAnyEpc, [ROLE.mentioned, ROLE.commissioned, ROLE.parent]);
    params.push(perPage + 1);
    const rows = this.db.prepare(`SELECT e.id, e.body FROM events e JOIN facets f ON f.event = e.id WHERE ${where.join(' AND ')} ORDER BY e.id LIMIT ?`)
      .all(params) as { id: number; body: string }[];
    const more = rows.length > perPage;
    const page = more ? rows.slice(0, perPage) : rows;
    return { bodies: page.map((r) => r.body), lastId: more ? (page[page.length - 1]?.id ?? null) : null };
  }

  epcState(raw: string): EpcState | null {
    const epc = canonicalIdentifier(raw);
    const count = this.s.stateCount.get(epc) as number;
    if (count === 0) return null;
    const last = this.s.stateLast.get(epc) as string | undefined;
    const commissioned = this.s.commissionedRow.get(epc) as { body: string | null; site: string | null } | undefined;
    const parents: string[] = [];
    for (let at = epc; parents.length < MAX_DEPTH;) {
      const p = this.s.parentOf.get(at) as string | undefined;
      if (p === undefined || parents.includes(p)) break;
      parents.push(p);
      at = p;
    }
    return epcStateOf(epc, count, last, commissioned, parents, this.s.childrenOf.all(epc, MAX_CHILDREN) as string[]);
  }

  conflicts(limit: number): StoredConflict[] {
    return this.s.listConflicts.all(limit) as StoredConflict[];
  }

  sites(): SiteActivity[] {
    return this.s.listSites.all() as SiteActivity[];
  }

  eventCount(): number {
    return this.s.countEvents.get() as number;
  }

  saveJob(job: CaptureJobResult): void {
    this.s.saveJob.run(job.captureID, JSON.stringify(job));
  }

  job(captureID: string): string | undefined {
    return this.s.getJob.get(captureID) as string | undefined;
  }

  close(): void {
    this.db.close();
  }
}
