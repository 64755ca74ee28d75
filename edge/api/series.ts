import type { Db } from '../store/open.ts';
import type { SeriesPoint, SeriesView } from './contract.ts';

const NO_READ = 1;

/**
 * Throughput and read-rate series for the IT charts: per bucket, cases committed, case-station rejects and
 * no-reads; read rate = triggers with a read / all triggers (cases + rejects). Times are ISO 8601 text in the
 * store, so a bucket is found by string range. `containers` has no time index: the scan is bounded by the window
 * and costs O(containers); fine at a line's volume, a candidate for an index if charts refresh often.
 */
export function throughputSeries(db: Db, options: { minutes: number; bucketSeconds: number; now?: Date }): SeriesView {
  const bucketMs = options.bucketSeconds * 1000;
  const end = Math.ceil((options.now ?? new Date()).getTime() / bucketMs) * bucketMs;
  const start = end - Math.ceil((options.minutes * 60_000) / bucketMs) * bucketMs;
  const from = new Date(start).toISOString();
  const to = new Date(end).toISOString();
  const n = (end - start) / bucketMs;
  const points = Array.from({ length: n }, (_, i) => ({ at: new Date(start + i * bucketMs).toISOString(), cases: 0, rejects: 0, noReads: 0 }));
  const bucketOf = (iso: string): (typeof points)[number] | undefined => points[Math.floor((Date.parse(iso) - start) / bucketMs)];
  for (const at of db.prepare(`SELECT created_at FROM containers WHERE level = 'case' AND created_at >= ? AND created_at < ?`).pluck().all(from, to) as string[]) {
    const b = bucketOf(at);
    if (b !== undefined) b.cases += 1;
  }
  for (const r of db.prepare(`SELECT at, reason FROM rejects WHERE station = 'case' AND at >= ? AND at < ?`).all(from, to) as { at: string; reason: number }[]) {
    const b = bucketOf(r.at);
    if (b === undefined) continue;
    b.rejects += 1;
    if (r.reason === NO_READ) b.noReads += 1;
  }
  const out: SeriesPoint[] = points.map((p) => {
    const triggers = p.cases + p.rejects;
    return { ...p, readRate: triggers === 0 ? null : (triggers - p.noReads) / triggers };
  });
  return { bucketSeconds: options.bucketSeconds, from, to, points: out };
}
