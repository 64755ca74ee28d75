import { CODE_STATUS_LABEL_ZH, kindFromInt, statusFromInt, SECRET_KINDS, type CodeKind } from '../domain/kinds.ts';
import { displayCode, maskCode } from '../domain/mask.ts';
import { appendAudit } from '../store/audit.ts';
import { StoreError } from '../store/errors.ts';
import type { Db } from '../store/open.ts';
import type { TraceOptions, TraceResult, TraceShipment } from './contract.ts';
import type { WarehouseEnv } from './warehouse-env.ts';

/** Who may trace from an inner code (盖内码/箱内码: money codes). Always shown masked. */
export const INNER_TRACE_ROLES: readonly string[] = ['qa', 'admin'];

interface CodeRow { code: string; kind: number; status: number; pair: string | null; parent: string | null; batch_id: number | null }

function codeRow(db: Db, code: string): CodeRow | undefined {
  return db.prepare('SELECT code, kind, status, pair, parent, batch_id FROM codes WHERE code = ?').get(code) as CodeRow | undefined;
}

/** Regions compare trimmed, case- and width-insensitively (`华东` = ` 华东 `, `cn-31` = `CN-31`). */
export function sameRegion(a: string, b: string): boolean {
  return a.normalize('NFKC').trim().toLowerCase() === b.normalize('NFKC').trim().toLowerCase();
}

function shipmentsOf(db: Db, where: string, value: string): TraceShipment[] {
  return (db.prepare(`SELECT s.order_id, s.shipped_at, s.pallet, s.return_id, o.warehouse_id, d.id AS dealer_id, d.name, d.gln, d.region
      FROM shipped_items s JOIN dispatch_orders o ON o.id = s.order_id JOIN dealers d ON d.id = o.dealer_id
      WHERE ${where} ORDER BY s.id DESC LIMIT 50`).all(value) as {
    order_id: string; shipped_at: string; pallet: string | null; return_id: number | null; warehouse_id: string; dealer_id: string; name: string; gln: string | null; region: string;
  }[]).map((r) => ({
    orderId: r.order_id, dealer: { id: r.dealer_id, name: r.name, gln: r.gln, region: r.region }, warehouseId: r.warehouse_id,
    shippedAt: r.shipped_at, pallet: r.pallet, returned: r.return_id !== null,
  }));
}

/** One shipment per order (a pallet's cases ship on one row each). */
function distinctOrders(list: TraceShipment[]): TraceShipment[] {
  const seen = new Set<string>();
  return list.filter((s) => (seen.has(`${s.orderId}\u0000${String(s.returned)}`) ? false : (seen.add(`${s.orderId}\u0000${String(s.returned)}`), true)));
}

/**
 * 渠道稽查 (issue 13 §4): from any code to product, batch, production date, line, case, pallet, order, dealer,
 * region and ship date. Inner codes (cap-inner, case-inner) only for INNER_TRACE_ROLES and always masked in the
 * answer; such a lookup is audited. With `foundIn` the verdict (diverted 窜货 / in-region / unshipped) is
 * recorded as a market finding with its audit row, in one transaction.
 */
export function traceCode(db: Db, env: WarehouseEnv, rawCode: string, options: TraceOptions): TraceResult {
  const queried = rawCode.trim();
  const start = codeRow(db, queried);
  if (start === undefined) throw new StoreError('NOT_FOUND', `码 ${maskCode(queried)} 不存在于本站 (unknown code)`);
  const kind: CodeKind = kindFromInt(start.kind);
  const secret = SECRET_KINDS.has(kind);
  const shownCode = displayCode(queried, kind);
  if (secret && !INNER_TRACE_ROLES.includes(options.role)) {
    throw new StoreError('FORBIDDEN', `${kind === 'cap-inner' ? '盖内码' : '箱内码'} ${shownCode} 只能由质检/稽查 (qa) 追溯 (inner codes are traced by the qa role only)`);
  }
  // Walk up: inner → its outer pair → box → case → pallet.
  let current: CodeRow = start;
  if (secret && start.pair !== null) current = codeRow(db, start.pair) ?? start;
  let caseRow: CodeRow | null = null;
  let palletCode: string | null = null;
  for (let depth = 0; depth < 6; depth += 1) {
    const k = kindFromInt(current.kind);
    if (k === 'case-outer') caseRow = current;
    if (k === 'pallet') { palletCode = current.code; break; }
    if (current.parent === null) break;
    const up = codeRow(db, current.parent);
    if (up === undefined) break;
    current = up;
  }
  const batchId = caseRow?.batch_id ?? current.batch_id ?? start.batch_id;
  const batch = batchId === null ? undefined : db.prepare(`SELECT b.id, b.lot, b.production_date, b.line, p.id AS product_id, p.name
      FROM batches b JOIN products p ON p.id = b.product_id WHERE b.id = ?`).get(batchId) as
    { id: number; lot: string; production_date: string; line: string; product_id: string; name: string } | undefined;
  let shipments: TraceShipment[];
  if (caseRow !== null) {
    shipments = shipmentsOf(db, 's.code = ?', caseRow.code);
    if (palletCode === null) palletCode = shipments[0]?.pallet ?? null;
  } else if (palletCode !== null) {
    shipments = distinctOrders(shipmentsOf(db, 's.pallet = ?', palletCode));
  } else {
    shipments = [];
  }
  const shipment = shipments[0] ?? null;
  const base: Omit<TraceResult, 'finding'> = {
    code: shownCode, kind, status: `${CODE_STATUS_LABEL_ZH[statusFromInt(start.status)]} ${statusFromInt(start.status)}`,
    product: batch === undefined ? null : { id: batch.product_id, name: batch.name },
    batch: batch === undefined ? null : { id: batch.id, lot: batch.lot, productionDate: batch.production_date, line: batch.line },
    case: caseRow?.code ?? null, pallet: palletCode, shipments, shipment,
    region: shipment?.dealer.region ?? null, shippedAt: shipment?.shippedAt ?? null,
  };
  const foundIn = options.foundIn?.trim();
  if (foundIn === undefined || foundIn.length === 0) {
    if (secret) {
      db.transaction(() => appendAudit(db, { actor: options.actor, action: 'trace.inner', subject: shownCode, detail: { kind, case: caseRow?.code ?? null } })).immediate();
    }
    return { ...base, finding: null };
  }
  if (foundIn.length > 64) throw new StoreError('INVALID_INPUT', 'foundIn: 区域不能超过 64 字 (region longer than 64 characters)');
  const verdict: 'diverted' | 'in-region' | 'unshipped' = shipment === null ? 'unshipped' : sameRegion(shipment.dealer.region, foundIn) ? 'in-region' : 'diverted';
  const message = verdict === 'diverted' && shipment !== null
    ? `窜货：此码发往 ${shipment.dealer.name}（${shipment.dealer.id}，区域 ${shipment.dealer.region}），发货单 ${shipment.orderId}，${shipment.shippedAt.slice(0, 10)} 发货，却在 ${foundIn} 发现 (diverted: shipped to ${shipment.dealer.region}, found in ${foundIn})`
    : verdict === 'in-region' && shipment !== null
      ? `非窜货：此码发往 ${shipment.dealer.name}（区域 ${shipment.dealer.region}），在本区域内 (not diverted: found in its dealer's region)`
      : `此码从未出库，却在 ${foundIn} 市场发现，请核查 (never shipped, yet found in the market in ${foundIn})`;
  const iso = env.now().toISOString();
  const id = db.transaction(() => {
    const findingId = Number(db.prepare(`INSERT INTO market_findings (queried, queried_kind, case_code, found_in, verdict, order_id, dealer_id, dealer_region, note, at, actor)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(shownCode, start.kind, caseRow?.code ?? null, foundIn, verdict, shipment?.orderId ?? null,
      shipment?.dealer.id ?? null, shipment?.dealer.region ?? null, options.note ?? null, iso, options.actor).lastInsertRowid);
    appendAudit(db, {
      actor: options.actor, action: 'trace.finding', subject: caseRow?.code ?? palletCode ?? shownCode, at: iso, reason: options.note ?? null,
      detail: { findingId, queried: shownCode, kind, foundIn, verdict, orderId: shipment?.orderId ?? null, dealerId: shipment?.dealer.id ?? null, dealerRegion: shipment?.dealer.region ?? null },
    });
    return findingId;
  }).immediate();
  return { ...base, finding: { id, foundIn, verdict, message } };
}
