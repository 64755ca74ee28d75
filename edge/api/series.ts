import type { Db } from '../store/open.ts';
import { caseDecisionsBetween } from '../store/station-queries.ts';
import type { SeriesPoint, SeriesView } from './contract.ts';

/**
 * Throughput and read-rate series for the IT charts: per bucket, cases committed, case-station rejects and
 * no-reads; read rate = triggers with a read / all triggers (cases + rejects). Times are ISO 8601 text in the
 * store, so a bucket is found by string range (edge/store/station-queries.ts caseDecisionsBetween).
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
  const decided = caseDecisionsBetween(db, from, to);
  for (const at of decided.commits) {
    const b = bucketOf(at);
    if (b !== undefined) b.cases += 1;
  }
  for (const r of decided.rejects) {
    const b = bucketOf(r.at);
    if (b === undefined) continue;
    b.rejects += 1;
    if (r.noRead) b.noReads += 1;
  }
  const out: SeriesPoint[] = points.map((p) => {
    const triggers = p.cases + p.rejects;
    return { ...p, readRate: triggers === 0 ? null : (triggers - p.noReads) / triggers };
  });
  return { bucketSeconds: options.bucketSeconds, from, to, points: out };
}
