import { kindFromInt, kindToInt, statusFromInt, statusToInt, CODE_KIND_LABEL_ZH, CODE_STATUS_LABEL_ZH, type CodeKind, type CodeStatus } from '../../domain/kinds.ts';
import { displayCode, maskCode } from '../../domain/mask.ts';
import { StoreError } from '../errors.ts';
import type { Db } from '../open.ts';

/**
 * Reads and writes of the packaging hierarchy shared by the rework operations. Every write here keeps the
 * invariants `verifyStore` checks: a child has at most one parent and that parent is a container; a code with
 * a parent is aggregated; a container's child_count equals its children. Callers run inside one transaction.
 */

export type ContainerLevel = 'box' | 'case' | 'pallet';
export type ContainerState = 'open' | 'closed' | 'parked' | 'broken';

export interface CodeRow {
  readonly code: string;
  readonly kind: CodeKind;
  readonly status: CodeStatus;
  readonly packageId: number;
  readonly pair: string | null;
  readonly parent: string | null;
  readonly batchId: number | null;
}

export interface ContainerRow {
  readonly code: string;
  readonly level: ContainerLevel;
  readonly batchId: number;
  readonly state: ContainerState;
  readonly childCount: number;
}

interface RawCode { code: string; kind: number; status: number; package_id: number; pair: string | null; parent: string | null; batch_id: number | null }

function fromRaw(r: RawCode): CodeRow {
  return { code: r.code, kind: kindFromInt(r.kind), status: statusFromInt(r.status), packageId: r.package_id, pair: r.pair, parent: r.parent, batchId: r.batch_id };
}

/** A code as people may see it: secret kinds masked. */
export function shown(row: Pick<CodeRow, 'code' | 'kind'>): string {
  return displayCode(row.code, row.kind);
}

export function describe(row: Pick<CodeRow, 'code' | 'kind'>): string {
  return `${CODE_KIND_LABEL_ZH[row.kind]} ${shown(row)}`;
}

export function findCode(db: Db, code: string): CodeRow | null {
  const r = db.prepare('SELECT code, kind, status, package_id, pair, parent, batch_id FROM codes WHERE code = ?').get(code) as RawCode | undefined;
  return r === undefined ? null : fromRaw(r);
}

/**
 * The code, or NOT_FOUND. The unknown value is always masked: nobody can tell whether a mistyped value was a
 * cap-inner code, so it is treated as one.
 */
export function requireCode(db: Db, code: string): CodeRow {
  const row = findCode(db, code);
  if (row === null) throw new StoreError('NOT_FOUND', `码 ${maskCode(code)} 不存在于本站 (unknown code)`);
  return row;
}

export function requireStatus(row: CodeRow, allowed: readonly CodeStatus[], what: string): void {
  if (!allowed.includes(row.status)) {
    throw new StoreError('CONFLICT', `${describe(row)} 状态为 ${CODE_STATUS_LABEL_ZH[row.status]} (${row.status})，${what}需要状态: ${allowed.map((s) => `${CODE_STATUS_LABEL_ZH[s]} ${s}`).join(' / ')} (status ${row.status} not allowed)`);
  }
}

export function requireKind(row: CodeRow, allowed: readonly CodeKind[], what: string): void {
  if (!allowed.includes(row.kind)) {
    throw new StoreError('INVALID_INPUT', `${describe(row)} 是 ${row.kind}，${what}需要: ${allowed.map((k) => `${CODE_KIND_LABEL_ZH[k]} ${k}`).join(' / ')} (wrong code kind)`);
  }
}

export function findContainer(db: Db, code: string): ContainerRow | null {
  const r = db.prepare('SELECT code, level, batch_id, state, child_count FROM containers WHERE code = ?').get(code) as
    { code: string; level: ContainerLevel; batch_id: number; state: ContainerState; child_count: number } | undefined;
  return r === undefined ? null : { code: r.code, level: r.level, batchId: r.batch_id, state: r.state, childCount: r.child_count };
}

/** A live (not broken) container, or CONFLICT naming the code. */
export function requireLiveContainer(db: Db, row: CodeRow, levels: readonly ContainerLevel[]): ContainerRow {
  const c = findContainer(db, row.code);
  if (c === null || !levels.includes(c.level)) {
    throw new StoreError('CONFLICT', `${describe(row)} 不是${levels.map((l) => LEVEL_ZH[l]).join('/')} (not a ${levels.join('/')} container)`);
  }
  if (c.state === 'broken') throw new StoreError('CONFLICT', `${describe(row)} 已拆除或作废 (container is broken)`);
  return c;
}

export const LEVEL_ZH: Readonly<Record<ContainerLevel, string>> = { box: '盒', case: '箱', pallet: '垛' };

export const LEVEL_KIND: Readonly<Record<ContainerLevel, CodeKind>> = { box: 'box', case: 'case-outer', pallet: 'pallet' };

export function children(db: Db, parent: string): CodeRow[] {
  return (db.prepare('SELECT code, kind, status, package_id, pair, parent, batch_id FROM codes WHERE parent = ? ORDER BY code').all(parent) as RawCode[]).map(fromRaw);
}

export interface Capacity {
  readonly childKind: CodeKind;
  readonly ratio: number;
  readonly pairingRequired: boolean;
  readonly lot: string;
  readonly productId: string;
}

/** What a container holds and how many, from its batch's product (the pack ratio locked while the batch runs). */
export function capacity(db: Db, container: ContainerRow): Capacity {
  const p = db.prepare(`SELECT p.id, p.units_per_box, p.boxes_per_case, p.units_per_case, p.cases_per_pallet, p.pairing_required, b.lot
      FROM batches b JOIN products p ON p.id = b.product_id WHERE b.id = ?`).get(container.batchId) as
    { id: string; units_per_box: number | null; boxes_per_case: number | null; units_per_case: number; cases_per_pallet: number; pairing_required: number; lot: string } | undefined;
  if (p === undefined) throw new StoreError('NOT_FOUND', `批次 ${container.batchId} 或其产品不存在 (batch or product missing)`);
  const base = { pairingRequired: p.pairing_required === 1, lot: p.lot, productId: p.id };
  switch (container.level) {
    case 'pallet': return { ...base, childKind: 'case-outer', ratio: p.cases_per_pallet };
    case 'box': return { ...base, childKind: 'cap-outer', ratio: p.units_per_box ?? p.units_per_case };
    case 'case': return p.boxes_per_case === null
      ? { ...base, childKind: 'cap-outer', ratio: p.units_per_case }
      : { ...base, childKind: 'box', ratio: p.boxes_per_case };
  }
}

/** The topmost pallet above (or at) a code, for the outbox's per-pallet confirmation; null if on no pallet. */
export function palletOf(db: Db, code: string): string | null {
  let current: string | null = code;
  for (let depth = 0; current !== null && depth < 8; depth += 1) {
    const c = findContainer(db, current);
    if (c?.level === 'pallet') return current;
    current = findCode(db, current)?.parent ?? null;
  }
  return null;
}

export function setStatus(db: Db, code: string, status: CodeStatus): void {
  db.prepare('UPDATE codes SET status = ? WHERE code = ?').run(statusToInt(status), code);
}

/** Takes a child out of its parent: parent cleared, status set (never left `aggregated`), parent count − 1. */
export function detach(db: Db, child: CodeRow, status: Exclude<CodeStatus, 'aggregated'>): void {
  if (child.parent === null) return;
  db.prepare('UPDATE codes SET parent = NULL, status = ? WHERE code = ?').run(statusToInt(status), child.code);
  db.prepare('UPDATE containers SET child_count = child_count - 1 WHERE code = ?').run(child.parent);
}

/** Puts an unaggregated child into a parent: aggregated, parent count + 1; batch_id follows the parent. */
export function attach(db: Db, child: CodeRow, parent: ContainerRow): void {
  db.prepare('UPDATE codes SET parent = ?, status = ?, batch_id = ? WHERE code = ?').run(parent.code, statusToInt('aggregated'), parent.batchId, child.code);
  db.prepare('UPDATE containers SET child_count = child_count + 1 WHERE code = ?').run(parent.code);
}

/** The codes of a kind, as stored integers, for SQL `IN` lists. */
export function kindInts(kinds: readonly CodeKind[]): number[] {
  return kinds.map(kindToInt);
}

/**
 * Checks a fresh code that is to become a container (relabel, move, repack): same kind, never used (available or
 * printed), no parent, not already a container, and from one of the batch's code packages.
 */
export function requireFreshCode(db: Db, row: CodeRow, kind: CodeKind, batchId: number): void {
  requireKind(row, [kind], '新码');
  requireStatus(row, ['available', 'printed'], '新码');
  if (row.parent !== null || findContainer(db, row.code) !== null) throw new StoreError('CONFLICT', `${describe(row)} 已被使用 (code already used)`);
  const inBatch = db.prepare('SELECT 1 FROM batch_packages WHERE batch_id = ? AND package_id = ?').get(batchId, row.packageId) !== undefined;
  const palletPackage = kind === 'pallet' && hasPalletPackage(db, batchId, row.packageId);
  if (!inBatch && !palletPackage) throw new StoreError('CONFLICT', `${describe(row)} 不属于批次 ${batchId} 的码包 (code is outside the batch's packages)`);
}

function hasPalletPackage(db: Db, batchId: number, packageId: number): boolean {
  const column = (db.prepare("SELECT 1 FROM pragma_table_info('batches') WHERE name = 'pallet_package_id'").get()) !== undefined;
  if (!column) return false;
  return db.prepare('SELECT 1 FROM batches WHERE id = ? AND pallet_package_id = ?').get(batchId, packageId) !== undefined;
}
