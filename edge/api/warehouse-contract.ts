/**
 * The warehouse's part of the local API contract (issue 13: dispatch orders, PDA scanning, returns, moves, tracing,
 * reports, paired PDAs). contract.ts spreads these operations into API_OPERATIONS and their shapes into ApiContract,
 * so the route table, the OpenAPI document and the client treat them like every other operation. Like contract.ts
 * this file imports nothing at run time (the browser loads it as is); the shapes of edge/warehouse are type-only.
 */
export type OrderView = import('../warehouse/index.ts').OrderView;
export type OrderSummary = import('../warehouse/index.ts').OrderSummary;
export type ScanResult = import('../warehouse/index.ts').ScanResult;
export type RecentScan = import('../warehouse/index.ts').RecentScan;
export type ReturnResult = import('../warehouse/index.ts').ReturnResult;
export type MoveResult = import('../warehouse/index.ts').MoveResult;
export type TraceResult = import('../warehouse/index.ts').TraceResult;
export type OrderReport = import('../warehouse/index.ts').OrderReport;
export type DealerReport = import('../warehouse/index.ts').DealerReport;
export type Dealer = import('../warehouse/index.ts').Dealer;
export type WarehouseInfo = import('../warehouse/index.ts').WarehouseInfo;
export type OrderStateName = import('../warehouse/index.ts').OrderState;
export type RefusalReasonName = import('../warehouse/index.ts').RefusalReason;
export type OrderImportIssue = import('../warehouse/index.ts').OrderImportIssue;
export type OrderImportOutcome = import('../warehouse/index.ts').OrderImportOutcome;

const wop = <const D extends {
  readonly method: 'GET' | 'POST'; readonly path: string; readonly access: 'session'; readonly mutating: boolean;
  readonly permission: 'dispatch.order' | 'dispatch.scan' | 'dispatch.return' | 'trace.finding' | 'device.settings' | null;
  readonly signed: boolean; readonly summary: string; readonly tag: 'warehouse' | 'trace' | 'devices';
}>(d: D): D => d;

/** The warehouse operations (paths under /api/warehouse, /api/trace and /api/pda-devices). */
export const WAREHOUSE_OPERATIONS = {
  listOrders: wop({ method: 'GET', path: '/api/warehouse/orders', access: 'session', mutating: false, permission: null, signed: false, tag: 'warehouse', summary: '发货单列表 (dispatch orders; ?state=&dealerId=&warehouseId=)' }),
  getOrder: wop({ method: 'GET', path: '/api/warehouse/orders/{orderId}', access: 'session', mutating: false, permission: null, signed: false, tag: 'warehouse', summary: '发货单详情与最近扫码 (one order with its last scans)' }),
  createOrder: wop({ method: 'POST', path: '/api/warehouse/orders', access: 'session', mutating: true, permission: 'dispatch.order', signed: false, tag: 'warehouse', summary: '新建发货单（草稿）(create a dispatch order, draft)' }),
  dispatchScan: wop({ method: 'POST', path: '/api/warehouse/orders/{orderId}/scan', access: 'session', mutating: true, permission: 'dispatch.scan', signed: false, tag: 'warehouse', summary: '出库扫码：箱码或垛码；拒绝时给出原因，不做任何改动 (dispatch scan of a case or pallet code; a refusal changes nothing)' }),
  completeOrder: wop({ method: 'POST', path: '/api/warehouse/orders/{orderId}/complete', access: 'session', mutating: true, permission: 'dispatch.scan', signed: true, tag: 'warehouse', summary: '完成发货；短发需原因与 PIN 签名 (complete; a short shipment needs a reason signed with the PIN)' }),
  importOrders: wop({ method: 'POST', path: '/api/warehouse/orders/import', access: 'session', mutating: true, permission: 'dispatch.order', signed: false, tag: 'warehouse', summary: '导入发货单文件（CSV / JSON 文本与文件名）：整份检查，每个问题注明文件、行与原因，有问题则什么都不存 (import an ERP order file: every issue names file, line and reason; nothing stored unless clean)' }),
  cancelOrder: wop({ method: 'POST', path: '/api/warehouse/orders/{orderId}/cancel', access: 'session', mutating: true, permission: 'dispatch.order', signed: false, tag: 'warehouse', summary: '作废发货单（未发出任何货）(cancel an order with nothing shipped)' }),
  orderReport: wop({ method: 'GET', path: '/api/warehouse/orders/{orderId}/report', access: 'session', mutating: false, permission: null, signed: false, tag: 'warehouse', summary: '发货单报告 JSON / CSV / PDF (order report; ?format=json|csv|pdf)' }),
  orderBarcode: wop({ method: 'GET', path: '/api/warehouse/orders/{orderId}/barcode', access: 'session', mutating: false, permission: null, signed: false, tag: 'warehouse', summary: '发货单条码（打印在发货单上，PDA 扫它选单）SVG / PNG (the order barcode of the dispatch sheet; ?format=svg|png)' }),
  returnStock: wop({ method: 'POST', path: '/api/warehouse/returns', access: 'session', mutating: true, permission: 'dispatch.return', signed: false, tag: 'warehouse', summary: '退货入库：经销商退回的箱或垛，需原因 (a dealer return back into stock, with a reason)' }),
  moveStock: wop({ method: 'POST', path: '/api/warehouse/moves', access: 'session', mutating: true, permission: 'dispatch.return', signed: false, tag: 'warehouse', summary: '移库：箱或垛移到另一仓库 (move a case or pallet to another warehouse)' }),
  listDealers: wop({ method: 'GET', path: '/api/warehouse/dealers', access: 'session', mutating: false, permission: null, signed: false, tag: 'warehouse', summary: '经销商列表 (dealers)' }),
  dealerReport: wop({ method: 'GET', path: '/api/warehouse/dealers/{dealerId}/report', access: 'session', mutating: false, permission: null, signed: false, tag: 'warehouse', summary: '经销商发货报告（日期范围）JSON / CSV / PDF (dealer report over a date range; ?from=&to=&format=)' }),
  listWarehouses: wop({ method: 'GET', path: '/api/warehouse/warehouses', access: 'session', mutating: false, permission: null, signed: false, tag: 'warehouse', summary: '仓库列表 (warehouses)' }),
  traceCode: wop({ method: 'GET', path: '/api/trace/{code}', access: 'session', mutating: false, permission: null, signed: false, tag: 'trace', summary: '渠道查询：外码、箱码或垛码 → 产品、批次、垛、发货单、经销商、区域；内码不可放在网址中 (trace an outer, case or pallet code; inner codes never go in a URL)' }),
  traceLookup: wop({ method: 'POST', path: '/api/trace/lookup', access: 'session', mutating: false, permission: null, signed: false, tag: 'trace', summary: '渠道查询（码放在请求体中，不进网址）：内码仅质检，打码显示；不记录稽查结果 (trace with the code in the body, never in a URL; inner codes for QA only, masked; records no finding)' }),
  recordFinding: wop({ method: 'POST', path: '/api/trace/findings', access: 'session', mutating: true, permission: 'trace.finding', signed: false, tag: 'trace', summary: '稽查：在某区域发现此码，判定是否窜货并记录（内码仅质检，打码显示）(a market finding: diversion or not, recorded; inner codes for QA only, masked)' }),
  listPdaDevices: wop({ method: 'GET', path: '/api/pda-devices', access: 'session', mutating: false, permission: 'device.settings', signed: false, tag: 'devices', summary: '已配对的 PDA (paired PDAs)' }),
  pairPdaDevice: wop({ method: 'POST', path: '/api/pda-devices', access: 'session', mutating: true, permission: 'device.settings', signed: false, tag: 'devices', summary: '配对一台 PDA：返回一次性显示的设备令牌二维码 (pair a PDA: its device token as a QR, shown once)' }),
  revokePdaDevice: wop({ method: 'POST', path: '/api/pda-devices/{deviceId}/revoke', access: 'session', mutating: true, permission: 'device.settings', signed: false, tag: 'devices', summary: '撤销 PDA 配对 (revoke a PDA)' }),
} as const;

/** What a paired PDA may call with its device token (edge/api/pda-devices.ts), beside login, logout and me. */
export const PDA_WAREHOUSE_OPERATIONS = ['listOrders', 'getOrder', 'dispatchScan', 'completeOrder', 'orderBarcode', 'returnStock', 'moveStock', 'traceCode'] as const;

export interface DispatchScanBody { readonly code: string }
export interface DispatchScanResult {
  readonly result: ScanResult;
  readonly order: OrderView;
}
/** Complete: without `reason` a short order is refused (409 SIGNATURE_REQUIRED); with it the PIN signs. */
export interface CompleteOrderBody { readonly reason?: string; readonly pin?: string }
export interface CancelOrderBody { readonly reason: string }
export interface CreateOrderBody {
  readonly id: string; readonly dealerId: string; readonly warehouseId: string; readonly documentType?: 'desadv' | 'po';
  readonly lines: readonly { readonly productId: string; readonly quantity: number }[];
}
export interface ReturnBody { readonly code: string; readonly reason: string; readonly warehouseId?: string }
export interface MoveBody { readonly code: string; readonly toWarehouse: string }
/** An order file as the IT screen read it: its text (UTF-8) and its name (the extension says CSV or JSON; issues name it). */
export interface ImportOrdersBody { readonly fileName: string; readonly text: string }
/** The import's outcome; `ok: false` with every issue and nothing stored, else the orders created (draft). */
export interface ImportOrdersResult extends OrderImportOutcome { readonly created: readonly OrderView[] }
export interface TraceLookupBody { readonly code: string }
export interface FindingBody { readonly code: string; readonly foundIn: string; readonly note?: string }

export interface PdaDeviceView {
  readonly id: string; readonly name: string; readonly pairedAt: string; readonly pairedBy: string;
  readonly revokedAt: string | null; readonly revokedBy: string | null;
}
export interface PairPdaResult {
  readonly device: PdaDeviceView;
  /** The pairing link as a QR (SVG data URL), for the PDA to scan. It carries the device token: shown once, never stored. */
  readonly qr: string;
  /** The same link as text, for scripts that pair a PDA (the IT screen never shows it: it carries the token). */
  readonly link: string;
  /** The link's origin and path without the token (for the IT screen to show); the token itself is masked. */
  readonly linkShown: string;
  /** False when the API listens on loopback only: a PDA on the LAN cannot reach it (start with --allow-lan and TLS). */
  readonly reachableFromLan: boolean;
}

export interface WarehouseContract {
  listOrders: { query?: { state?: OrderStateName; dealerId?: string; warehouseId?: string }; response: { orders: readonly OrderSummary[] } };
  getOrder: { params: { orderId: string }; response: { order: OrderView; recent: readonly RecentScan[] } };
  createOrder: { body: CreateOrderBody; response: OrderView };
  dispatchScan: { params: { orderId: string }; body: DispatchScanBody; response: DispatchScanResult };
  completeOrder: { params: { orderId: string }; body: CompleteOrderBody; response: OrderView };
  importOrders: { body: ImportOrdersBody; response: ImportOrdersResult };
  cancelOrder: { params: { orderId: string }; body: CancelOrderBody; response: OrderView };
  orderReport: { params: { orderId: string }; query?: { format?: 'json' | 'csv' | 'pdf' }; response: OrderReport };
  orderBarcode: { params: { orderId: string }; query?: { format?: 'svg' | 'png' }; response: string };
  returnStock: { body: ReturnBody; response: ReturnResult };
  moveStock: { body: MoveBody; response: MoveResult };
  listDealers: { response: { dealers: readonly Dealer[] } };
  dealerReport: { params: { dealerId: string }; query: { from: string; to: string; format?: 'json' | 'csv' | 'pdf' }; response: DealerReport };
  listWarehouses: { response: { warehouses: readonly WarehouseInfo[] } };
  traceCode: { params: { code: string }; response: TraceResult };
  traceLookup: { body: TraceLookupBody; response: TraceResult };
  recordFinding: { body: FindingBody; response: TraceResult };
  listPdaDevices: { response: { devices: readonly PdaDeviceView[] } };
  pairPdaDevice: { body: { name: string }; response: PairPdaResult };
  revokePdaDevice: { params: { deviceId: string }; response: PdaDeviceView };
}
