import { StoreError } from '../store/errors.ts';
import type { Db } from '../store/open.ts';
import type { DealerReport, OrderReport } from './contract.ts';
import { getDealer, requireWarehouse } from './master-data.ts';
import type { OrderState } from './order-machine.ts';
import { requireOrder } from './orders.ts';

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** What shipped on one order, case by case and by pallet (发货明细). Read-only. */
export function orderReport(db: Db, orderId: string, now: Date): OrderReport {
  return db.transaction((): OrderReport => {
    const order = requireOrder(db, orderId);
    const wh = requireWarehouse(db, order.warehouseId);
    const items = (db.prepare(`SELECT s.code, l.product_id, s.line_no, s.pallet, s.shipped_at, s.shipped_by, s.device, s.return_id
        FROM shipped_items s JOIN order_lines l ON l.order_id = s.order_id AND l.line_no = s.line_no WHERE s.order_id = ? ORDER BY s.id`).raw().all(orderId) as
      [string, string, number, string | null, string, string, string | null, number | null][])
      .map(([code, productId, lineNo, pallet, shippedAt, shippedBy, device, returnId]) => ({ code, productId, lineNo, pallet, shippedAt, shippedBy, device, returned: returnId !== null }));
    const byPallet = new Map<string | null, number>();
    for (const i of items) byPallet.set(i.pallet, (byPallet.get(i.pallet) ?? 0) + 1);
    return {
      order, warehouse: { id: wh.id, name: wh.name }, items,
      byPallet: [...byPallet].map(([pallet, cases]) => ({ pallet, cases })), generatedAt: now.toISOString(),
    };
  })();
}

/**
 * Per dealer over a date range (经销商发货报表): every order with cases shipped in [from, to] (calendar dates,
 * inclusive, by ship time in UTC+8, China Standard Time), shipped and returned counts per order and per product.
 */
export function dealerReport(db: Db, dealerId: string, range: { readonly from: string; readonly to: string }, now: Date): DealerReport {
  if (!DATE.test(range.from)) throw new StoreError('INVALID_INPUT', `from: 应为 YYYY-MM-DD，收到 "${range.from}" (must be YYYY-MM-DD)`);
  if (!DATE.test(range.to)) throw new StoreError('INVALID_INPUT', `to: 应为 YYYY-MM-DD，收到 "${range.to}" (must be YYYY-MM-DD)`);
  if (range.from > range.to) throw new StoreError('INVALID_INPUT', `from: ${range.from} 晚于 to ${range.to} (from is after to)`);
  const dealer = getDealer(db, dealerId);
  if (dealer === null) throw new StoreError('NOT_FOUND', `经销商 ${dealerId} 不存在 (unknown dealer)`);
  // Ship times are stored in UTC; the day boundaries are China Standard Time (+08:00).
  const start = new Date(`${range.from}T00:00:00+08:00`).toISOString();
  const end = new Date(new Date(`${range.to}T00:00:00+08:00`).getTime() + 86_400_000).toISOString();
  return db.transaction((): DealerReport => {
    const orders = (db.prepare(`SELECT o.id, o.state, count(*), sum(s.return_id IS NOT NULL), min(s.shipped_at), max(s.shipped_at)
        FROM shipped_items s JOIN dispatch_orders o ON o.id = s.order_id
        WHERE o.dealer_id = @dealer AND s.shipped_at >= @start AND s.shipped_at < @end GROUP BY o.id ORDER BY min(s.shipped_at), o.id`)
      .raw().all({ dealer: dealerId, start, end }) as [string, OrderState, number, number, string, string][])
      .map(([id, state, shipped, returned, first, last]) => ({ id, state, shipped, returned, firstShippedAt: first, lastShippedAt: last }));
    const products = (db.prepare(`SELECT l.product_id, p.name, count(*), sum(s.return_id IS NOT NULL)
        FROM shipped_items s JOIN dispatch_orders o ON o.id = s.order_id JOIN order_lines l ON l.order_id = s.order_id AND l.line_no = s.line_no
        JOIN products p ON p.id = l.product_id
        WHERE o.dealer_id = @dealer AND s.shipped_at >= @start AND s.shipped_at < @end GROUP BY l.product_id ORDER BY l.product_id`)
      .raw().all({ dealer: dealerId, start, end }) as [string, string, number, number][])
      .map(([productId, productName, shipped, returned]) => ({ productId, productName, shipped, returned }));
    return {
      dealer, from: range.from, to: range.to, orders, products,
      totals: { shipped: orders.reduce((n, o) => n + o.shipped, 0), returned: orders.reduce((n, o) => n + o.returned, 0) },
      generatedAt: now.toISOString(),
    };
  })();
}
