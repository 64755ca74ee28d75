import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SECRET_KINDS } from '../domain/kinds.ts';
import { maskCode } from '../domain/mask.ts';
import { renderSymbol } from '../render/index.ts';
import { kindOfCode } from '../store/code-lookup.ts';
import { mayPerform } from '../store/users.ts';
import {
  importOrderFile, ORDER_STATES, renderDealerReportCsv, renderDealerReportPdf, renderOrderReportCsv, renderOrderReportPdf, Warehouse,
  type OrderView,
} from '../warehouse/index.ts';
import { ApiError } from './errors.ts';
import { CODE, obj, SIGNATURE, str, type JsonSchema } from './json-schema.ts';
import { deviceOfRequest, DEVICE_LINK_PARAM, listPdaDevices, pairPdaDevice, revokePdaDevice } from './pda-devices.ts';
import { fileResponse, sessionOf, type ApiDeps, type RouteImpls } from './route-types.ts';
import type { OperationId } from './contract.ts';
import type { WAREHOUSE_OPERATIONS } from './warehouse-contract.ts';

type WarehouseOp = keyof typeof WAREHOUSE_OPERATIONS & OperationId;

/** An id of the warehouse's records (orders, dealers, warehouses): what the ERP sends, printable, no slashes. */
const ID: JsonSchema = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: '编号：字母、数字、. _ - (id: letters, digits, . _ -)' };
const REGION: JsonSchema = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[^\\u0000-\\u001f\\u007f]+$', description: '区域 (sales region)' };
const DATE: JsonSchema = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: '日期 YYYY-MM-DD (date)' };
const NOTE: JsonSchema = { type: 'string', minLength: 1, maxLength: 500, description: '备注 (note)' };
/** The name of an uploaded order file as the browser gives it: no directory, no control characters; the extension picks CSV or JSON. */
const FILE_NAME: JsonSchema = { type: 'string', minLength: 1, maxLength: 200, pattern: '^(?!\\.+$)[^/\\\\\\u0000-\\u001f\\u007f]+$', description: '文件名，如 orders.csv (file name)' };
/** The text of an order file; the JSON body limit (1 MiB) bounds it — a larger ERP export goes through `wuma warehouse order import`. */
const FILE_TEXT: JsonSchema = { type: 'string', maxLength: 1_000_000, description: '文件内容 UTF-8 (file text)' };
const REPORT_FORMAT: JsonSchema = { enum: ['json', 'csv', 'pdf'] };

/**
 * One Warehouse per API (per connection, as edge/warehouse asks). Without an EPCIS context (`wuma api` without
 * --config) lists, traces and reports still answer; an operation that must freeze an event is refused by it.
 */
const warehouses = new WeakMap<ApiDeps, Warehouse>();
function warehouseOf(deps: ApiDeps): Warehouse {
  let w = warehouses.get(deps);
  if (w === undefined) {
    w = new Warehouse(deps.db, deps.epcis === undefined ? {} : { epcis: deps.epcis });
    warehouses.set(deps, w);
  }
  return w;
}

function param(params: Readonly<Record<string, string>>, name: string, what: string): string {
  const v = params[name] ?? '';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(v)) {
    throw new ApiError('BAD_REQUEST', `${what}编号格式不对 (bad ${name})`, { errors: [{ path: name, message: '应为 1–64 位字母、数字、. _ - (1–64 letters, digits, . _ -)' }] });
  }
  return v;
}

function mustOrder(w: Warehouse, id: string): OrderView {
  const order = w.getOrder(id);
  if (order === null) throw new ApiError('NOT_FOUND', `发货单 ${id} 不存在 (unknown dispatch order)`);
  return order;
}

/** A scanned value as it may appear in a message: masked when it is (or may be) an inner code. */
function shown(deps: ApiDeps, code: string): string {
  const kind = kindOfCode(deps.db, code);
  return kind === null || SECRET_KINDS.has(kind) ? maskCode(code) : code;
}

/**
 * The warehouse's routes (issue 13): dispatch orders and their scanning from PDAs, returns, moves, tracing and
 * reports, plus the pairing of PDAs by IT. Every decision is edge/warehouse's (one transaction each); these
 * handlers validate, name the user and the PDA, and shape the answer. A refused scan is a 200 with
 * `result.kind = 'refused'` (its Chinese reason beside it): it is an outcome of scanning, not an API failure.
 */
export const WAREHOUSE_ROUTES: RouteImpls<WarehouseOp> = {
  listOrders: {
    query: { type: 'object', properties: { state: { enum: [...ORDER_STATES] }, dealerId: ID, warehouseId: ID }, additionalProperties: false },
    handle(deps, { query }) {
      return { orders: warehouseOf(deps).listOrders({ ...(query?.state === undefined ? {} : { state: query.state }), ...(query?.dealerId === undefined ? {} : { dealerId: query.dealerId }), ...(query?.warehouseId === undefined ? {} : { warehouseId: query.warehouseId }) }) };
    },
  },
  getOrder: {
    handle(deps, { params }) {
      const w = warehouseOf(deps);
      const id = param(params, 'orderId', '发货单');
      return { order: mustOrder(w, id), recent: w.recentScans(id, 20) };
    },
  },
  createOrder: {
    body: obj({
      id: ID, dealerId: ID, warehouseId: ID, documentType: { enum: ['desadv', 'po'] },
      lines: { type: 'array', minItems: 1, maxItems: 200, items: obj({ productId: str(64), quantity: { type: 'integer', minimum: 1, maximum: 1_000_000 } }) },
    }, ['id', 'dealerId', 'warehouseId', 'lines']),
    handle(deps, input) {
      const actor = sessionOf(input).user.id;
      const order = warehouseOf(deps).createOrder(input.body, actor);
      deps.logger.info('api.dispatch.order-created', { orderId: order.id, userId: actor });
      return order;
    },
  },
  dispatchScan: {
    body: obj({ code: CODE }),
    handle(deps, input) {
      const w = warehouseOf(deps);
      const id = param(input.params, 'orderId', '发货单');
      const user = sessionOf(input).user.id;
      const device = deviceOfRequest(deps.db, input.req.headers);
      const result = w.scan(id, input.body.code, { user, device: device?.id ?? null });
      // No code in the log line: a refused scan may be an inner code read by mistake.
      deps.logger.info('api.dispatch.scan', { orderId: id, userId: user, deviceId: device?.id ?? null, outcome: result.kind, ...(result.kind === 'refused' ? { reason: result.reason } : { counted: result.counted }) });
      return { result, order: mustOrder(w, id) };
    },
  },
  completeOrder: {
    body: { type: 'object', properties: { reason: SIGNATURE.reason, pin: SIGNATURE.pin }, additionalProperties: false },
    handle(deps, input) {
      const w = warehouseOf(deps);
      const id = param(input.params, 'orderId', '发货单');
      const user = sessionOf(input).user;
      const order = mustOrder(w, id);
      const short = order.lines.filter((l) => l.shipped < l.quantity);
      const { reason, pin } = input.body;
      if (short.length > 0 && reason === undefined) {
        const missing = short.map((l) => `${l.productName} ${l.shipped}/${l.quantity}`).join('，');
        throw new ApiError('SIGNATURE_REQUIRED', `短发：${missing}；需填写短发原因并用 PIN 签名后才能完成 (short shipment: a reason signed with the PIN is required)`, {
          details: { short: short.map((l) => ({ lineNo: l.lineNo, productId: l.productId, quantity: l.quantity, shipped: l.shipped })) },
        });
      }
      if (reason !== undefined && pin === undefined) {
        throw new ApiError('BAD_REQUEST', '短发原因需要 PIN 签名 (a short-shipment reason must be signed with the PIN)', { errors: [{ path: 'pin', message: '缺少必填字段 (required field missing)' }] });
      }
      const done = w.complete(id, { actor: user.id, ...(reason === undefined ? {} : { reason }), ...(pin === undefined ? {} : { signer: { userId: user.id, pin } }) });
      deps.logger.info('api.dispatch.completed', { orderId: id, userId: user.id, short: short.length > 0 });
      return done;
    },
  },
  importOrders: {
    body: obj({ fileName: FILE_NAME, text: FILE_TEXT }),
    handle(deps, input) {
      const actor = sessionOf(input).user.id;
      const { fileName, text } = input.body;
      // importOrderFile reads a file (the CLI's path): the text goes to a private scratch directory under its own
      // name, so every issue names the file as IT chose it, and the directory is removed whatever happens.
      const dir = mkdtempSync(join(deps.uploadDir, 'order-import-'));
      try {
        const path = join(dir, fileName);
        writeFileSync(path, text, { encoding: 'utf8', mode: 0o600 });
        const w = warehouseOf(deps);
        const outcome = importOrderFile(deps.db, path, actor);
        deps.logger.info('api.dispatch.orders-imported', { userId: actor, ok: outcome.ok, orders: outcome.orders, issues: outcome.issues.length });
        return { ...outcome, created: outcome.orderIds.map((id) => mustOrder(w, id)) };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  cancelOrder: {
    body: obj({ reason: SIGNATURE.reason }),
    handle(deps, input) {
      const id = param(input.params, 'orderId', '发货单');
      const actor = sessionOf(input).user.id;
      const order = warehouseOf(deps).cancel(id, { actor, reason: input.body.reason });
      deps.logger.info('api.dispatch.cancelled', { orderId: id, userId: actor });
      return order;
    },
  },
  orderReport: {
    query: { type: 'object', properties: { format: REPORT_FORMAT }, additionalProperties: false },
    async handle(deps, { params, query }) {
      const id = param(params, 'orderId', '发货单');
      const report = warehouseOf(deps).orderReport(id);
      const format = query?.format ?? 'json';
      if (format === 'csv') return fileResponse('text/csv; charset=utf-8', `order-${id}.csv`, renderOrderReportCsv(report));
      if (format === 'pdf') return fileResponse('application/pdf', `order-${id}.pdf`, await renderOrderReportPdf(report, deps.reportFont === undefined ? {} : { fontPath: deps.reportFont }));
      return report;
    },
  },
  orderBarcode: {
    query: { type: 'object', properties: { format: { enum: ['svg', 'png'] } }, additionalProperties: false },
    async handle(deps, { params, query }) {
      const id = param(params, 'orderId', '发货单');
      mustOrder(warehouseOf(deps), id);
      // The dispatch sheet's barcode carries the order id itself: the PDA's scanner types it into the order field.
      if (query?.format === 'png') return fileResponse('image/png', `order-${id}.png`, await renderSymbol({ symbology: 'qr', data: id, format: 'png', scale: 6 }));
      return fileResponse('image/svg+xml', `order-${id}.svg`, await renderSymbol({ symbology: 'qr', data: id, format: 'svg', scale: 6 }));
    },
  },
  returnStock: {
    body: obj({ code: CODE, reason: SIGNATURE.reason, warehouseId: ID }, ['code', 'reason']),
    handle(deps, input) {
      const actor = sessionOf(input).user.id;
      const { code, reason, warehouseId } = input.body;
      const result = warehouseOf(deps).receiveReturn(code, { actor, reason, ...(warehouseId === undefined ? {} : { warehouseId }) });
      deps.logger.info('api.dispatch.returned', { returnId: result.returnId, orderId: result.orderId, userId: actor, cases: result.cases });
      return result;
    },
  },
  moveStock: {
    body: obj({ code: CODE, toWarehouse: ID }),
    handle(deps, input) {
      const actor = sessionOf(input).user.id;
      const result = warehouseOf(deps).move(input.body.code, input.body.toWarehouse, { actor });
      deps.logger.info('api.dispatch.moved', { moveId: result.moveId, userId: actor, cases: result.cases, to: result.toWarehouse });
      return result;
    },
  },
  listDealers: { handle: (deps) => ({ dealers: warehouseOf(deps).listDealers() }) },
  dealerReport: {
    query: { type: 'object', properties: { from: DATE, to: DATE, format: REPORT_FORMAT }, required: ['from', 'to'], additionalProperties: false },
    async handle(deps, { params, query }) {
      const id = param(params, 'dealerId', '经销商');
      if (query.from > query.to) throw new ApiError('BAD_REQUEST', '起始日期晚于结束日期 (from is after to)', { errors: [{ path: 'query.from', message: '应不晚于 to (must not be after to)' }] });
      const report = warehouseOf(deps).dealerReport(id, { from: query.from, to: query.to });
      const format = query.format ?? 'json';
      const name = `dealer-${id}-${query.from}-${query.to}`;
      if (format === 'csv') return fileResponse('text/csv; charset=utf-8', `${name}.csv`, renderDealerReportCsv(report));
      if (format === 'pdf') return fileResponse('application/pdf', `${name}.pdf`, await renderDealerReportPdf(report, deps.reportFont === undefined ? {} : { fontPath: deps.reportFont }));
      return report;
    },
  },
  listWarehouses: { handle: (deps) => ({ warehouses: warehouseOf(deps).listWarehouses() }) },
  traceCode: {
    handle(deps, input) {
      const code = input.params['code'] ?? '';
      if (code.length === 0 || code.length > 512 || /[\u0000-\u001f\u007f]/.test(code)) {
        throw new ApiError('BAD_REQUEST', '码为空、太长或含控制字符 (the code is empty, too long or holds control characters)', { errors: [{ path: 'code', message: '格式不对 (bad format)' }] });
      }
      const kind = kindOfCode(deps.db, code);
      if (kind !== null && SECRET_KINDS.has(kind)) {
        // The URL of a GET lands in logs and browser history: a secret code never goes there.
        throw new ApiError('BAD_REQUEST', `${maskCode(code)} 是内码，不能放在网址中查询；质检请用 POST /api/trace/findings（打码显示）(an inner code never goes in a URL; QA uses POST /api/trace/findings)`, { errors: [{ path: 'code', message: '内码 (inner code)' }] });
      }
      const s = sessionOf(input);
      return warehouseOf(deps).trace(code, { role: s.user.role, actor: s.user.id });
    },
  },
  traceLookup: {
    body: obj({ code: CODE }),
    handle(deps, input) {
      const s = sessionOf(input);
      const kind = kindOfCode(deps.db, input.body.code);
      if (kind !== null && SECRET_KINDS.has(kind) && !mayPerform(s.user.role, 'trace.inner')) {
        throw new ApiError('FORBIDDEN', `${shown(deps, input.body.code)} 是内码，只有质检可以用内码查询 (only QA may trace from an inner code)`);
      }
      return warehouseOf(deps).trace(input.body.code, { role: s.user.role, actor: s.user.id });
    },
  },
  recordFinding: {
    body: obj({ code: CODE, foundIn: REGION, note: NOTE }, ['code', 'foundIn']),
    handle(deps, input) {
      const s = sessionOf(input);
      const kind = kindOfCode(deps.db, input.body.code);
      if (kind !== null && SECRET_KINDS.has(kind) && !mayPerform(s.user.role, 'trace.inner')) {
        throw new ApiError('FORBIDDEN', `${shown(deps, input.body.code)} 是内码，只有质检可以用内码查询 (only QA may trace from an inner code)`);
      }
      const { code, foundIn, note } = input.body;
      const result = warehouseOf(deps).trace(code, { role: s.user.role, actor: s.user.id, foundIn, ...(note === undefined ? {} : { note }) });
      deps.logger.info('api.trace.finding', { userId: s.user.id, verdict: result.finding?.verdict ?? null, findingId: result.finding?.id ?? null });
      return result;
    },
  },
  listPdaDevices: { handle: (deps) => ({ devices: listPdaDevices(deps.db) }) },
  pairPdaDevice: {
    body: obj({ name: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f\\u007f]+$', description: '设备名称，如 “仓库 PDA 3” (device name)' } }),
    async handle(deps, input) {
      const actor = sessionOf(input).user.id;
      const { device, token } = pairPdaDevice(deps.db, { name: input.body.name, actor });
      const base = deps.urls.lan ?? deps.urls.local;
      const link = `${base}/pda/?${DEVICE_LINK_PARAM}=${token}`;
      const svg = await renderSymbol({ symbology: 'qr', data: link, format: 'svg', scale: 6 });
      deps.logger.info('api.pda.paired', { deviceId: device.id, userId: actor, lan: deps.urls.lan !== null });
      return {
        device, link, qr: `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`,
        linkShown: `${base}/pda/?${DEVICE_LINK_PARAM}=${maskCode(token)}`, reachableFromLan: deps.urls.lan !== null,
      };
    },
  },
  revokePdaDevice: {
    handle(deps, input) {
      const actor = sessionOf(input).user.id;
      const device = revokePdaDevice(deps.db, input.params['deviceId'] ?? '', actor);
      deps.logger.info('api.pda.revoked', { deviceId: device.id, userId: actor });
      return device;
    },
  },
};

