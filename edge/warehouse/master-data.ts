import { appendAudit } from '../store/audit.ts';
import { StoreError } from '../store/errors.ts';
import type { Db } from '../store/open.ts';
import type { Dealer, NewDealer, NewWarehouse, WarehouseInfo } from './contract.ts';

/** Warehouses, dealers and per-product dispatch rules (IT's set-up). Each write: one transaction with its audit row. */

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const URI = /^[a-z][a-z0-9+.-]*:\S+$/i;

function field(path: string, why: string): never {
  throw new StoreError('INVALID_INPUT', `${path}: ${why}`);
}

export function checkId(path: string, value: unknown): string {
  if (typeof value !== 'string' || !ID.test(value)) field(path, `应为 1–64 位字母、数字或 ._- ，收到 ${JSON.stringify(value)} (must be 1–64 letters, digits or ._-)`);
  return value;
}

function text(path: string, value: unknown, max = 200): string {
  if (typeof value !== 'string' || value.trim().length === 0) field(path, '不能为空 (must not be empty)');
  if (value.length > max) field(path, `不能超过 ${max} 字 (longer than ${max} characters)`);
  return value.trim();
}

function optionalUri(path: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !URI.test(value)) field(path, `应为 URI（如 urn:epc:id:sgln:…），收到 ${JSON.stringify(value)} (must be a URI)`);
  return value;
}

/** GS1 GLN check (13 digits, mod-10 check digit, GS1 General Specifications §7.9.1). */
export function glnProblem(gln: string): string | null {
  if (!/^\d{13}$/.test(gln)) return `应为 13 位数字，收到 "${gln}" (a GLN is 13 digits)`;
  let sum = 0;
  for (let i = 0; i < 12; i += 1) sum += Number(gln[11 - i]) * (i % 2 === 0 ? 3 : 1);
  return String((10 - (sum % 10)) % 10) === gln[12] ? null : `校验位错误 "${gln}" (wrong GS1 check digit)`;
}

interface WarehouseRow { id: string; name: string; location: string | null; owner: string | null; is_default: number }

export function getWarehouse(db: Db, id: string): WarehouseInfo | null {
  const r = db.prepare('SELECT id, name, location, owner, is_default FROM warehouses WHERE id = ?').get(id) as WarehouseRow | undefined;
  if (r === undefined) return null;
  const lines = db.prepare('SELECT line FROM warehouse_lines WHERE warehouse_id = ? ORDER BY line').pluck().all(id) as string[];
  return { id: r.id, name: r.name, location: r.location, owner: r.owner, isDefault: r.is_default === 1, lines };
}

export function requireWarehouse(db: Db, id: string, path = 'warehouseId'): WarehouseInfo {
  return getWarehouse(db, id) ?? (() => { throw new StoreError('NOT_FOUND', `${path}: 仓库 ${id} 不存在 (unknown warehouse)`); })();
}

export function listWarehouses(db: Db): WarehouseInfo[] {
  return (db.prepare('SELECT id FROM warehouses ORDER BY id').pluck().all() as string[]).map((id) => getWarehouse(db, id) as WarehouseInfo);
}

export function addWarehouse(db: Db, input: NewWarehouse, actor: string, at: string): WarehouseInfo {
  const id = checkId('id', input.id);
  const name = text('name', input.name);
  const location = optionalUri('location', input.location);
  const owner = optionalUri('owner', input.owner);
  const lines = [...new Set(input.lines ?? [])];
  for (const [i, line] of lines.entries()) if (typeof line !== 'string' || line.trim().length === 0) field(`lines[${i}]`, '产线不能为空 (line must not be empty)');
  return db.transaction(() => {
    if (getWarehouse(db, id) !== null) throw new StoreError('CONFLICT', `id: 仓库 ${id} 已存在 (warehouse already exists)`);
    if (input.isDefault === true) {
      const other = db.prepare('SELECT id FROM warehouses WHERE is_default = 1').pluck().get() as string | undefined;
      if (other !== undefined) throw new StoreError('CONFLICT', `isDefault: 默认仓库已是 ${other} (the default warehouse is already ${other})`);
    }
    for (const line of lines) {
      const taken = db.prepare('SELECT warehouse_id FROM warehouse_lines WHERE line = ?').pluck().get(line) as string | undefined;
      if (taken !== undefined) throw new StoreError('CONFLICT', `lines: 产线 ${line} 已归仓库 ${taken} (line already delivers into ${taken})`);
    }
    db.prepare('INSERT INTO warehouses (id, name, location, owner, is_default, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(id, name, location, owner, input.isDefault === true ? 1 : 0, at);
    for (const line of lines) db.prepare('INSERT INTO warehouse_lines (line, warehouse_id) VALUES (?, ?)').run(line, id);
    appendAudit(db, { actor, action: 'warehouse.add', subject: id, at, detail: { name, location, owner, isDefault: input.isDefault === true, lines } });
    return getWarehouse(db, id) as WarehouseInfo;
  }).immediate();
}

interface DealerRow { id: string; name: string; gln: string | null; region: string }

export function getDealer(db: Db, id: string): Dealer | null {
  const r = db.prepare('SELECT id, name, gln, region FROM dealers WHERE id = ?').get(id) as DealerRow | undefined;
  return r === undefined ? null : { id: r.id, name: r.name, gln: r.gln, region: r.region };
}

export function listDealers(db: Db): Dealer[] {
  return db.prepare('SELECT id, name, gln, region FROM dealers ORDER BY id').all() as Dealer[];
}

export function addDealer(db: Db, input: NewDealer, actor: string, at: string): Dealer {
  const id = checkId('id', input.id);
  const name = text('name', input.name);
  const region = text('region', input.region, 64);
  const gln = input.gln === undefined || input.gln === null || input.gln === '' ? null : input.gln;
  if (gln !== null) {
    const problem = glnProblem(gln);
    if (problem !== null) field('gln', problem);
  }
  return db.transaction(() => {
    if (getDealer(db, id) !== null) throw new StoreError('CONFLICT', `id: 经销商 ${id} 已存在 (dealer already exists)`);
    db.prepare('INSERT INTO dealers (id, name, gln, region, created_at) VALUES (?, ?, ?, ?, ?)').run(id, name, gln, region, at);
    appendAudit(db, { actor, action: 'dealer.add', subject: id, at, detail: { name, gln, region } });
    return { id, name, gln, region };
  }).immediate();
}

export function setDispatchRule(db: Db, productId: string, rule: { readonly requiresClosedBatch: boolean }, actor: string, at: string): void {
  db.transaction(() => {
    if (db.prepare('SELECT 1 FROM products WHERE id = ?').get(productId) === undefined) throw new StoreError('NOT_FOUND', `productId: 产品 ${productId} 不存在 (unknown product)`);
    db.prepare(`INSERT INTO product_dispatch_rules (product_id, requires_closed_batch) VALUES (?, ?)
      ON CONFLICT (product_id) DO UPDATE SET requires_closed_batch = excluded.requires_closed_batch`).run(productId, rule.requiresClosedBatch ? 1 : 0);
    appendAudit(db, { actor, action: 'dispatch.rule', subject: productId, at, detail: { requiresClosedBatch: rule.requiresClosedBatch } });
  }).immediate();
}
