import { kindFromInt, type CodeKind } from '../domain/kinds.ts';
import type { Db } from './open.ts';
import { cachedStatement } from './statement-cache.ts';

/** One code package (码包) as the IT screen lists it. */
export interface CodePackageRow {
  readonly uuid: string;
  readonly kind: CodeKind;
  readonly productId: string | null;
  readonly supplier: string | null;
  readonly source: string;
  readonly count: number;
  readonly state: string;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

/** The newest `limit` code packages, newest first. */
export function recentPackages(db: Db, limit: number): CodePackageRow[] {
  const rows = cachedStatement(db, 'SELECT uuid, kind, product_id, supplier, source, count, state, created_at, finished_at FROM code_packages ORDER BY id DESC LIMIT ?').all(limit) as {
    uuid: string; kind: number; product_id: string | null; supplier: string | null; source: string; count: number; state: string; created_at: string; finished_at: string | null;
  }[];
  return rows.map((r) => ({
    uuid: r.uuid, kind: kindFromInt(r.kind), productId: r.product_id, supplier: r.supplier, source: r.source, count: r.count, state: r.state, createdAt: r.created_at, finishedAt: r.finished_at,
  }));
}
