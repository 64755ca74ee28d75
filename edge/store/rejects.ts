import type { Statement } from 'better-sqlite3';
import type { CaseRead, Finding } from '../aggregation/check-case.ts';
import { REJECT_REASON_NUMBER, type RejectReason } from '../aggregation/reject-reason.ts';
import { kindFromInt, kindToInt, type CodeKind } from '../domain/kinds.ts';
import { displayCode } from '../domain/mask.ts';
import { appendAudit } from './audit.ts';
import { IN_BATCH_PACKAGES } from './case-commit.ts';
import { StoreError } from './errors.ts';
import type { Db } from './open.ts';
import { cachedStatement, perConnection } from './statement-cache.ts';

export const REJECT_STATIONS = ['case', 'pallet'] as const;
export type RejectStation = (typeof REJECT_STATIONS)[number];

/** The PLC's reject-confirm input: pending until the kicker's sensor answers (a missing confirm raises an alarm). */
export const REJECT_CONFIRM_STATES = ['pending', 'confirmed', 'not-confirmed'] as const;
export type RejectConfirm = (typeof REJECT_CONFIRM_STATES)[number];

export interface RejectInput {
  readonly batchId: number;
  readonly station: RejectStation;
  /** checkCase's findings (at least one). */
  readonly findings: readonly Finding[];
  /**
   * What the readers returned. At the pallet station `childCodes` are the case codes read and `caseCode` is the
   * pallet code, if any.
   */
  readonly read: CaseRead;
  /** Epoch milliseconds (UTC). */
  readonly at: number;
  readonly actor?: string;
}

export interface RejectRecorded {
  readonly id: number;
  readonly reason: RejectReason;
  /** Read codes that were valid and packable and are now `rejected` (with their inner pairs). */
  readonly rejectedCodes: number;
}

export interface RejectRow {
  readonly id: number;
  readonly batchId: number;
  readonly station: RejectStation;
  readonly at: string;
  readonly reason: number;
  /** Findings with secret codes masked. */
  readonly findings: readonly { reason: RejectReason; code?: string; detail: string }[];
  /** The read with secret codes masked. */
  readonly read: { childCodes: string[]; caseCode: string | null; noRead: boolean };
  readonly confirm: RejectConfirm;
  readonly reworked: boolean;
}

interface Statements {
  readonly kindOf: Statement<[string]>;
  readonly insert: Statement<unknown[]>;
  readonly rejectOuter: Statement<unknown[]>;
  readonly rejectInner: Statement<unknown[]>;
  readonly confirm: Statement<unknown[]>;
  readonly record: (input: RejectInput) => RejectRecorded;
}

const statements = perConnection((db: Db): Statements => {
  const kindOf = db.prepare<[string]>('SELECT kind FROM codes WHERE code = ?').pluck();
  const insert = db.prepare('INSERT INTO rejects (batch_id, station, at, reason, findings, read_data) VALUES (?, ?, ?, ?, ?, ?)');
  // "Valid and packable": of this batch's packages, the expected kind, not used, not dead (DESIGN §4).
  const rejectOuter = db.prepare(`UPDATE codes SET status = 5, batch_id = @batch
    WHERE code = @code AND kind = @kind AND status IN (0, 1) AND parent IS NULL AND ${IN_BATCH_PACKAGES} RETURNING pair`).pluck();
  const rejectInner = db.prepare('UPDATE codes SET status = 5, batch_id = @batch WHERE code = @code AND status IN (0, 1) AND parent IS NULL AND pair = @outer');
  const confirm = db.prepare(`UPDATE rejects SET confirm = ? WHERE id = ? AND confirm = 'pending'`);
  const unitsPerBox = db.prepare<[number]>('SELECT p.units_per_box FROM batches b JOIN products p ON p.id = b.product_id WHERE b.id = ?').pluck();
  const mask = (code: string): string => {
    const kind = kindOf.get(code) as number | undefined;
    return kind === undefined ? code : displayCode(code, kindFromInt(kind));
  };
  const record = db.transaction((input: RejectInput): RejectRecorded => {
    const first = input.findings[0];
    if (first === undefined) throw new StoreError('INVALID_INPUT', 'findings: 剔除记录至少需要一条原因 (a reject needs at least one finding)');
    const iso = new Date(input.at).toISOString();
    const findings = input.findings.map((f) => ({ reason: f.reason, ...(f.code === undefined ? {} : { code: mask(f.code) }), detail: f.detail }));
    const read = { childCodes: input.read.childCodes.map(mask), caseCode: input.read.caseCode === null ? null : mask(input.read.caseCode), noRead: input.read.noRead };
    const id = Number(insert.run(input.batchId, input.station, iso, REJECT_REASON_NUMBER[first.reason], JSON.stringify(findings), JSON.stringify(read)).lastInsertRowid);
    let rejected = 0;
    if (input.station === 'case') {
      // The item leaves the line: its outer codes and their inner pairs become `rejected`; they re-enter only
      // through rework. At the pallet station the case is a finished unit: its codes keep their status.
      const boxed = (unitsPerBox.get(input.batchId) ?? null) !== null;
      const targets: [string, CodeKind][] = [...new Set(input.read.childCodes)].map((c) => [c, boxed ? 'box' : 'cap-outer']);
      if (input.read.caseCode !== null) targets.push([input.read.caseCode, 'case-outer']);
      for (const [code, kind] of targets) {
        const pair = rejectOuter.get({ code, kind: kindToInt(kind), batch: input.batchId }) as string | null | undefined;
        if (pair === undefined) continue;
        rejected += 1;
        if (pair !== null) rejected += rejectInner.run({ code: pair, outer: code, batch: input.batchId }).changes;
      }
    }
    appendAudit(db, {
      actor: input.actor ?? 'station', action: 'reject.record', subject: read.caseCode ?? `batch:${input.batchId}`, at: iso,
      reason: first.reason, detail: { rejectId: id, batchId: input.batchId, station: input.station, reasons: [...new Set(findings.map((f) => f.reason))], rejectedCodes: rejected },
    });
    return { id, reason: first.reason, rejectedCodes: rejected };
  });
  return { kindOf, insert, rejectOuter, rejectInner, confirm, record: (input) => record.immediate(input) };
});

/**
 * Records a reject (one transaction): the rejects row (findings and read data masked), the audit row, and at the
 * case station the read codes that were valid and packable (plus their paired inner codes) become `rejected`.
 * Codes that were foreign, of the wrong kind, dead or already used keep their status: they belong elsewhere.
 */
export function recordReject(db: Db, input: RejectInput): RejectRecorded {
  return statements(db).record(input);
}

/**
 * The PLC's answer to a reject pulse. Only a pending reject changes; returns false if it was already answered.
 * `not-confirmed` is also audited: the bad case may still be on the line.
 */
export function setRejectConfirm(db: Db, id: number, state: Exclude<RejectConfirm, 'pending'>, at = new Date().toISOString()): boolean {
  return db.transaction(() => {
    const changed = statements(db).confirm.run(state, id).changes === 1;
    if (changed && state === 'not-confirmed') {
      appendAudit(db, { actor: 'plc', action: 'reject.not-confirmed', subject: `reject:${id}`, at, detail: { rejectId: id } });
    }
    return changed;
  }).immediate();
}

type RejectDbRow = { id: number; batch_id: number; station: RejectStation; at: string; reason: number; findings: string; read_data: string; confirm: RejectConfirm; reworked: number };

function fromRow(r: RejectDbRow): RejectRow {
  return {
    id: r.id, batchId: r.batch_id, station: r.station, at: r.at, reason: r.reason,
    findings: JSON.parse(r.findings) as RejectRow['findings'], read: JSON.parse(r.read_data) as RejectRow['read'],
    confirm: r.confirm, reworked: r.reworked === 1,
  };
}

/** Rejects of a batch, oldest first. */
export function listRejects(db: Db, batchId: number): RejectRow[] {
  return (db.prepare('SELECT * FROM rejects WHERE batch_id = ? ORDER BY id').all(batchId) as RejectDbRow[]).map(fromRow);
}

/** The newest `limit` rejects, of one batch or of all, newest first (the QA screen's list). */
export function newestRejects(db: Db, options: { readonly batchId?: number; readonly limit: number }): RejectRow[] {
  const rows = options.batchId === undefined
    ? cachedStatement(db, 'SELECT * FROM rejects ORDER BY id DESC LIMIT ?').all(options.limit)
    : cachedStatement(db, 'SELECT * FROM rejects WHERE batch_id = ? ORDER BY id DESC LIMIT ?').all(options.batchId, options.limit);
  return (rows as RejectDbRow[]).map(fromRow);
}

/** Rejects written after reject `afterId`, oldest first, at most `limit` (the push feed's new rows). */
export function rejectsAfter(db: Db, afterId: number, limit: number): RejectRow[] {
  return (cachedStatement(db, 'SELECT * FROM rejects WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit) as RejectDbRow[]).map(fromRow);
}

/** The id of the newest reject (0 when none). */
export function lastRejectId(db: Db): number {
  return cachedStatement(db, 'SELECT coalesce(max(id), 0) FROM rejects', 'pluck').get() as number;
}

/**
 * Rejects whose read data or findings name `code` (a stored, non-secret value: secret codes are masked in the
 * log, so callers look a secret code up through its outer pair). Scans the reject log, which is small.
 */
export function rejectsMentioning(db: Db, code: string): RejectRow[] {
  const quoted = JSON.stringify(code);
  return (db.prepare('SELECT * FROM rejects WHERE instr(read_data, ?) > 0 OR instr(findings, ?) > 0 ORDER BY id').all(quoted, quoted) as RejectDbRow[]).map(fromRow);
}
