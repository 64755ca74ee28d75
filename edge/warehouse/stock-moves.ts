import { kindFromInt, kindToInt, CODE_KIND_LABEL_ZH } from '../domain/kinds.ts';
import { displayCode, maskCode } from '../domain/mask.ts';
import { appendAudit } from '../store/audit.ts';
import { StoreError } from '../store/errors.ts';
import type { Db } from '../store/open.ts';
import type { MoveResult, ReturnResult } from './contract.ts';
import { orderTransaction, returnParties, warehouseLocation } from './epcis-refs.ts';
import { requireWarehouse } from './master-data.ts';
import { setStockLocation, stockLocationOf } from './stock-location.ts';
import { emitFact, type WarehouseEnv } from './warehouse-env.ts';

const CASE = kindToInt('case-outer');
const PALLET = kindToInt('pallet');

interface Row { code: string; kind: number; status: number; parent: string | null; batch_id: number | null }

function stockCode(db: Db, raw: string, what: string): Row & { kindName: 'case-outer' | 'pallet' } {
  const code = raw.trim();
  const row = db.prepare('SELECT code, kind, status, parent, batch_id FROM codes WHERE code = ?').get(code) as Row | undefined;
  if (row === undefined) throw new StoreError('NOT_FOUND', `码 ${maskCode(code)} 不存在于本站 (unknown code)`);
  if (row.kind !== CASE && row.kind !== PALLET) {
    const kind = kindFromInt(row.kind);
    throw new StoreError('INVALID_INPUT', `${CODE_KIND_LABEL_ZH[kind]} ${displayCode(code, kind)} 不能${what}，请扫箱外码或垛码 (only case-outer and pallet codes can be ${what === '退货' ? 'returned' : 'moved'})`);
  }
  return { ...row, kindName: row.kind === PALLET ? 'pallet' : 'case-outer' };
}

/** Takes a case off its pallet (parent cleared, pallet count − 1) and says so with an unpacking event. */
function unpackCase(db: Db, env: WarehouseEnv, caseCode: string, pallet: string, status: number, time: number, iso: string, batchId: number | null): void {
  db.prepare('UPDATE codes SET parent = NULL, status = ? WHERE code = ? AND parent = ?').run(status, caseCode, pallet);
  db.prepare('UPDATE containers SET child_count = child_count - 1 WHERE code = ?').run(pallet);
  emitFact(db, env, { type: 'unpacking', time, parentKind: 'pallet', parent: pallet, childKind: 'case-outer', children: [caseCode] }, { at: iso, batchId, pallet });
}

/**
 * A dealer's case or pallet back into stock (退货), ONE transaction: its live shipments end (shipped_items gain the
 * return), statuses go back (a case → commissioned, or aggregated under its pallet when the whole pallet comes
 * back; the pallet → commissioned), the stock location is the receiving warehouse (the order's by default), the
 * return row, the audit row and the receiving event (disposition returned). A case that left in a whole pallet and
 * comes back alone is taken off that pallet first (unpacking). The order's shipped counts stay: it did ship.
 */
export function receiveReturn(db: Db, env: WarehouseEnv, rawCode: string, options: { readonly actor: string; readonly reason: string; readonly warehouseId?: string }): ReturnResult {
  const reason = options.reason.trim();
  if (reason.length === 0) throw new StoreError('INVALID_INPUT', 'reason: 退货需要原因 (a return needs a reason)');
  return db.transaction((): ReturnResult => {
    const row = stockCode(db, rawCode, '退货');
    const at = env.now();
    const iso = at.toISOString();
    const time = at.getTime();
    const isPallet = row.kind === PALLET;
    const live = (isPallet
      ? db.prepare(`SELECT s.id, s.code, s.order_id FROM shipped_items s JOIN codes c ON c.code = s.code WHERE c.parent = ? AND s.return_id IS NULL ORDER BY s.code`).all(row.code)
      : db.prepare('SELECT id, code, order_id FROM shipped_items WHERE code = ? AND return_id IS NULL').all(row.code)) as { id: number; code: string; order_id: string }[];
    if (live.length === 0 || row.status !== 4) throw new StoreError('CONFLICT', `${isPallet ? '垛' : '箱'} ${row.code} 没有未结束的发货，不能退货 (not out on a shipment)`);
    const orders = [...new Set(live.map((l) => l.order_id))];
    if (orders.length > 1) throw new StoreError('CONFLICT', `垛 ${row.code} 的箱分属发货单 ${orders.join('、')}，请逐箱退货 (its cases shipped on several orders; return them case by case)`);
    const orderId = orders[0] as string;
    const order = db.prepare('SELECT o.warehouse_id, o.document_type, d.id AS dealer_id, d.gln FROM dispatch_orders o JOIN dealers d ON d.id = o.dealer_id WHERE o.id = ?')
      .get(orderId) as { warehouse_id: string; document_type: 'desadv' | 'po'; dealer_id: string; gln: string | null };
    const wh = requireWarehouse(db, options.warehouseId ?? order.warehouse_id);
    let unpackedFrom: string | null = null;
    if (isPallet) {
      db.prepare('UPDATE codes SET status = 3 WHERE parent = ? AND status = 4').run(row.code);
      db.prepare('UPDATE codes SET status = 2 WHERE code = ? AND status = 4').run(row.code);
    } else if (row.parent !== null) {
      unpackedFrom = row.parent;
      unpackCase(db, env, row.code, row.parent, 2, time, iso, row.batch_id);
    } else {
      db.prepare('UPDATE codes SET status = 2 WHERE code = ? AND status = 4').run(row.code);
    }
    setStockLocation(db, row.code, wh.id, iso);
    const returnId = Number(db.prepare('INSERT INTO dispatch_returns (code, order_id, warehouse_id, cases, reason, at, actor) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(row.code, orderId, wh.id, live.length, reason, iso, options.actor).lastInsertRowid);
    const end = db.prepare('UPDATE shipped_items SET return_id = ? WHERE id = ?');
    for (const l of live) end.run(returnId, l.id);
    emitFact(db, env, {
      type: 'receiving', time,
      items: isPallet ? [{ kind: 'pallet', code: row.code }, ...live.map((l) => ({ kind: 'case-outer' as const, code: l.code }))] : [{ kind: 'case-outer', code: row.code }],
      bizLocation: warehouseLocation(env.epcis, wh),
      ...returnParties(env.epcis, wh, { id: order.dealer_id, gln: order.gln }),
      bizTransactions: [orderTransaction(env.epcis, orderId, order.document_type)],
    }, { at: iso, batchId: row.batch_id, pallet: isPallet ? row.code : unpackedFrom });
    appendAudit(db, {
      actor: options.actor, action: 'dispatch.return', subject: row.code, reason, at: iso,
      detail: { orderId, dealerId: order.dealer_id, warehouseId: wh.id, cases: live.length, returnId, ...(unpackedFrom === null ? {} : { unpackedFrom }) },
    });
    return { returnId, code: row.code, codeKind: row.kindName, cases: live.length, orderId, dealerId: order.dealer_id, warehouseId: wh.id, unpackedFrom };
  }).immediate();
}

/**
 * Stock moved to another warehouse (移库), ONE transaction: the new stock location, the move row, the audit row
 * and a storing event at the new warehouse (source and destination locations). A case on a pallet is taken off it
 * first (unpacking), so it can be somewhere its pallet is not. Only stock (not out on a shipment) moves.
 */
export function moveStock(db: Db, env: WarehouseEnv, rawCode: string, toWarehouseId: string, options: { readonly actor: string }): MoveResult {
  return db.transaction((): MoveResult => {
    const row = stockCode(db, rawCode, '移库');
    const to = requireWarehouse(db, toWarehouseId, 'toWarehouse');
    const isPallet = row.kind === PALLET;
    const what = `${isPallet ? '垛' : '箱'} ${row.code}`;
    if (row.status === 4) throw new StoreError('CONFLICT', `${what} 已发货，不能移库 (shipped; not in stock)`);
    const container = db.prepare('SELECT level, state FROM containers WHERE code = ?').get(row.code) as { level: string; state: string } | undefined;
    if (container === undefined || container.state !== 'closed' || (row.status !== 2 && row.status !== 3)) {
      throw new StoreError('CONFLICT', `${what} 不是在库的箱/垛 (not a closed case or pallet in stock)`);
    }
    const from = stockLocationOf(db, row.code, row.parent, row.batch_id);
    if (from === null) throw new StoreError('CONFLICT', `${what} 不在任何仓库，请先设默认仓库 (in no warehouse; set a default warehouse)`);
    if (from === to.id) throw new StoreError('INVALID_INPUT', `toWarehouse: ${what} 已在仓库 ${to.id} (already there)`);
    const fromWh = requireWarehouse(db, from);
    const at = env.now();
    const iso = at.toISOString();
    const time = at.getTime();
    let unpackedFrom: string | null = null;
    if (!isPallet && row.parent !== null) {
      unpackedFrom = row.parent;
      unpackCase(db, env, row.code, row.parent, 2, time, iso, row.batch_id);
    }
    const cases = isPallet ? db.prepare('SELECT code FROM codes WHERE parent = ? ORDER BY code').pluck().all(row.code) as string[] : [row.code];
    if (cases.length === 0) throw new StoreError('CONFLICT', `${what} 上没有箱 (the pallet holds no cases)`);
    setStockLocation(db, row.code, to.id, iso);
    const moveId = Number(db.prepare('INSERT INTO stock_moves (code, from_warehouse, to_warehouse, cases, at, actor) VALUES (?, ?, ?, ?, ?, ?)')
      .run(row.code, from, to.id, cases.length, iso, options.actor).lastInsertRowid);
    emitFact(db, env, {
      type: 'storing', time,
      items: isPallet ? [{ kind: 'pallet', code: row.code }, ...cases.map((c) => ({ kind: 'case-outer' as const, code: c }))] : [{ kind: 'case-outer', code: row.code }],
      bizLocation: warehouseLocation(env.epcis, to),
      sources: [{ type: 'location', id: warehouseLocation(env.epcis, fromWh) }],
      destinations: [{ type: 'location', id: warehouseLocation(env.epcis, to) }],
      bizTransactions: [],
    }, { at: iso, batchId: row.batch_id, pallet: isPallet ? row.code : unpackedFrom });
    appendAudit(db, { actor: options.actor, action: 'stock.move', subject: row.code, at: iso, detail: { from, to: to.id, cases: cases.length, moveId, ...(unpackedFrom === null ? {} : { unpackedFrom }) } });
    return { moveId, code: row.code, codeKind: row.kindName, cases: cases.length, fromWarehouse: from, toWarehouse: to.id, unpackedFrom };
  }).immediate();
}
