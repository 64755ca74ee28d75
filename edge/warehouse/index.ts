/**
 * edge/warehouse — dispatch (出库扫码), returns, moves and channel tracing (渠道稽查 · 窜货) on the station store
 * (issue 13). Explicit export list; the API routes and the PDA page use only what is exported here.
 *
 * `new Warehouse(db, { epcis, clock? })` — one per connection. Every mutating method is ONE immediate SQLite
 * transaction holding its rows, its audit row (edge/store/audit.ts) and its frozen EPCIS events
 * (edge/store/outbox.ts; the existing sender sends them). Refusals come back as values and change nothing.
 *
 * Set-up (IT):
 * - `addWarehouse({ id, name, location?, owner?, isDefault?, lines? }, actor)` → WarehouseInfo. `location` is the
 *   EPCIS bizLocation (SGLN URN / URI), `owner` the owning party of the stock (sourceList). `lines`: production
 *   lines whose output is stocked here; the default warehouse holds everything not mapped elsewhere.
 * - `addDealer({ id, name, gln?, region }, actor)` → Dealer.
 * - `setDispatchRule(productId, { requiresClosedBatch }, actor)`: refuse (未入库) cases of a batch not yet closed.
 * - `createOrder({ id, dealerId, warehouseId, documentType?, lines: [{ productId, quantity }] }, actor)` →
 *   OrderView in state `draft`. `importOrderFile(db, path, actor)` (CSV or JSON) checks the WHOLE file first:
 *   every issue names file, line and field; nothing is stored unless the file is clean.
 * - `getOrder(id)`, `listOrders({ state?, dealerId?, warehouseId? })`, `recentScans(orderId, limit)`.
 * - `listWarehouses()`, `listDealers()`, `getDealer(id)`.
 *
 * Dispatch (warehouse staff, PDA or dock reader):
 * - `release(orderId, { actor })`: draft → picking (the first scan does it too).
 * - `scan(orderId, code, { user, device })` → ScanResult:
 *   `{ kind: 'ok', counted, line, order: { quantity, shipped }, unpackedFrom, orderState, … }` or
 *   `{ kind: 'refused', reason, label, message }` with reason ∈ REFUSAL_REASONS (label: 未入库/未关联, 已发货, 已作废,
 *   品项不符, 超量, 非本仓, 未知码, 码类不符, 单据不可扫). A pallet code ships all its cases; a single case of a pallet
 *   that is not shipped whole is first taken off it (AggregationEvent DELETE). The line's shipped count is raised
 *   and checked against its quantity by the database in the same transaction: concurrent PDAs never over-ship.
 * - `complete(orderId, { actor, reason?, signer?: { userId, pin } })` → OrderView (shipped). A short shipment
 *   needs a reason and the signer's PIN (role warehouse or admin); a wrong PIN is counted like everywhere else.
 * - `cancel(orderId, { actor, reason })`: draft or picking with nothing shipped.
 * - `receiveReturn(code, { actor, reason, warehouseId? })` → ReturnResult: a shipped case or pallet back into
 *   stock (ends its shipment; ObjectEvent receiving / disposition returned).
 * - `move(code, toWarehouseId, { actor })` → MoveResult: stock moved between warehouses (a case on a pallet is
 *   taken off it first).
 *
 * Tracing (QA / 稽查) and reports:
 * - `trace(code, { role, actor, foundIn?, note? })` → TraceResult: product, batch, production date, line, case,
 *   pallet, order, dealer, region, ship date. Inner codes only with role qa (or admin), always masked in the
 *   answer. With `foundIn` it says whether this is diversion (窜货) and records the finding (audited).
 * - `orderReport(orderId)`, `dealerReport(dealerId, { from, to })`; `renderOrderReportCsv/Pdf`,
 *   `renderDealerReportCsv/Pdf` like the batch report.
 *
 * Errors: StoreError (edge/store/errors.ts) with `code` NOT_FOUND, INVALID_INPUT, INVALID_STATE, CONFLICT,
 * AUTH_FAILED, LOCKED_OUT, FORBIDDEN — messages Chinese then English, secret codes masked.
 *
 * Roles: the `warehouse` (仓管) role is allowed by the users table from migration 8 on; ROLES in
 * edge/store/users.ts lists it once the login side adds it. `SHORT_SHIPMENT_ROLES` and `INNER_TRACE_ROLES` are the
 * roles this module checks itself.
 */
export { Warehouse, SHORT_SHIPMENT_ROLES, INNER_TRACE_ROLES } from './warehouse.ts';
export type { WarehouseOptions } from './warehouse.ts';
export type { OrderFilter } from './orders.ts';
export { importOrderFile, parseOrderFile } from './order-import.ts';
export type { OrderImportIssue, OrderImportOutcome, ParsedOrders } from './order-import.ts';
export { ORDER_STATES, ORDER_EVENTS, ORDER_STATE_LABEL_ZH, orderMachine, isOrderState } from './order-machine.ts';
export type { OrderState, OrderEvent } from './order-machine.ts';
export { REFUSAL_REASONS, REFUSAL_LABEL_ZH } from './contract.ts';
export type {
  CompleteOptions, Dealer, DealerReport, MoveResult, NewDealer, NewOrder, NewOrderLine, NewWarehouse, OrderDocumentType,
  OrderLine, OrderReport, OrderSummary, OrderView, RecentScan, RefusalReason, ReturnResult, ScanActor, ScanResult, Signer,
  TraceOptions, TraceResult, TraceRole, TraceShipment, WarehouseInfo,
} from './contract.ts';
export { renderOrderReportCsv, renderDealerReportCsv } from './report-csv.ts';
export { renderOrderReportPdf, renderDealerReportPdf } from './report-pdf.ts';
