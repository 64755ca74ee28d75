import type { Db } from '../store/open.ts';
import { cachedStatement } from '../store/statement-cache.ts';

/**
 * Where a case or pallet is stocked (非本仓 decides on it). In order: its own `stock_locations` row (set by a move
 * or a return), else its pallet's (a case on a pallet goes where the pallet goes), else the warehouse its
 * production line delivers into (`warehouse_lines`), else the default warehouse; null when none applies.
 */
export function stockLocationOf(db: Db, code: string, parent: string | null, batchId: number | null): string | null {
  const own = cachedStatement(db, 'SELECT warehouse_id FROM stock_locations WHERE code = ?', 'pluck').get(code) as string | undefined;
  if (own !== undefined) return own;
  if (parent !== null) {
    const ofParent = cachedStatement(db, 'SELECT warehouse_id FROM stock_locations WHERE code = ?', 'pluck').get(parent) as string | undefined;
    if (ofParent !== undefined) return ofParent;
  }
  if (batchId !== null) {
    const ofLine = cachedStatement(db, 'SELECT w.warehouse_id FROM batches b JOIN warehouse_lines w ON w.line = b.line WHERE b.id = ?', 'pluck').get(batchId) as string | undefined;
    if (ofLine !== undefined) return ofLine;
  }
  const fallback = cachedStatement(db, 'SELECT id FROM warehouses WHERE is_default = 1', 'pluck').get() as string | undefined;
  return fallback ?? null;
}

/** Puts a case or pallet into a warehouse explicitly (move, return). */
export function setStockLocation(db: Db, code: string, warehouseId: string, at: string): void {
  cachedStatement(db, `INSERT INTO stock_locations (code, warehouse_id, since) VALUES (?, ?, ?)
    ON CONFLICT (code) DO UPDATE SET warehouse_id = excluded.warehouse_id, since = excluded.since`).run(code, warehouseId, at);
}
