import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { perConnection } from './statement-cache.ts';

/** What an action records. `subject` must already be masked when it names a secret code. */
export interface AuditEntry {
  readonly actor: string;
  readonly action: string;
  readonly subject?: string | null;
  readonly reason?: string | null;
  readonly detail?: Readonly<Record<string, unknown>>;
  /** ISO 8601 time; defaults to now. */
  readonly at?: string;
}

export interface AuditRow {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly subject: string | null;
  readonly reason: string | null;
  readonly detail: string;
  readonly prev_hash: string;
  readonly hash: string;
}

export const AUDIT_GENESIS = 'genesis';

/** hash = sha256(prev_hash "\n" JSON[seq, at, actor, action, subject, reason, detail]) as lowercase hex. */
export function auditHash(prevHash: string, row: Omit<AuditRow, 'prev_hash' | 'hash'>): string {
  const canonical = JSON.stringify([row.seq, row.at, row.actor, row.action, row.subject, row.reason, row.detail]);
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}

interface AuditStatements {
  readonly last: Database.Statement;
  readonly insert: Database.Statement;
}

/** Statements prepared once per connection: appendAudit runs inside every case commit (the hot path). */
const statementsOf = perConnection((db): AuditStatements => ({
  last: db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1'),
  insert: db.prepare('INSERT INTO audit_log (seq, at, actor, action, subject, reason, detail, prev_hash, hash) VALUES (@seq, @at, @actor, @action, @subject, @reason, @detail, @prev_hash, @hash)'),
}));

/**
 * Appends one row to the hash-chained audit log. Call it inside the transaction that makes the change it
 * records, so the change and its audit row commit together (DESIGN §3). The schema's insert trigger refuses
 * a row that does not extend the chain.
 */
export function appendAudit(db: Database.Database, entry: AuditEntry): AuditRow {
  const s = statementsOf(db);
  const last = s.last.get() as { seq: number; hash: string } | undefined;
  const base = {
    seq: (last?.seq ?? 0) + 1,
    at: entry.at ?? new Date().toISOString(),
    actor: entry.actor,
    action: entry.action,
    subject: entry.subject ?? null,
    reason: entry.reason ?? null,
    detail: JSON.stringify(entry.detail ?? {}),
  };
  const prev_hash = last?.hash ?? AUDIT_GENESIS;
  const row: AuditRow = { ...base, prev_hash, hash: auditHash(prev_hash, base) };
  s.insert.run(row);
  return row;
}

export interface AuditChainReport {
  readonly rows: number;
  /** The first row whose hash or link does not verify, with why. */
  readonly brokenAt: { readonly seq: number; readonly why: string } | null;
}

/** Recomputes the whole chain; catches any edit made behind the triggers' back (e.g. with the sqlite3 CLI). */
export function verifyAuditChain(db: Database.Database): AuditChainReport {
  let prev = AUDIT_GENESIS;
  let expectedSeq = 1;
  let rows = 0;
  for (const row of db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditRow>) {
    rows += 1;
    if (row.seq !== expectedSeq) return { rows, brokenAt: { seq: row.seq, why: `序号不连续，应为 ${expectedSeq} (sequence gap, expected ${expectedSeq})` } };
    if (row.prev_hash !== prev) return { rows, brokenAt: { seq: row.seq, why: '前一条哈希不符 (prev_hash does not match the previous row)' } };
    if (auditHash(prev, row) !== row.hash) return { rows, brokenAt: { seq: row.seq, why: '本条内容被改动，哈希不符 (row content does not match its hash)' } };
    prev = row.hash;
    expectedSeq += 1;
  }
  return { rows, brokenAt: null };
}
