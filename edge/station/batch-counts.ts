import type { Db } from '../store/open.ts';

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

/**
 * Reads the counters from the database at start (the database is the truth after a restart); afterwards the
 * runtime counts in memory. Four indexed counts over the batch's containers and reject log.
 */
export function batchCounts(db: Db, batchId: number): BatchCounts {
  const containers = db.prepare(`SELECT level, count(*) AS n FROM containers WHERE batch_id = ? AND level IN ('case', 'pallet') GROUP BY level`).all(batchId) as { level: string; n: number }[];
  const rejects = db.prepare(`SELECT count(*) AS n, coalesce(sum(reason = 1), 0) AS noRead FROM rejects WHERE batch_id = ? AND station = 'case'`).get(batchId) as { n: number; noRead: number };
  return {
    good: containers.find((c) => c.level === 'case')?.n ?? 0,
    pallets: containers.find((c) => c.level === 'pallet')?.n ?? 0,
    reject: rejects.n,
    noRead: rejects.noRead,
  };
}
