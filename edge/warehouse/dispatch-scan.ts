import { kindFromInt, kindToInt, CODE_KIND_LABEL_ZH, type CodeKind } from '../domain/kinds.ts';
import { displayCode, maskCode } from '../domain/mask.ts';
import { appendAudit } from '../store/audit.ts';
import { StoreBugError, StoreError } from '../store/errors.ts';
import type { Db } from '../store/open.ts';
import { cachedStatement } from '../store/statement-cache.ts';
import { REFUSAL_LABEL_ZH, type OrderLine, type RefusalReason, type ScanActor, type ScanResult } from './contract.ts';
import { orderTransaction, shippingParties, warehouseLocation } from './epcis-refs.ts';
import { orderMachine, type OrderState } from './order-machine.ts';
import { scannedCandidates } from './scanned-value.ts';
import { stockLocationOf } from './stock-location.ts';
import { emitFact, type WarehouseEnv } from './warehouse-env.ts';

/** A refusal found inside the scan's transaction: thrown to roll everything back, returned as a value. */
class Refusal extends Error {
  readonly reason: RefusalReason;
  constructor(reason: RefusalReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

function refuse(reason: RefusalReason, zh: string, en: string): never {
  throw new Refusal(reason, `${REFUSAL_LABEL_ZH[reason]}：${zh} (${en})`);
}

const CASE = kindToInt('case-outer');
const PALLET = kindToInt('pallet');

interface OrderHead { id: string; dealer_id: string; warehouse_id: string; state: OrderState; document_type: 'desadv' | 'po' }
type CodeRow = [code: string, kind: number, status: number, parent: string | null, batchId: number | null];
type ContainerRow = [level: string, state: string, batchId: number, childCount: number];
type BatchRow = [productId: string, state: string, requiresClosed: number];
type LineRow = [lineNo: number, quantity: number, shipped: number];

/** Where a code that is already out went: the order of its live shipment. */
function liveShipmentOf(db: Db, code: string, kind: number): string | null {
  const own = cachedStatement(db, 'SELECT order_id FROM shipped_items WHERE code = ? AND return_id IS NULL', 'pluck').get(code) as string | undefined;
  if (own !== undefined || kind !== PALLET) return own ?? null;
  return (cachedStatement(db, 'SELECT order_id FROM shipped_items WHERE pallet = ? AND return_id IS NULL LIMIT 1', 'pluck').get(code) as string | undefined) ?? null;
}

/**
 * One dispatch scan (issue 13 §2), decided and committed in ONE immediate transaction: the line's shipped count
 * (raised by an UPDATE guarded by `shipped + n <= quantity`, so the database decides 超量 and two PDAs never
 * over-ship), the code statuses (case/pallet → shipped), the shipped_items rows (the live-shipment UNIQUE index
 * backs 已发货), a case taken off a pallet first when the pallet does not ship whole, the order's draft → picking,
 * the audit row and the EPCIS events (unpacking, then shipping). A refusal rolls all of it back and comes back as
 * a value; an unknown order is NOT_FOUND. The scanned value may be the code, a GS1 element string or a code URL
 * (scanned-value.ts); the result names the stored code.
 */
export function dispatchScan(db: Db, env: WarehouseEnv, orderId: string, rawCode: string, who: ScanActor): ScanResult {
  const code = rawCode.trim();
  try {
    return db.transaction((): ScanResult => decide(db, env, orderId, code, who)).immediate();
  } catch (error) {
    if (error instanceof Refusal) return { kind: 'refused', reason: error.reason, label: REFUSAL_LABEL_ZH[error.reason], message: error.message };
    throw error;
  }
}

function decide(db: Db, env: WarehouseEnv, orderId: string, scanned: string, who: ScanActor): ScanResult {
  const order = cachedStatement(db, 'SELECT id, dealer_id, warehouse_id, state, document_type FROM dispatch_orders WHERE id = ?').get(orderId) as OrderHead | undefined;
  if (order === undefined) throw new StoreError('NOT_FOUND', `发货单 ${orderId} 不存在 (unknown dispatch order)`);
  const step = orderMachine.next(order.state, 'scan');
  if (!step.ok) refuse('order-closed', `发货单 ${orderId} 状态为 ${order.state}，不能再扫码`, `order ${orderId} is ${order.state}; nothing more can ship on it`);
  if (scanned.length === 0) refuse('unknown-code', '空码', 'empty scan');
  let row: CodeRow | undefined;
  for (const candidate of scannedCandidates(scanned)) {
    row = cachedStatement(db, 'SELECT code, kind, status, parent, batch_id FROM codes WHERE code = ?', 'raw').get(candidate) as CodeRow | undefined;
    if (row !== undefined) break;
  }
  // An unknown value may have been a secret code misread: shown masked.
  if (row === undefined) refuse('unknown-code', `${maskCode(scanned)} 不是本站的码`, 'not a code of this station');
  const [code, kindInt, status, parent, codeBatch] = row;
  const kind: CodeKind = kindFromInt(kindInt);
  const shown = displayCode(code, kind);
  if (kindInt !== CASE && kindInt !== PALLET) {
    refuse('wrong-kind', `${CODE_KIND_LABEL_ZH[kind]} ${shown} 不能发货，请扫箱外码或垛码`, `a ${kind} code cannot ship; scan the case-outer or pallet code`);
  }
  const what = kindInt === PALLET ? `垛 ${code}` : `箱 ${code}`;
  if (status === 6 || status === 7 || status === 8) {
    refuse('voided', `${what} 已${status === 6 ? '抽样' : status === 7 ? '销毁' : '作废'}，不能发货`, `${kind} is ${status === 6 ? 'sampled' : status === 7 ? 'destroyed' : 'voided'}`);
  }
  if (status === 4) {
    const other = liveShipmentOf(db, code, kindInt);
    refuse('already-shipped', `${what} 已随发货单 ${other ?? '?'} 发出${other === orderId ? '（本单已扫过）' : ''}`, `already shipped on order ${other ?? '?'}`);
  }
  if (status === 5) refuse('not-stocked', `${what} 是剔除品，在返工区`, `${kind} is a reject at rework`);
  const container = cachedStatement(db, 'SELECT level, state, batch_id, child_count FROM containers WHERE code = ?', 'raw').get(code) as ContainerRow | undefined;
  const level = kindInt === PALLET ? 'pallet' : 'case';
  if (container === undefined || container[0] !== level || container[1] !== 'closed' || (status !== 2 && status !== 3)) {
    refuse('not-stocked', `${what} 未装箱/组垛完成，未入库`, `${kind} is not a closed, aggregated ${level}`);
  }
  if (kindInt === CASE && cachedStatement(db, 'SELECT 1 FROM pallet_stack_cases WHERE case_code = ?', 'pluck').get(code) !== undefined) {
    refuse('not-stocked', `${what} 在组垛中的垛上，尚未入库`, 'the case is on a pallet stack still being built');
  }
  const batchId = container[2];
  const batch = cachedStatement(db, `SELECT b.product_id, b.state, coalesce(r.requires_closed_batch, 0) FROM batches b
    LEFT JOIN product_dispatch_rules r ON r.product_id = b.product_id WHERE b.id = ?`, 'raw').get(batchId) as BatchRow | undefined;
  if (batch === undefined) throw new StoreBugError(`container ${code} names batch ${batchId}, which does not exist`);
  const [productId, batchState, requiresClosed] = batch;
  const line = cachedStatement(db, 'SELECT line_no, quantity, shipped FROM order_lines WHERE order_id = ? AND product_id = ?', 'raw').get(orderId, productId) as LineRow | undefined;
  if (line === undefined) refuse('wrong-product', `${what} 是产品 ${productId}，发货单 ${orderId} 没有这个品项`, `product ${productId} is not on order ${orderId}`);
  if (requiresClosed === 1 && batchState !== 'closed') {
    refuse('not-stocked', `${what} 的批次 ${batchId} 尚未关闭，产品 ${productId} 要求批次关闭后才能发货`, `batch ${batchId} is not closed and product ${productId} ships only from closed batches`);
  }
  const at = env.now();
  const iso = at.toISOString();
  const where = stockLocationOf(db, code, parent, codeBatch ?? batchId);
  if (where !== order.warehouse_id) {
    refuse('wrong-warehouse', `${what} 在仓库 ${where ?? '（未指定）'}，本单从 ${order.warehouse_id} 发货`, `stocked in ${where ?? 'no warehouse'}, the order ships from ${order.warehouse_id}`);
  }
  let cases: string[];
  if (kindInt === PALLET) {
    cases = cachedStatement(db, 'SELECT code FROM codes WHERE parent = ? ORDER BY code', 'pluck').all(code) as string[];
    if (cases.length === 0) refuse('not-stocked', `${what} 上没有箱`, 'the pallet holds no cases');
  } else {
    cases = [code];
  }
  const [lineNo, quantity, shippedBefore] = line;
  const n = cases.length;
  const raised = cachedStatement(db, 'UPDATE order_lines SET shipped = shipped + @n WHERE order_id = @order AND line_no = @line AND shipped + @n <= quantity')
    .run({ n, order: orderId, line: lineNo }).changes;
  if (raised !== 1) {
    refuse('over-quantity', `第 ${lineNo} 行 ${productId} 订 ${quantity} 箱，已发 ${shippedBefore} 箱，${kindInt === PALLET ? `此垛 ${n} 箱` : '再发 1 箱'}就超量${kindInt === PALLET ? '，可改扫单箱' : ''}`,
      `line ${lineNo}: ${shippedBefore} of ${quantity} cases shipped; ${n} more would exceed it`);
  }
  const insert = cachedStatement(db, `INSERT INTO shipped_items (code, order_id, line_no, pallet, shipped_at, shipped_by, device) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  let unpackedFrom: string | null = null;
  try {
    if (kindInt === PALLET) {
      const changed = cachedStatement(db, 'UPDATE codes SET status = 4 WHERE parent = ? AND status = 3 AND kind = ?').run(code, CASE).changes;
      if (changed !== n) refuse('not-stocked', `${what} 上有 ${n - changed} 箱不在库`, `${n - changed} cases of the pallet are not in stock`);
      cachedStatement(db, 'UPDATE codes SET status = 4 WHERE code = ? AND status = 2').run(code);
      for (const c of cases) insert.run(c, orderId, lineNo, code, iso, who.user, who.device ?? null);
    } else {
      if (parent !== null) {
        // A case of a pallet that does not ship whole leaves the pallet first (issue 13 §2).
        cachedStatement(db, 'UPDATE codes SET parent = NULL, status = 4 WHERE code = ? AND status = 3 AND parent = ?').run(code, parent);
        cachedStatement(db, 'UPDATE containers SET child_count = child_count - 1 WHERE code = ?').run(parent);
        unpackedFrom = parent;
      } else if (cachedStatement(db, 'UPDATE codes SET status = 4 WHERE code = ? AND status = 2 AND parent IS NULL').run(code).changes !== 1) {
        throw new StoreBugError(`case ${code} changed status inside the scan transaction`);
      }
      insert.run(code, orderId, lineNo, null, iso, who.user, who.device ?? null);
    }
  } catch (error) {
    if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') refuse('already-shipped', `${what} 已在另一发货单上发出`, 'already on a live shipment');
    throw error;
  }
  let orderState = order.state;
  if (step.to !== order.state) {
    cachedStatement(db, `UPDATE dispatch_orders SET state = ?, released_at = coalesce(released_at, ?) WHERE id = ?`).run(step.to, iso, orderId);
    orderState = step.to;
  }
  const wh = cachedStatement(db, 'SELECT id, location, owner FROM warehouses WHERE id = ?').get(order.warehouse_id) as { id: string; location: string | null; owner: string | null };
  const dealer = cachedStatement(db, 'SELECT id, gln FROM dealers WHERE id = ?').get(order.dealer_id) as { id: string; gln: string | null };
  const time = at.getTime();
  const eventOptions = { at: iso, batchId, pallet: kindInt === PALLET ? code : unpackedFrom };
  if (unpackedFrom !== null) {
    emitFact(db, env, { type: 'unpacking', time, parentKind: 'pallet', parent: unpackedFrom, childKind: 'case-outer', children: [code] }, eventOptions);
  }
  emitFact(db, env, {
    type: 'shipping', time,
    items: kindInt === PALLET ? [{ kind: 'pallet', code }, ...cases.map((c) => ({ kind: 'case-outer' as const, code: c }))] : [{ kind: 'case-outer', code }],
    bizLocation: warehouseLocation(env.epcis, wh),
    ...shippingParties(env.epcis, wh, dealer),
    bizTransactions: [orderTransaction(env.epcis, orderId, order.document_type)],
  }, eventOptions);
  appendAudit(db, {
    actor: who.user, action: 'dispatch.scan', subject: code, at: iso,
    detail: { orderId, lineNo, productId, cases: n, kind, device: who.device ?? null, ...(unpackedFrom === null ? {} : { unpackedFrom }) },
  });
  const totals = cachedStatement(db, 'SELECT sum(quantity), sum(shipped) FROM order_lines WHERE order_id = ?', 'raw').get(orderId) as [number, number];
  const productName = cachedStatement(db, 'SELECT name FROM products WHERE id = ?', 'pluck').get(productId) as string;
  const lineNow: OrderLine = { lineNo, productId, productName, quantity, shipped: shippedBefore + n };
  return {
    kind: 'ok', orderId, code, codeKind: kindInt === PALLET ? 'pallet' : 'case-outer', counted: n, line: lineNow, unpackedFrom, orderState,
    order: { quantity: totals[0], shipped: totals[1] }, at: iso,
  };
}
