import { appendAudit } from '../store/audit.ts';
import { StoreError } from '../store/errors.ts';
import type { Db } from '../store/open.ts';
import type { NewOrder, OrderDocumentType, OrderLine, OrderSummary, OrderView, RecentScan } from './contract.ts';
import { getDealer } from './master-data.ts';
import type { OrderState } from './order-machine.ts';

/** A problem with one field of a new order; `path` like `lines[1].quantity`. */
export interface OrderIssue {
  readonly path: string;
  readonly message: string;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;
/** Cases per order line: a truck holds a few thousand; more is a typo. */
export const MAX_LINE_QUANTITY = 1_000_000;

/**
 * Every problem of a new order against the database (known dealer, warehouse and products; order id free), so an
 * import can report all of them at once. `seen` carries order ids already taken earlier in the same file.
 */
export function checkNewOrder(db: Db, order: NewOrder, seen: ReadonlySet<string> = new Set()): OrderIssue[] {
  const issues: OrderIssue[] = [];
  const add = (path: string, message: string): void => { issues.push({ path, message }); };
  if (typeof order.id !== 'string' || !ID.test(order.id)) add('id', `单号应为 1–64 位字母、数字或 ._/- ，收到 ${JSON.stringify(order.id)} (order id must be 1–64 letters, digits or ._/-)`);
  else if (seen.has(order.id)) add('id', `单号 ${order.id} 在文件中重复 (order id repeated in the file)`);
  else if (db.prepare('SELECT 1 FROM dispatch_orders WHERE id = ?').get(order.id) !== undefined) add('id', `单号 ${order.id} 已存在 (order already exists)`);
  if (typeof order.dealerId !== 'string' || getDealer(db, order.dealerId) === null) add('dealerId', `经销商 ${JSON.stringify(order.dealerId)} 不存在，请先 wuma dealer add (unknown dealer)`);
  if (typeof order.warehouseId !== 'string' || db.prepare('SELECT 1 FROM warehouses WHERE id = ?').get(order.warehouseId) === undefined) {
    add('warehouseId', `仓库 ${JSON.stringify(order.warehouseId)} 不存在 (unknown warehouse)`);
  }
  if (order.documentType !== undefined && order.documentType !== 'desadv' && order.documentType !== 'po') add('documentType', `应为 desadv 或 po，收到 ${JSON.stringify(order.documentType)} (must be desadv or po)`);
  if (!Array.isArray(order.lines) || order.lines.length === 0) add('lines', '发货单至少需要一行 (an order needs at least one line)');
  const products = new Set<string>();
  for (const [i, line] of (Array.isArray(order.lines) ? order.lines : []).entries()) {
    if (typeof line.productId !== 'string' || db.prepare('SELECT 1 FROM products WHERE id = ?').get(line.productId) === undefined) {
      add(`lines[${i}].productId`, `产品 ${JSON.stringify(line.productId)} 不存在 (unknown product)`);
    } else if (products.has(line.productId)) {
      add(`lines[${i}].productId`, `产品 ${line.productId} 在同一发货单中重复，请合并为一行 (product repeated in the order; merge the lines)`);
    } else products.add(line.productId);
    if (typeof line.quantity !== 'number' || !Number.isSafeInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_LINE_QUANTITY) {
      add(`lines[${i}].quantity`, `箱数应为 1–${MAX_LINE_QUANTITY} 的整数，收到 ${JSON.stringify(line.quantity)} (quantity must be a whole number of cases)`);
    }
  }
  return issues;
}

/** Inserts a checked order (draft) with its audit row. Runs inside the caller's transaction. */
export function insertOrder(db: Db, order: NewOrder, actor: string, at: string, source: string | null): void {
  db.prepare(`INSERT INTO dispatch_orders (id, dealer_id, warehouse_id, state, document_type, source, created_at, created_by)
    VALUES (?, ?, ?, 'draft', ?, ?, ?, ?)`).run(order.id, order.dealerId, order.warehouseId, order.documentType ?? 'desadv', source, at, actor);
  const line = db.prepare('INSERT INTO order_lines (order_id, line_no, product_id, quantity) VALUES (?, ?, ?, ?)');
  order.lines.forEach((l, i) => line.run(order.id, i + 1, l.productId, l.quantity));
  appendAudit(db, {
    actor, action: 'order.create', subject: order.id, at,
    detail: { dealerId: order.dealerId, warehouseId: order.warehouseId, lines: order.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })), ...(source === null ? {} : { source }) },
  });
}

export function createOrder(db: Db, order: NewOrder, actor: string, at: string): OrderView {
  return db.transaction(() => {
    const issues = checkNewOrder(db, order);
    if (issues.length > 0) throw new StoreError(issues.some((i) => i.message.includes('已存在')) ? 'CONFLICT' : 'INVALID_INPUT', issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    insertOrder(db, order, actor, at, null);
    return getOrder(db, order.id) as OrderView;
  }).immediate();
}

interface OrderRow {
  id: string; dealer_id: string; warehouse_id: string; state: OrderState; document_type: OrderDocumentType; created_at: string;
  completed_at: string | null; short_reason: string | null; short_signer: string | null; cancel_reason: string | null;
}

export function orderLines(db: Db, orderId: string): OrderLine[] {
  return (db.prepare(`SELECT l.line_no, l.product_id, p.name, l.quantity, l.shipped FROM order_lines l JOIN products p ON p.id = l.product_id
    WHERE l.order_id = ? ORDER BY l.line_no`).raw().all(orderId) as [number, string, string, number, number][])
    .map(([lineNo, productId, productName, quantity, shipped]) => ({ lineNo, productId, productName, quantity, shipped }));
}

export function getOrder(db: Db, id: string): OrderView | null {
  const r = db.prepare(`SELECT id, dealer_id, warehouse_id, state, document_type, created_at, completed_at, short_reason, short_signer, cancel_reason
    FROM dispatch_orders WHERE id = ?`).get(id) as OrderRow | undefined;
  if (r === undefined) return null;
  const lines = orderLines(db, id);
  const dealer = getDealer(db, r.dealer_id);
  if (dealer === null) throw new StoreError('NOT_FOUND', `发货单 ${id} 的经销商 ${r.dealer_id} 不存在 (dealer missing)`);
  return {
    id: r.id, dealer, warehouseId: r.warehouse_id, state: r.state, documentType: r.document_type, lines,
    quantity: lines.reduce((n, l) => n + l.quantity, 0), shipped: lines.reduce((n, l) => n + l.shipped, 0),
    createdAt: r.created_at, completedAt: r.completed_at, shortReason: r.short_reason, shortSigner: r.short_signer, cancelReason: r.cancel_reason,
  };
}

export function requireOrder(db: Db, id: string): OrderView {
  const order = getOrder(db, id);
  if (order === null) throw new StoreError('NOT_FOUND', `发货单 ${id} 不存在 (unknown dispatch order)`);
  return order;
}

export interface OrderFilter {
  readonly state?: OrderState;
  readonly dealerId?: string;
  readonly warehouseId?: string;
  readonly limit?: number;
}

export function listOrders(db: Db, filter: OrderFilter = {}): OrderSummary[] {
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: filter.limit ?? 200 };
  if (filter.state !== undefined) { where.push('o.state = @state'); params['state'] = filter.state; }
  if (filter.dealerId !== undefined) { where.push('o.dealer_id = @dealer'); params['dealer'] = filter.dealerId; }
  if (filter.warehouseId !== undefined) { where.push('o.warehouse_id = @warehouse'); params['warehouse'] = filter.warehouseId; }
  return (db.prepare(`SELECT o.id, o.dealer_id, d.name, d.region, o.warehouse_id, o.state, o.created_at,
      (SELECT coalesce(sum(quantity), 0) FROM order_lines WHERE order_id = o.id), (SELECT coalesce(sum(shipped), 0) FROM order_lines WHERE order_id = o.id)
    FROM dispatch_orders o JOIN dealers d ON d.id = o.dealer_id ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
    ORDER BY o.created_at DESC, o.id LIMIT @limit`).raw().all(params) as [string, string, string, string, string, OrderState, string, number, number][])
    .map(([id, dealerId, dealerName, region, warehouseId, state, createdAt, quantity, shipped]) => ({ id, dealerId, dealerName, region, warehouseId, state, quantity, shipped, createdAt }));
}

/**
 * The order's last scans, newest first, one entry per scan: a pallet shipped whole is one entry (`code` = the
 * pallet, `cases` its cases), a loose case one entry (`pallet` null).
 */
export function recentScans(db: Db, orderId: string, limit = 20): RecentScan[] {
  return (db.prepare(`SELECT CASE WHEN pallet IS NULL THEN code ELSE pallet END, pallet, line_no, shipped_at, shipped_by, device, count(*), max(id) AS last
      FROM shipped_items WHERE order_id = ? GROUP BY CASE WHEN pallet IS NULL THEN 'c' || id ELSE 'p' || pallet || '|' || shipped_at END
      ORDER BY last DESC LIMIT ?`)
    .raw().all(orderId, limit) as [string, string | null, number, string, string, string | null, number, number][])
    .map(([code, pallet, lineNo, at, user, device, cases]) => ({ code, pallet, lineNo, cases, at, user, device }));
}
