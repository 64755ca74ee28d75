import { openBatches, type Batch } from './batches.ts';
import type { Db } from './open.ts';
import { cachedStatement } from './statement-cache.ts';

/**
 * The one owner of what a line's status is made of when read from the database: which open batch a line holds,
 * its counters, its last reads and its open pallet stack. The line runtime (edge/station/line-runtime.ts) reads
 * them at start and after changes made beside it; the API's database-only status (no station in the process)
 * reads them for every snapshot. Both therefore agree on every field (test: station-queries.test.ts).
 */

/** The station counters of one batch, as the status snapshot and the PLC HMI show them. */
export interface BatchCounts {
  /** Cases committed (合格箱). */
  readonly good: number;
  /** Rejects at the case station (剔除). */
  readonly reject: number;
  /** Of those, rejects for a camera no-read (无读). */
  readonly noRead: number;
  /** Pallets committed. */
  readonly pallets: number;
}

/** The reject log's number for a camera no-read (REJECT_REASON_NUMBER['no-read']). */
const NO_READ = 1;

/** Four indexed counts over the batch's containers and reject log. */
export function batchCounts(db: Db, batchId: number): BatchCounts {
  const containers = cachedStatement(db, `SELECT level, count(*) AS n FROM containers WHERE batch_id = ? AND level IN ('case', 'pallet') GROUP BY level`).all(batchId) as { level: string; n: number }[];
  const rejects = cachedStatement(db, `SELECT count(*) AS n, coalesce(sum(reason = ${NO_READ}), 0) AS noRead FROM rejects WHERE batch_id = ? AND station = 'case'`).get(batchId) as { n: number; noRead: number };
  return {
    good: containers.find((c) => c.level === 'case')?.n ?? 0,
    pallets: containers.find((c) => c.level === 'pallet')?.n ?? 0,
    reject: rejects.n,
    noRead: rejects.noRead,
  };
}

/**
 * The open batch a line holds: its running one, else its newest open one. `line` null (a database-only API that
 * was not told its line): the same rule over every line's open batches.
 */
export function lineBatch(db: Db, line: string | null): Batch | null {
  return openBatches(db).filter((b) => line === null || b.line === line)
    .sort((a, b) => (a.state === b.state ? b.id - a.id : a.state === 'running' ? -1 : 1))[0] ?? null;
}

/** One decided case as the operator's "last reads" list shows it; `reason` is the first reject reason's key. */
export interface LastRead {
  readonly at: string;
  /** The case code (secret kinds are masked by the store when a reject is written); '' when none was read. */
  readonly code: string;
  readonly outcome: 'good' | 'reject' | 'no-read';
  /** `missing`, `no-read` … (the UI translates `reason.<key>`); null for a good case. */
  readonly reason: string | null;
}

/** How many last reads the status carries. */
export const LAST_READS = 10;

/** The newest `limit` case decisions of a batch at the case station: commits and rejects, newest first. */
export function lastReads(db: Db, batchId: number, limit = LAST_READS): LastRead[] {
  const goods = (cachedStatement(db, `SELECT code, created_at FROM containers WHERE batch_id = ? AND level = 'case' ORDER BY created_at DESC LIMIT ?`)
    .all(batchId, limit) as { code: string; created_at: string }[]).map((r): LastRead => ({ at: r.created_at, code: r.code, outcome: 'good', reason: null }));
  const bad = (cachedStatement(db, `SELECT at, findings, read_data FROM rejects WHERE batch_id = ? AND station = 'case' ORDER BY id DESC LIMIT ?`)
    .all(batchId, limit) as { at: string; findings: string; read_data: string }[]).map((r): LastRead => {
    const read = JSON.parse(r.read_data) as { caseCode?: string | null };
    const first = (JSON.parse(r.findings) as { reason?: string }[])[0]?.reason ?? null;
    return { at: r.at, code: read.caseCode ?? '', outcome: first === 'no-read' ? 'no-read' : 'reject', reason: first };
  });
  return [...goods, ...bad].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, limit);
}

/** The batch's open pallet stack (cases stacked so far), or null when none is open. */
export function openStack(db: Db, batchId: number): { readonly id: number; readonly cases: number } | null {
  const row = cachedStatement(db, `SELECT s.id, count(c.case_code) AS n FROM pallet_stacks s LEFT JOIN pallet_stack_cases c ON c.stack_id = s.id
    WHERE s.batch_id = ? AND s.state = 'open' GROUP BY s.id ORDER BY s.id DESC LIMIT 1`).get(batchId) as { id: number; n: number } | undefined;
  return row === undefined ? null : { id: row.id, cases: row.n };
}

/**
 * The case station's decisions in [from, to) (ISO 8601 text, compared as strings): commit times and reject times
 * with whether each reject was a no-read — what the IT charts bucket into throughput and read rate. `containers`
 * has no time index: bounded by the window, O(containers); fine at a line's volume.
 */
export function caseDecisionsBetween(db: Db, from: string, to: string): { readonly commits: string[]; readonly rejects: { readonly at: string; readonly noRead: boolean }[] } {
  const commits = cachedStatement(db, `SELECT created_at FROM containers WHERE level = 'case' AND created_at >= ? AND created_at < ?`, 'pluck').all(from, to) as string[];
  const rejects = (cachedStatement(db, `SELECT at, reason FROM rejects WHERE station = 'case' AND at >= ? AND at < ?`).all(from, to) as { at: string; reason: number }[])
    .map((r) => ({ at: r.at, noRead: r.reason === NO_READ }));
  return { commits, rejects };
}
