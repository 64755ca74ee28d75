import { readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { appendAudit } from '../store/audit.ts';
import { StoreError } from '../store/errors.ts';
import type { Db } from '../store/open.ts';
import type { NewOrder, OrderDocumentType } from './contract.ts';
import { checkNewOrder, insertOrder } from './orders.ts';

/**
 * Dispatch orders from the ERP (发货单导入), CSV or JSON. The whole file is read and checked first — syntax, every
 * field, and against the database (dealers, warehouses, products, order ids) — and every problem is reported with
 * file, 1-based line and field. Only a clean file is stored, in ONE transaction with one audit row per order and
 * one for the import; a file with any issue stores nothing.
 *
 * CSV (UTF-8, BOM allowed, RFC 4180 quotes): a header row, then one row per order line. Rows with the same order
 * id form one order and must agree on dealer, warehouse and type. Columns (English or Chinese header):
 * `order`/发货单号, `dealer`/经销商, `warehouse`/仓库, `product`/产品, `quantity`/箱数, optional `type`/单据类型
 * (desadv | po).
 *
 * JSON: `{ "orders": [ { "id", "dealerId", "warehouseId", "documentType"?, "lines": [ { "productId", "quantity" } ] } ] }`
 * (or the array alone). Issues name the line where the offending value starts.
 */

export interface OrderImportIssue {
  readonly file: string;
  /** 1-based; 0 for a whole-file problem. */
  readonly line: number;
  readonly field: string;
  readonly message: string;
}

export interface ParsedOrders {
  readonly orders: readonly NewOrder[];
  /** The line each order (and each of its lines) starts on, for messages. */
  readonly lineOf: ReadonlyMap<NewOrder, { readonly order: number; readonly lines: readonly number[] }>;
  readonly issues: readonly OrderImportIssue[];
}

export interface OrderImportOutcome {
  readonly ok: boolean;
  readonly file: string;
  readonly orders: number;
  readonly lines: number;
  readonly cases: number;
  readonly orderIds: readonly string[];
  readonly issues: readonly OrderImportIssue[];
}

/** 16 MiB: a dispatch file is a few thousand lines; anything larger is the wrong file. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;
const MAX_ISSUES = 1000;

const HEADER_ALIASES: Readonly<Record<string, string>> = {
  order: 'order', orderid: 'order', 发货单号: 'order', 单号: 'order',
  dealer: 'dealer', dealerid: 'dealer', 经销商: 'dealer',
  warehouse: 'warehouse', warehouseid: 'warehouse', 仓库: 'warehouse',
  product: 'product', productid: 'product', 产品: 'product',
  quantity: 'quantity', qty: 'quantity', cases: 'quantity', 箱数: 'quantity', 数量: 'quantity',
  type: 'type', documenttype: 'type', 单据类型: 'type',
};
const REQUIRED = ['order', 'dealer', 'warehouse', 'product', 'quantity'] as const;

/** RFC 4180 records with the line each starts on; a quoted field may span lines. */
function csvRecords(text: string, add: (line: number, field: string, message: string) => void): { line: number; cells: string[] }[] {
  const out: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let wasQuoted = false;
  const endCell = (): void => { cells.push(wasQuoted ? cell : cell.trim()); cell = ''; wasQuoted = false; };
  const endRecord = (): void => {
    endCell();
    if (!(cells.length === 1 && cells[0] === '')) out.push({ line: start, cells });
    cells = [];
  };
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { cell += '"'; i += 1; } else quoted = false;
      } else {
        if (c === '\n') line += 1;
        cell += c;
      }
      continue;
    }
    if (c === '"' && cell.trim().length === 0) { quoted = true; wasQuoted = true; cell = ''; }
    else if (c === ',') endCell();
    else if (c === '\r') continue;
    else if (c === '\n') { endRecord(); line += 1; start = line; }
    else cell += c;
  }
  if (quoted) add(start, '', '引号未闭合 (unterminated quoted field)');
  endRecord();
  return out;
}

function parseCsv(text: string, file: string): ParsedOrders {
  const issues: OrderImportIssue[] = [];
  const add = (line: number, field: string, message: string): void => { issues.push({ file, line, field, message }); };
  const records = csvRecords(text, add);
  const header = records[0];
  if (header === undefined) {
    add(0, '', '文件为空 (the file is empty)');
    return { orders: [], lineOf: new Map(), issues };
  }
  const columns = header.cells.map((h) => HEADER_ALIASES[h.toLowerCase().replace(/[\s_-]/g, '')] ?? null);
  header.cells.forEach((h, i) => { if (columns[i] === null) add(header.line, h, `未知列 "${h}"，可用: ${REQUIRED.join(', ')}, type (unknown column)`); });
  for (const r of REQUIRED) if (!columns.includes(r)) add(header.line, r, `缺少列 ${r} (missing column)`);
  if (issues.length > 0) return { orders: [], lineOf: new Map(), issues };
  const byId = new Map<string, { order: { id: string; dealerId: string; warehouseId: string; documentType?: OrderDocumentType; lines: { productId: string; quantity: number }[] }; line: number; lines: number[]; typeGiven: string }>();
  for (const rec of records.slice(1)) {
    const value = (name: string): string => rec.cells[columns.indexOf(name)] ?? '';
    if (rec.cells.length !== columns.length) {
      add(rec.line, '', `应有 ${columns.length} 列，实有 ${rec.cells.length} 列 (expected ${columns.length} columns, got ${rec.cells.length})`);
      continue;
    }
    const id = value('order');
    const qtyText = value('quantity');
    const quantity = /^\d+$/.test(qtyText) ? Number(qtyText) : Number.NaN;
    if (Number.isNaN(quantity)) add(rec.line, 'quantity', `箱数应为正整数，收到 "${qtyText}" (quantity must be a whole number)`);
    const type = columns.includes('type') ? value('type') : '';
    if (type !== '' && type !== 'desadv' && type !== 'po') add(rec.line, 'type', `应为 desadv 或 po，收到 "${type}" (must be desadv or po)`);
    if (id === '') { add(rec.line, 'order', '发货单号不能为空 (order id is empty)'); continue; }
    let entry = byId.get(id);
    if (entry === undefined) {
      entry = { order: { id, dealerId: value('dealer'), warehouseId: value('warehouse'), ...(type === 'desadv' || type === 'po' ? { documentType: type } : {}), lines: [] }, line: rec.line, lines: [], typeGiven: type };
      byId.set(id, entry);
    } else {
      if (value('dealer') !== entry.order.dealerId) add(rec.line, 'dealer', `与第 ${entry.line} 行同一发货单的经销商 ${entry.order.dealerId} 不一致 (dealer differs from line ${entry.line} of the same order)`);
      if (value('warehouse') !== entry.order.warehouseId) add(rec.line, 'warehouse', `与第 ${entry.line} 行同一发货单的仓库 ${entry.order.warehouseId} 不一致 (warehouse differs from line ${entry.line})`);
      if (type !== entry.typeGiven) add(rec.line, 'type', `与第 ${entry.line} 行的单据类型不一致 (type differs from line ${entry.line})`);
    }
    entry.order.lines.push({ productId: value('product'), quantity: Number.isNaN(quantity) ? 1 : quantity });
    entry.lines.push(rec.line);
  }
  const lineOf = new Map<NewOrder, { order: number; lines: number[] }>();
  const orders: NewOrder[] = [];
  for (const e of byId.values()) { orders.push(e.order); lineOf.set(e.order, { order: e.line, lines: e.lines }); }
  return { orders, lineOf, issues };
}

// ---- a small JSON reader that remembers where each value starts --------------------------------------------------

class JsonSyntax extends Error {
  readonly line: number;
  constructor(line: number, message: string) { super(message); this.line = line; }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function readJson(text: string, lines: WeakMap<object, number>): Json {
  let i = 0;
  let line = 1;
  const ws = (): void => {
    while (i < text.length && /[ \t\r\n\uFEFF]/.test(text[i] as string)) { if (text[i] === '\n') line += 1; i += 1; }
  };
  const fail = (what: string): never => { throw new JsonSyntax(line, `JSON 语法错误: ${what} (JSON syntax error)`); };
  const str = (): string => {
    i += 1;
    let s = '';
    while (i < text.length && text[i] !== '"') {
      const c = text[i] as string;
      if (c === '\n') fail('字符串中换行 (newline in a string)');
      if (c === '\\') {
        const e = text[i + 1];
        const map: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e === 'u') { const hex = text.slice(i + 2, i + 6); if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('\\u 转义错误 (bad \\u escape)'); s += String.fromCharCode(parseInt(hex, 16)); i += 6; continue; }
        if (e === undefined || map[e] === undefined) fail('转义错误 (bad escape)');
        s += map[e as string]; i += 2; continue;
      }
      s += c; i += 1;
    }
    if (i >= text.length) fail('字符串未结束 (unterminated string)');
    i += 1;
    return s;
  };
  const value = (): Json => {
    ws();
    const c = text[i];
    const at = line;
    if (c === '{') {
      i += 1;
      const o: { [k: string]: Json } = {};
      lines.set(o, at);
      ws();
      if (text[i] === '}') { i += 1; return o; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('应为键名 (expected a key)');
        const k = str();
        ws();
        if (text[i] !== ':') fail('应为冒号 (expected :)');
        i += 1;
        o[k] = value();
        ws();
        if (text[i] === ',') { i += 1; continue; }
        if (text[i] === '}') { i += 1; return o; }
        fail('应为 , 或 } (expected , or })');
      }
    }
    if (c === '[') {
      i += 1;
      const a: Json[] = [];
      lines.set(a, at);
      ws();
      if (text[i] === ']') { i += 1; return a; }
      for (;;) {
        a.push(value());
        ws();
        if (text[i] === ',') { i += 1; continue; }
        if (text[i] === ']') { i += 1; return a; }
        fail('应为 , 或 ] (expected , or ])');
      }
    }
    if (c === '"') return str();
    const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 40));
    if (m === null) fail(c === undefined ? '文件意外结束 (unexpected end)' : `意外的字符 "${c}" (unexpected character)`);
    const token = (m as RegExpExecArray)[0];
    i += token.length;
    return token === 'true' ? true : token === 'false' ? false : token === 'null' ? null : Number(token);
  };
  const v = value();
  ws();
  if (i < text.length) fail('多余的内容 (trailing content)');
  return v;
}

function parseJson(text: string, file: string): ParsedOrders {
  const issues: OrderImportIssue[] = [];
  const add = (line: number, field: string, message: string): void => { issues.push({ file, line, field, message }); };
  const lines = new WeakMap<object, number>();
  let root: Json;
  try { root = readJson(text, lines); } catch (error) {
    if (error instanceof JsonSyntax) { add(error.line, '', error.message); return { orders: [], lineOf: new Map(), issues }; }
    throw error;
  }
  const lineAt = (v: Json, fallback: number): number => (typeof v === 'object' && v !== null ? lines.get(v) ?? fallback : fallback);
  const list = Array.isArray(root) ? root : typeof root === 'object' && root !== null && Array.isArray(root['orders']) ? root['orders'] : null;
  if (list === null) { add(1, 'orders', '应为 { "orders": [...] } 或数组 (expected { "orders": [...] } or an array)'); return { orders: [], lineOf: new Map(), issues }; }
  const KNOWN = new Set(['id', 'dealerId', 'warehouseId', 'documentType', 'lines']);
  const orders: NewOrder[] = [];
  const lineOf = new Map<NewOrder, { order: number; lines: number[] }>();
  list.forEach((raw, n) => {
    const at = lineAt(raw, lineAt(list, 1));
    const path = `orders[${n}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) { add(at, path, '应为对象 (must be an object)'); return; }
    for (const k of Object.keys(raw)) if (!KNOWN.has(k)) add(at, `${path}.${k}`, `未知字段 (unknown field; known: ${[...KNOWN].join(', ')})`);
    const str = (k: string): string => { const v = raw[k]; if (typeof v !== 'string') { add(at, `${path}.${k}`, `应为字符串，收到 ${JSON.stringify(v)} (must be a string)`); return ''; } return v; };
    const rawLines = raw['lines'];
    const lineNos: number[] = [];
    const orderLines: { productId: string; quantity: number }[] = [];
    if (!Array.isArray(rawLines)) add(at, `${path}.lines`, '应为数组 (must be an array)');
    else rawLines.forEach((l, j) => {
      const lat = lineAt(l, at);
      lineNos.push(lat);
      if (typeof l !== 'object' || l === null || Array.isArray(l)) { add(lat, `${path}.lines[${j}]`, '应为对象 (must be an object)'); return; }
      for (const k of Object.keys(l)) if (k !== 'productId' && k !== 'quantity') add(lat, `${path}.lines[${j}].${k}`, '未知字段 (unknown field; known: productId, quantity)');
      const q = l['quantity'];
      if (typeof q !== 'number') add(lat, `${path}.lines[${j}].quantity`, `应为整数，收到 ${JSON.stringify(q)} (must be a whole number)`);
      orderLines.push({ productId: typeof l['productId'] === 'string' ? l['productId'] : '', quantity: typeof q === 'number' ? q : 1 });
      if (typeof l['productId'] !== 'string') add(lat, `${path}.lines[${j}].productId`, `应为字符串，收到 ${JSON.stringify(l['productId'])} (must be a string)`);
    });
    const type = raw['documentType'];
    const order: NewOrder = {
      id: str('id'), dealerId: str('dealerId'), warehouseId: str('warehouseId'),
      ...(type === undefined ? {} : { documentType: type as OrderDocumentType }), lines: orderLines,
    };
    orders.push(order);
    lineOf.set(order, { order: at, lines: lineNos });
  });
  return { orders, lineOf, issues };
}

/** Reads and parses a CSV (.csv) or JSON (.json) order file; syntax and shape issues only (no database). */
export function parseOrderFile(path: string): ParsedOrders {
  const file = basename(path);
  let size: number;
  try { size = statSync(path).size; } catch (error) {
    throw new StoreError('INVALID_INPUT', `无法读取文件 ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'} (cannot read the file)`);
  }
  if (size > MAX_FILE_BYTES) return { orders: [], lineOf: new Map(), issues: [{ file, line: 0, field: '', message: `文件超过 ${MAX_FILE_BYTES / 1024 / 1024} MiB (file too large)` }] };
  const bytes = readFileSync(path);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (text.includes('\uFFFD')) return { orders: [], lineOf: new Map(), issues: [{ file, line: (text.slice(0, text.indexOf('\uFFFD')).match(/\n/g)?.length ?? 0) + 1, field: '', message: '不是 UTF-8 文本（ERP 导出请选 UTF-8）(not UTF-8 text)' }] };
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return parseJson(text, file);
  if (ext === '.csv' || ext === '.txt') return parseCsv(text.replace(/^\uFEFF/, ''), file);
  return { orders: [], lineOf: new Map(), issues: [{ file, line: 0, field: '', message: `不支持的文件类型 "${ext}"，应为 .csv 或 .json (unsupported file type)` }] };
}

/** Maps a checkNewOrder path (`lines[1].quantity`) to the file line it came from. */
function issueLine(path: string, at: { order: number; lines: readonly number[] }): number {
  const m = /^lines\[(\d+)\]/.exec(path);
  return m === null ? at.order : at.lines[Number(m[1])] ?? at.order;
}

/**
 * Checks the whole file and stores it only when clean (ONE immediate transaction: the orders in draft, an audit
 * row each and one for the import). `ok: false` comes back with every issue and nothing stored.
 */
export function importOrderFile(db: Db, path: string, actor: string, at: string = new Date().toISOString()): OrderImportOutcome {
  const parsed = parseOrderFile(path);
  const file = basename(path);
  return db.transaction((): OrderImportOutcome => {
    const issues = [...parsed.issues];
    const seen = new Set<string>();
    for (const order of parsed.orders) {
      const where = parsed.lineOf.get(order) ?? { order: 0, lines: [] };
      for (const issue of checkNewOrder(db, order, seen)) {
        // Shape problems the parser already named are not repeated.
        const line = issueLine(issue.path, where);
        if (!issues.some((i) => i.line === line && i.field.endsWith(issue.path.replace(/^.*\./, '')))) issues.push({ file, line, field: issue.path, message: issue.message });
      }
      seen.add(order.id);
    }
    const sorted = issues.sort((a, b) => a.line - b.line).slice(0, MAX_ISSUES);
    const totals = { orders: parsed.orders.length, lines: parsed.orders.reduce((n, o) => n + o.lines.length, 0), cases: parsed.orders.reduce((n, o) => n + o.lines.reduce((m, l) => m + l.quantity, 0), 0) };
    if (issues.length > 0 || parsed.orders.length === 0) {
      const all = parsed.orders.length === 0 && issues.length === 0 ? [{ file, line: 0, field: '', message: '文件中没有发货单 (no orders in the file)' }] : sorted;
      return { ok: false, file, ...totals, orderIds: [], issues: all };
    }
    for (const order of parsed.orders) insertOrder(db, order, actor, at, file);
    appendAudit(db, { actor, action: 'order.import', subject: file, at, detail: { orders: totals.orders, lines: totals.lines, cases: totals.cases, orderIds: parsed.orders.map((o) => o.id).slice(0, 100) } });
    return { ok: true, file, ...totals, orderIds: parsed.orders.map((o) => o.id), issues: [] };
  }).immediate();
}
