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
import { SyncError } from '../errors.ts';
import { canonicalIdentifier } from '../epcis/canonical-identifier.ts';
import { eventHashId } from '../epcis/event-hash.ts';
import { maskIdentifier } from '../epcis/mask-secret.ts';
import { validateEventInDocument, validateStandaloneEvent, type ValidationResult } from '../epcis/validate.ts';
import type { CaptureErrorBehaviour, CaptureEventError, CaptureJobResult, Conflict } from './capture-job.ts';

type Db = Database.Database;
type Statement = Database.Statement;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  event_type TEXT NOT NULL,
  body TEXT NOT NULL,
  capture_id TEXT,
  received_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS event_epcs (epc TEXT NOT NULL, event_row INTEGER NOT NULL, PRIMARY KEY (epc, event_row)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS commissioned (epc TEXT PRIMARY KEY) WITHOUT ROWID;
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
}

interface Candidate {
  readonly index: number;
  readonly eventID: string;
  readonly type: string;
  readonly body: string;
  readonly event: Record<string, unknown>;
}

const ROLLBACK = Symbol('rollback');

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

export class ReceiverStore {
  readonly path: string;
  private readonly db: Db;
  private readonly s: Record<'insertEvent' | 'eventBody' | 'insertEpc' | 'commission' | 'isCommissioned' | 'insertParent' | 'parentOf'
    | 'unpackChild' | 'unpackAll' | 'insertConflict' | 'saveJob' | 'getJob' | 'listConflicts' | 'eventsByEpc' | 'countEvents', Statement>;

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
      this.db.exec(SCHEMA);
    } catch (error) {
      throw new SyncError('RECEIVER_STORAGE', `接收端数据库无法打开: ${path} (cannot open receiver database): ${(error as Error).message}`, { cause: error });
    }
    const p = (sql: string): Statement => this.db.prepare(sql);
    this.s = {
      insertEvent: p('INSERT INTO events (event_id, event_type, body, capture_id, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING'),
      eventBody: p('SELECT body FROM events WHERE event_id = ?').pluck(),
      insertEpc: p('INSERT OR IGNORE INTO event_epcs (epc, event_row) VALUES (?, ?)'),
      commission: p('INSERT OR IGNORE INTO commissioned (epc) VALUES (?)'),
      isCommissioned: p('SELECT 1 FROM commissioned WHERE epc = ?').pluck(),
      insertParent: p('INSERT INTO parent_of (child, parent) VALUES (?, ?) ON CONFLICT (child) DO NOTHING'),
      parentOf: p('SELECT parent FROM parent_of WHERE child = ?').pluck(),
      unpackChild: p('DELETE FROM parent_of WHERE child = ? AND parent = ?'),
      unpackAll: p('DELETE FROM parent_of WHERE parent = ?'),
      insertConflict: p('INSERT INTO conflicts (kind, event_id, epc, detail, capture_id, at) VALUES (?, ?, ?, ?, ?, ?)'),
      saveJob: p('INSERT INTO capture_jobs (capture_id, result) VALUES (?, ?) ON CONFLICT (capture_id) DO UPDATE SET result = excluded.result'),
      getJob: p('SELECT result FROM capture_jobs WHERE capture_id = ?').pluck(),
      listConflicts: p('SELECT kind, event_id AS eventID, epc, detail FROM conflicts ORDER BY id LIMIT ?'),
      eventsByEpc: p('SELECT DISTINCT e.id, e.body FROM event_epcs x JOIN events e ON e.id = x.event_row WHERE x.epc = ? ORDER BY e.id LIMIT ?'),
      countEvents: p('SELECT count(*) FROM events').pluck(),
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
    if (options.behaviour === 'rollback' && errors.length > 0) return { stored: 0, duplicates: 0, errors, conflicts: [] };
    let stored = 0;
    let duplicates = 0;
    const conflicts: Conflict[] = [];
    const now = Date.now();
    const write = this.db.transaction(() => {
      for (const c of candidates) {
        const r = this.s.insertEvent.run(c.eventID, c.type, c.body, options.captureID, now);
        if (r.changes === 0) {
          const existing = this.s.eventBody.get(c.eventID) as string | undefined;
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
          continue;
        }
        stored += 1;
        this.index(c, Number(r.lastInsertRowid), conflicts, options.captureID, now);
      }
      if (options.behaviour === 'rollback' && errors.length > 0) throw ROLLBACK;
    });
    try {
      write();
    } catch (error) {
      if (error === ROLLBACK) return { stored: 0, duplicates: 0, errors, conflicts: [] };
      throw new SyncError('RECEIVER_STORAGE', `接收端写入失败 (receiver write failed): ${(error as Error).message}`, { cause: error });
    }
    return { stored, duplicates, errors, conflicts };
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
    try {
      // A hash-form eventID must be the hash of the event: a mismatch means the sender changed a frozen body.
      if (eventID === null || eventID.startsWith('ni:///sha-256;')) {
        const computed = eventHashId(event, { ...(options.prefixes ? { prefixes: options.prefixes } : {}), cbvVersion: eventID?.endsWith('?ver=CBV2.1') ? '2.1' : '2.0' });
        if (eventID !== null && eventID !== computed) {
          errors.push(validationError(index, eventID, `eventID 与事件哈希不符 (eventID does not match the event hash; computed ${computed})`));
          return null;
        }
        eventID = computed;
      }
    } catch (error) {
      if (eventID === null) eventID = `urn:uuid:${crypto.randomUUID()}`;
      else if (!(error instanceof SyncError)) throw error;
    }
    // A standalone event's own @context is dropped: stored bodies look like events inside a document.
    const { '@context': _context, ...content } = event;
    const bodyOf = options.mode === 'standalone' ? content : event;
    const body = declared === null ? JSON.stringify({ type: event['type'], eventID, ...bodyOf }) : JSON.stringify(bodyOf);
    return { index, eventID, type: String(event['type']), body, event };
  }

  /** EPC index rows and packaging state for one newly stored event; appends flagged conflicts. */
  private index(c: Candidate, row: number, conflicts: Conflict[], captureID: string | null, now: number): void {
    const e = c.event;
    const list = (key: string): string[] => (Array.isArray(e[key]) ? (e[key] as unknown[]).filter((x): x is string => typeof x === 'string').map(canonicalIdentifier) : []);
    const epcs = list('epcList');
    const children = list('childEPCs');
    const parent = typeof e['parentID'] === 'string' ? canonicalIdentifier(e['parentID']) : null;
    for (const epc of epcs) this.s.insertEpc.run(epc, row);
    for (const epc of children) this.s.insertEpc.run(epc, row);
    for (const epc of list('inputEPCList')) this.s.insertEpc.run(epc, row);
    for (const epc of list('outputEPCList')) this.s.insertEpc.run(epc, row);
    if (parent !== null) this.s.insertEpc.run(parent, row);

    const flag = (kind: Conflict['kind'], epc: string, detail: string): void => {
      const conflict: Conflict = { kind, eventID: c.eventID, epc: maskIdentifier(epc), detail };
      conflicts.push(conflict);
      this.s.insertConflict.run(kind, c.eventID, conflict.epc, detail, captureID, now);
    };
    const known = (epc: string): void => {
      if (this.s.isCommissioned.get(epc) === undefined) {
        flag('UNKNOWN_CODE', epc, `码 ${maskIdentifier(epc)} 未在此赋码 (code was never commissioned here)`);
      }
    };
    const step = typeof e['bizStep'] === 'string' ? e['bizStep'].replace(/^(https:\/\/ref\.gs1\.org\/cbv\/BizStep-|urn:epcglobal:cbv:bizstep:)/, '') : '';
    const action = e['action'];
    switch (c.type) {
      case 'ObjectEvent':
        if (action === 'ADD' && step === 'commissioning') for (const epc of epcs) this.s.commission.run(epc);
        else for (const epc of epcs) known(epc);
        return;
      case 'AggregationEvent':
        if (parent === null) return;
        known(parent);
        if (action === 'ADD') {
          for (const child of children) {
            known(child);
            if (this.s.insertParent.run(child, parent).changes === 0) {
              const current = this.s.parentOf.get(child) as string | undefined;
              if (current !== undefined && current !== parent) {
                flag('DOUBLE_PARENT', child, `子码 ${maskIdentifier(child)} 已在父码 ${maskIdentifier(current)} 中，又被装入 ${maskIdentifier(parent)} (child already packed into another parent)`);
              }
            }
          }
        } else if (action === 'DELETE') {
          if (children.length === 0) this.s.unpackAll.run(parent);
          else for (const child of children) this.s.unpackChild.run(child, parent);
        }
        return;
      case 'AssociationEvent':
        // Pairing (line-fact.ts PairingFact): the parent (outer code) must be known; the inner codes become
        // known through the pairing itself, they are never commissioned on the line.
        if (parent === null) return;
        known(parent);
        if (action === 'ADD') for (const child of children) this.s.commission.run(child);
        return;
      default:
        return;
    }
  }

  event(eventID: string): string | undefined {
    return this.s.eventBody.get(eventID) as string | undefined;
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
