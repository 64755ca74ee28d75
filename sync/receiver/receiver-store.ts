/**
 * The reference receiver's SQLite store: events idempotent by eventID, an EPC index for `GET /events?EQ_epc=`,
 * the packaging state needed to flag conflicts, and capture jobs. WAL + synchronous=FULL, asserted at open
 * (DESIGN.md §3: better-sqlite3 reopens WAL databases as NORMAL, which can lose acknowledged captures).
 *
 * One capture = one transaction (`ingest`), prepared statements only. Identifiers are indexed in their
 * canonical Digital Link form, so a code sent once as EPC URN and once as Digital Link is the same code.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SyncBugError, SyncError } from '../errors.ts';
import { canonicalIdentifier } from '../epcis/canonical-identifier.ts';
import { canonicalEpochMs, eventHashId } from '../epcis/event-hash.ts';
import { maskIdentifier } from '../epcis/mask-secret.ts';
import { validateEventInDocument, validateStandaloneEvent, type ValidationResult } from '../epcis/validate.ts';
import type { CaptureErrorBehaviour, CaptureEventError, CaptureJobResult, Conflict } from './capture-job.ts';

type Db = Database.Database;
type Statement = Database.Statement;

/**
 * Schema version 2 (`PRAGMA user_version`). Sized for draining a 1M-event backlog (issue 5):
 *
 * - `event_keys` is the idempotency index, clustered by event time: `t` is the canonical eventTime (epoch ms,
 *   the instant the hash covers) and `key` the 32-byte SHA-256 of the eventID plus a version byte. Two events
 *   with one hash eventID have one pre-hash, hence one eventTime, so (t, key) is unique exactly when the
 *   eventID is; and since captures arrive roughly in time order, inserts append instead of rewriting random
 *   pages of an ever larger index on every commit. Other eventIDs (no verified hash) use t = 0 (or -1 for a
 *   hash-form eventID whose event cannot be re-hashed, e.g. sensor data) and their UTF-8 text as key.
 *   A lookup by eventID alone (`GET /events/{eventID}`) scans this index: a diagnostic, not a hot path.
 * - `events` holds each event's JSON once; `receipt` names the capture (or POST /events) that brought it.
 * - `codes` is the identifier index for `EQ_epc` queries and also the commissioned-codes set (role 1: the
 *   event made the code known here; 0: the event mentions it).
 */
const SCHEMA_VERSION = 2;
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
PRAGMA user_version = ${SCHEMA_VERSION};
`;

/** Rows per multi-row INSERT (3 parameters each). */
const CHUNK = 100;
const COMMISSIONED = 1;
const MENTIONED = 0;

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
  /**
   * The capture job for this outcome, saved in the ingest transaction when it commits (one fsync per capture)
   * or on its own after a rollback.
   */
  readonly job?: (outcome: IngestOutcome) => CaptureJobResult;
}

interface Candidate {
  readonly index: number;
  readonly eventID: string;
  readonly t: number;
  readonly key: Buffer;
  readonly body: string;
  readonly event: Record<string, unknown>;
}

const ROLLBACK = Symbol('rollback');
const HASH_PREFIX = 'ni:///sha-256;';
const BIZSTEP_PREFIX = /^(https:\/\/ref\.gs1\.org\/cbv\/BizStep-|urn:epcglobal:cbv:bizstep:)/;

function validationError(index: number, eventID: string | null, detail: string): CaptureEventError {
  return {
    type: 'epcisException:ValidationException',
    title: '事件不符合 EPCIS 2.0 规范 (event violates EPCIS 2.0)',
    status: 400,
    detail,
    instance: `/epcisBody/eventList/${index}`,
    eventIndex: index,
    eventID,
  };
}

/**
 * `ni:///sha-256;<64 hex>?ver=CBV2.x` → the digest and a version byte (0x20 / 0x21); null for other forms.
 * `computed`: the eventID is `eventHashId`'s own output, so its form need not be checked again.
 */
function hashKey(eventID: string, computed = false): Buffer | null {
  if (eventID.length !== 89 || !eventID.startsWith(HASH_PREFIX) || !eventID.startsWith('?ver=CBV2.', 78)) return null;
  const minor = eventID.charCodeAt(88) - 48;
  const hex = eventID.slice(14, 78);
  if ((minor !== 0 && minor !== 1) || (!computed && !/^[0-9a-f]{64}$/.test(hex))) return null;
  const key = Buffer.allocUnsafe(33);
  key.write(hex, 0, 'hex');
  key[32] = 0x20 + minor;
  return key;
}

/** The index key of any eventID (see SCHEMA): the hash form's bytes, else the UTF-8 text. */
function eventKey(eventID: string): Buffer {
  return hashKey(eventID) ?? Buffer.from(eventID, 'utf8');
}

function identifiers(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const x of value) if (typeof x === 'string') out.push(canonicalIdentifier(x));
  return out;
}

function placeholders(rows: number, perRow: number): string {
  const row = `(${Array.from({ length: perRow }, () => '?').join(', ')})`;
  return Array.from({ length: rows }, () => row).join(', ');
}

export class ReceiverStore {
  readonly path: string;
  private readonly db: Db;
  private readonly s: Record<'receipt' | 'insertKeys' | 'insertKey' | 'insertBodies' | 'insertBody' | 'insertCodes' | 'insertCode'
    | 'bodyByKey' | 'bodyByHash' | 'isCommissioned' | 'insertParent' | 'parentOf' | 'unpackChild' | 'unpackAll'
    | 'insertConflict' | 'saveJob' | 'getJob' | 'listConflicts' | 'eventsByEpc' | 'countEvents' | 'lastEvent', Statement>;
  /** Pending `codes` rows (epc, role, event) of this transaction; flushed before any read of `codes`. */
  private codeRows: (string | number)[] = [];

  constructor(path: string) {
    this.path = path;
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
      const version = this.db.pragma('user_version', { simple: true });
      const tables = this.db.prepare('SELECT count(*) FROM sqlite_master').pluck().get() as number;
      if (tables > 0 && version !== SCHEMA_VERSION) {
        throw new Error(`数据库结构版本 ${String(version)}，需要 ${SCHEMA_VERSION}，请换一个新的 --db 文件 (schema version ${String(version)}, need ${SCHEMA_VERSION}: use a new --db file)`);
      }
      this.db.exec(SCHEMA);
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
      isCommissioned: p(`SELECT 1 FROM codes WHERE epc = ? AND role = ${COMMISSIONED} LIMIT 1`).pluck(),
      insertParent: p('INSERT INTO parent_of (child, parent) VALUES (?, ?) ON CONFLICT (child) DO NOTHING'),
      parentOf: p('SELECT parent FROM parent_of WHERE child = ?').pluck(),
      unpackChild: p('DELETE FROM parent_of WHERE child = ? AND parent = ?'),
      unpackAll: p('DELETE FROM parent_of WHERE parent = ?'),
      insertConflict: p('INSERT INTO conflicts (kind, event_id, epc, detail, capture_id, at) VALUES (?, ?, ?, ?, ?, ?)'),
      saveJob: p('INSERT INTO capture_jobs (capture_id, result) VALUES (?, ?) ON CONFLICT (capture_id) DO UPDATE SET result = excluded.result'),
      getJob: p('SELECT result FROM capture_jobs WHERE capture_id = ?').pluck(),
      listConflicts: p('SELECT kind, event_id AS eventID, epc, detail FROM conflicts ORDER BY id LIMIT ?'),
      eventsByEpc: p('SELECT DISTINCT e.id, e.body FROM codes c JOIN events e ON e.id = c.event WHERE c.epc = ? ORDER BY e.id LIMIT ?'),
      countEvents: p('SELECT count(*) FROM events').pluck(),
      lastEvent: p('SELECT coalesce(max(id), 0) FROM events').pluck(),
    };
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
      const c = this.check(events[i], i, options, errors);
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
      const now = Date.now();
      const receipt = Number(this.s.receipt.run(options.captureID, now).lastInsertRowid);
      // Event row ids are given out here (the transaction is IMMEDIATE, so no other writer can take them):
      // candidate i gets first + i whether or not it turns out new.
      const first = (this.s.lastEvent.get() as number) + 1;
      let stored = 0;
      let duplicates = 0;
      const conflicts: Conflict[] = [];
      this.codeRows = [];
      for (let from = 0; from < candidates.length; from += CHUNK) {
        const chunk = candidates.slice(from, from + CHUNK);
        const fresh = this.insertChunk(chunk, first + from, receipt);
        for (let j = 0; j < chunk.length; j += 1) {
          const c = chunk[j] as Candidate;
          const row = first + from + j;
          if (fresh.has(row)) {
            stored += 1;
            this.index(c, row, conflicts, options.captureID, now);
            continue;
          }
          const existing = this.s.bodyByKey.get(c.t, c.key) as string | undefined;
          if (existing === c.body) {
            duplicates += 1;
          } else {
            errors.push({
              type: 'epcisException:ResourceAlreadyExistsException',
              title: '事件 ID 已存在且内容不同 (eventID already stored with different content)',
              status: 409,
              detail: `eventID ${c.eventID} 已存储为不同的事件 (is already stored for a different event)`,
              instance: `/epcisBody/eventList/${c.index}`,
              eventIndex: c.index,
              eventID: c.eventID,
            });
          }
        }
      }
      this.flushCodes();
      if (options.behaviour === 'rollback' && errors.length > 0) throw ROLLBACK;
      outcome = { stored, duplicates, errors, conflicts };
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

  private check(raw: unknown, index: number, options: IngestOptions, errors: CaptureEventError[]): Candidate | null {
    const prefix = options.mode === 'standalone' ? '' : `/epcisBody/eventList/${index}`;
    const declared = typeof raw === 'object' && raw !== null && typeof (raw as Record<string, unknown>)['eventID'] === 'string'
      ? (raw as Record<string, string>)['eventID'] ?? null
      : null;
    const verdict: ValidationResult = options.mode === 'standalone' ? validateStandaloneEvent(raw) : validateEventInDocument(raw, prefix);
    if (!verdict.ok) {
      errors.push(validationError(index, declared, verdict.issues.slice(0, 5).map((i) => `${i.path} ${i.message}`).join('; ')));
      return null;
    }
    const event = raw as Record<string, unknown>;
    let eventID = declared;
    let verified = false;
    try {
      // A hash-form eventID must be the hash of the event: a mismatch means the sender changed a frozen body.
      if (eventID === null || eventID.startsWith(HASH_PREFIX)) {
        const computed = eventHashId(event, { ...(options.prefixes ? { prefixes: options.prefixes } : {}), cbvVersion: eventID?.endsWith('?ver=CBV2.1') ? '2.1' : '2.0' });
        if (eventID !== null && eventID !== computed) {
          errors.push(validationError(index, eventID, `eventID 与事件哈希不符 (eventID does not match the event hash; computed ${computed})`));
          return null;
        }
        eventID = computed;
        verified = true;
      }
    } catch (error) {
      if (eventID === null) eventID = `urn:uuid:${crypto.randomUUID()}`;
      else if (!(error instanceof SyncError)) throw error;
    }
    // A verified hash eventID: the event time it covers clusters the key (see SCHEMA).
    const hashed = hashKey(eventID, verified);
    const t = verified ? canonicalEpochMs(event['eventTime'], 'eventTime') : eventID.startsWith(HASH_PREFIX) ? -1 : 0;
    const key = hashed ?? Buffer.from(eventID, 'utf8');
    let body: string;
    if (options.mode === 'standalone') {
      // A standalone event's own @context is dropped: stored bodies look like events inside a document.
      const { '@context': _context, ...content } = event;
      body = declared === null ? JSON.stringify({ type: event['type'], eventID, ...content }) : JSON.stringify(content);
    } else {
      body = declared === null ? JSON.stringify({ type: event['type'], eventID, ...event }) : JSON.stringify(event);
    }
    return { index, eventID, t, key, body, event };
  }

  private code(epc: string, role: number, row: number): void {
    const rows = this.codeRows;
    rows.push(epc, role, row);
    if (rows.length === CHUNK * 3) {
      this.s.insertCodes.run(rows);
      this.codeRows = [];
    }
  }

  /** Writes the pending `codes` rows (before anything reads `codes`, and at the end of the transaction). */
  private flushCodes(): void {
    const rows = this.codeRows;
    for (let i = 0; i < rows.length; i += 3) this.s.insertCode.run(rows[i], rows[i + 1], rows[i + 2]);
    this.codeRows = [];
  }

  private flag(conflicts: Conflict[], c: Candidate, kind: Conflict['kind'], epc: string, detail: string, captureID: string | null, now: number): void {
    const conflict: Conflict = { kind, eventID: c.eventID, epc: maskIdentifier(epc), detail };
    conflicts.push(conflict);
    this.s.insertConflict.run(kind, c.eventID, conflict.epc, detail, captureID, now);
  }

  private known(conflicts: Conflict[], c: Candidate, epc: string, captureID: string | null, now: number): void {
    this.flushCodes();
    if (this.s.isCommissioned.get(epc) === undefined) {
      this.flag(conflicts, c, 'UNKNOWN_CODE', epc, `码 ${maskIdentifier(epc)} 未在此赋码 (code was never commissioned here)`, captureID, now);
    }
  }

  /** Code index rows and packaging state for one newly stored event; appends flagged conflicts. */
  private index(c: Candidate, row: number, conflicts: Conflict[], captureID: string | null, now: number): void {
    const e = c.event;
    const type = e['type'];
    const action = e['action'];
    const step = typeof e['bizStep'] === 'string' ? e['bizStep'].replace(BIZSTEP_PREFIX, '') : '';
    const epcs = identifiers(e['epcList']);
    const children = identifiers(e['childEPCs']);
    const parent = typeof e['parentID'] === 'string' ? canonicalIdentifier(e['parentID']) : null;
    // Commissioning makes its codes known here (ObjectEvent ADD commissioning; a pairing's inner codes, which
    // are never commissioned on the line: line-fact.ts PairingFact, written after its parent is checked).
    const commissions = type === 'ObjectEvent' && action === 'ADD' && step === 'commissioning';
    const pairs = type === 'AssociationEvent' && action === 'ADD' && parent !== null;
    for (const epc of epcs) this.code(epc, commissions ? COMMISSIONED : MENTIONED, row);
    if (!pairs) for (const epc of children) this.code(epc, MENTIONED, row);
    for (const epc of identifiers(e['inputEPCList'])) this.code(epc, MENTIONED, row);
    for (const epc of identifiers(e['outputEPCList'])) this.code(epc, MENTIONED, row);
    if (parent !== null) this.code(parent, MENTIONED, row);

    switch (type) {
      case 'ObjectEvent':
        if (!commissions) for (const epc of epcs) this.known(conflicts, c, epc, captureID, now);
        return;
      case 'AggregationEvent':
        if (parent === null) return;
        this.known(conflicts, c, parent, captureID, now);
        if (action === 'ADD') {
          for (const child of children) {
            this.known(conflicts, c, child, captureID, now);
            if (this.s.insertParent.run(child, parent).changes === 0) {
              const current = this.s.parentOf.get(child) as string | undefined;
              if (current !== undefined && current !== parent) {
                this.flag(conflicts, c, 'DOUBLE_PARENT', child, `子码 ${maskIdentifier(child)} 已在父码 ${maskIdentifier(current)} 中，又被装入 ${maskIdentifier(parent)} (child already packed into another parent)`, captureID, now);
              }
            }
          }
        } else if (action === 'DELETE') {
          if (children.length === 0) this.s.unpackAll.run(parent);
          else for (const child of children) this.s.unpackChild.run(child, parent);
        }
        return;
      case 'AssociationEvent':
        // The parent (outer code) must be known; the inner codes become known through the pairing itself.
        if (parent !== null) this.known(conflicts, c, parent, captureID, now);
        if (pairs) for (const epc of children) this.code(epc, COMMISSIONED, row);
        return;
      default:
        return;
    }
  }

  /** The stored JSON of an event (a hash-form eventID is looked up by scanning `event_keys`; see SCHEMA). */
  event(eventID: string): string | undefined {
    const hashed = hashKey(eventID);
    if (hashed !== null) return this.s.bodyByHash.get(hashed) as string | undefined;
    return (this.s.bodyByKey.get(0, eventKey(eventID)) ?? this.s.bodyByKey.get(-1, eventKey(eventID))) as string | undefined;
  }

  eventsByEpc(epc: string, limit: number): string[] {
    return (this.s.eventsByEpc.all(canonicalIdentifier(epc), limit) as { body: string }[]).map((r) => r.body);
  }

  conflicts(limit: number): Conflict[] {
    return this.s.listConflicts.all(limit) as Conflict[];
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
