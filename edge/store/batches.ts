import type { CaseRules } from '../aggregation/check-case.ts';
import { batchMachine, type BatchEvent, type BatchState } from '../aggregation/batch-machine.ts';
import type { FieldError } from '../domain/field-error.ts';
import { formatFieldErrors } from '../domain/field-error.ts';
import { kindFromInt, type CodeKind } from '../domain/kinds.ts';
import { appendAudit } from './audit.ts';
import { StoreError } from './errors.ts';
import { ONE_OPEN_BATCH_GUARD } from './migrations/0005-one-open-batch-per-line.ts';
import type { Db } from './open.ts';
import { reconcileBatch, type Reconciliation } from './reconciliation.ts';
import { voidUnreworkedRejects } from './void-rejects.ts';
import type { EpcisContext } from '../../sync/index.ts';

/**
 * Batch lifecycle in the store (issue 4 §1, DESIGN §6): start → running ⇄ paused → closed, every transition
 * through `batchMachine.next`, each in one transaction with its audit row. While a batch is running or paused,
 * its product's pack ratios are locked by the `products_ratio_lock` trigger (migrations/0001-initial.ts) and its
 * code packages cannot join another open batch. A line runs one batch at a time: the station follows the one open
 * batch of its line, so a second running or paused batch on the same line is refused at start, by startBatch and
 * by the database itself (triggers of migrations/0005-one-open-batch-per-line.ts).
 */

export interface BatchPackage {
  readonly id: number;
  readonly uuid: string;
  readonly kind: CodeKind;
  readonly count: number;
}

export interface Batch {
  readonly id: number;
  readonly productId: string;
  readonly lot: string;
  /** YYYY-MM-DD as printed on the pack. */
  readonly productionDate: string;
  readonly line: string;
  readonly plannedQty: number | null;
  readonly state: BatchState;
  readonly startedAt: string;
  readonly closedAt: string | null;
  readonly closeReason: string | null;
  readonly closedBy: string | null;
  readonly packages: readonly BatchPackage[];
}

export interface StartBatchInput {
  readonly productId: string;
  readonly lot: string;
  readonly productionDate: string;
  readonly line: string;
  readonly plannedQty?: number | null;
  /** Code package UUIDs (码包) the batch draws its codes from. */
  readonly packages: readonly string[];
  readonly actor: string;
  /** ISO 8601; default now. */
  readonly at?: string;
}

interface BatchRow {
  id: number; product_id: string; lot: string; production_date: string; line: string; planned_qty: number | null;
  state: BatchState; started_at: string; closed_at: string | null; close_reason: string | null; closed_by: string | null;
}

interface ProductRatios { units_per_box: number | null; units_per_case: number; boxes_per_case: number | null; pairing_required: number }

const TEXT_FIELD = /^[^\p{Cc}]{1,40}$/u;
/**
 * The lot travels to headquarters as EPCIS `cbvmda:lotNumber` = GS1 AI (10): 1–20 characters of GS1 CSET 82
 * (GS1 General Specifications §7.11). Checked at start, so no case commit can fail on it mid-batch.
 */
const LOT = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$/;

function validDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** The package kinds a batch of this product needs (the child level, cases, and the inner codes when paired). */
function requiredKinds(product: ProductRatios): CodeKind[] {
  const kinds: CodeKind[] = [product.units_per_box === null ? 'cap-outer' : 'box', 'case-outer'];
  if (product.units_per_box !== null) kinds.push('cap-outer');
  if (product.pairing_required === 1) kinds.push('cap-inner', 'case-inner');
  return kinds;
}

function allowedKinds(product: ProductRatios): Set<CodeKind> {
  const kinds = new Set<CodeKind>(['cap-inner', 'cap-outer', 'case-inner', 'case-outer', 'pallet']);
  if (product.units_per_box !== null) kinds.add('box');
  return kinds;
}

/**
 * The refusal of a second open batch on `line`, naming the open one (CONFLICT), or null when the line is free.
 * One message for the code check in startBatch and for the database's own guard (openBatchGuardError).
 */
function openBatchConflict(db: Db, line: string): StoreError | null {
  const open = db.prepare(`SELECT id, lot, state FROM batches WHERE line = ? AND state <> 'closed' ORDER BY id LIMIT 1`).get(line) as { id: number; lot: string; state: BatchState } | undefined;
  if (open === undefined) return null;
  const stateZh = open.state === 'running' ? '运行中' : '已暂停';
  return new StoreError('CONFLICT', `产线 ${line} 已有未关闭的批次 ${open.id}（批号 ${open.lot}，${stateZh}），一条产线同时只能有一个批次，请先关闭它再开始新批次 (line ${line} already has open batch ${open.id}, lot ${open.lot}, ${open.state}: close it before starting another)`);
}

/**
 * What a write to `batches` on `line` threw, as the store reports it: the database's one-open-batch-per-line
 * guard (migrations/0005) becomes the same CONFLICT as startBatch's own check, naming the line and its open
 * batch, with the SQLite error as cause; anything else is returned unchanged. Call inside the writing
 * transaction (the guard aborts only the statement, so the open batch is still there to be named).
 */
export function openBatchGuardError(db: Db, error: unknown, line: string): unknown {
  const guard = error instanceof Error && (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_TRIGGER' && error.message.includes(ONE_OPEN_BATCH_GUARD);
  if (!guard) return error;
  const conflict = openBatchConflict(db, line);
  return conflict === null ? error : new StoreError('CONFLICT', conflict.message, { cause: error });
}

/**
 * Starts a batch. A line that still has an open (running or paused) batch is refused first (CONFLICT, naming that
 * batch): close it before starting the next. Otherwise every problem comes back at once, each naming its field
 * and value, and nothing is written:
 * unknown product, bad lot / date / line / planned quantity, and per package: unknown, not ready, of another
 * product, of a kind the product does not use, listed twice, or already in another open batch. The product must
 * also get every kind it needs (cap-outer or box, case-outer, and the inner codes when pairing is required).
 */
/** The ids of the newest `limit` batches, open ones first (the batch list). */
export function recentBatchIds(db: Db, limit: number): number[] {
  return db.prepare(`SELECT id FROM batches ORDER BY state = 'closed', id DESC LIMIT ?`).pluck().all(limit) as number[];
}

export function startBatch(db: Db, input: StartBatchInput): Batch {
  const at = input.at ?? new Date().toISOString();
  return db.transaction(() => {
    // Inside the IMMEDIATE transaction: two starts on one line at the same moment are serialised, one is refused.
    const conflict = openBatchConflict(db, input.line);
    if (conflict !== null) throw conflict;
    const errors: FieldError[] = [];
    const product = db.prepare('SELECT units_per_box, units_per_case, boxes_per_case, pairing_required FROM products WHERE id = ?').get(input.productId) as ProductRatios | undefined;
    if (product === undefined) errors.push({ path: 'productId', message: `产品 ${JSON.stringify(input.productId)} 不存在 (unknown product)` });
    if (!LOT.test(input.lot)) errors.push({ path: 'lot', message: `批号应为 1–20 个 GS1 字符（字母、数字及 !"%&'()*+,-./:;<=>?_），收到 ${JSON.stringify(input.lot)} (lot: 1–20 GS1 CSET 82 characters)` });
    if (!validDate(input.productionDate)) errors.push({ path: 'productionDate', message: `生产日期应为 YYYY-MM-DD 的有效日期，收到 ${JSON.stringify(input.productionDate)} (production date must be a valid YYYY-MM-DD)` });
    if (!TEXT_FIELD.test(input.line)) errors.push({ path: 'line', message: `产线名称应为 1–40 个字符，收到 ${JSON.stringify(input.line)} (line: 1–40 characters)` });
    const planned = input.plannedQty ?? null;
    if (planned !== null && (!Number.isSafeInteger(planned) || planned < 1)) errors.push({ path: 'plannedQty', message: `计划数量应为正整数，收到 ${JSON.stringify(planned)} (planned quantity must be a positive whole number)` });
    if (input.packages.length === 0) errors.push({ path: 'packages', message: '至少需要一个码包 (at least one code package is required)' });
    const seen = new Set<string>();
    const found: { id: number; kind: CodeKind }[] = [];
    const byUuid = db.prepare('SELECT id, kind, product_id, state FROM code_packages WHERE uuid = ?');
    const inOpen = db.prepare(`SELECT b.id FROM batch_packages bp JOIN batches b ON b.id = bp.batch_id WHERE bp.package_id = ? AND b.state <> 'closed' LIMIT 1`).pluck();
    input.packages.forEach((uuid, i) => {
      const path = `packages[${i}]`;
      if (seen.has(uuid)) { errors.push({ path, message: `码包 ${uuid} 重复列出 (package listed twice)` }); return; }
      seen.add(uuid);
      const p = byUuid.get(uuid) as { id: number; kind: number; product_id: string | null; state: string } | undefined;
      if (p === undefined) { errors.push({ path, message: `码包 ${JSON.stringify(uuid)} 不存在 (unknown package)` }); return; }
      if (p.state !== 'ready') errors.push({ path, message: `码包 ${uuid} 状态为 ${p.state}，应为 ready (package is not ready)` });
      const kind = kindFromInt(p.kind);
      if (p.product_id !== null && p.product_id !== input.productId) errors.push({ path, message: `码包 ${uuid} 属于产品 ${p.product_id} (package belongs to another product)` });
      if (product !== undefined && !allowedKinds(product).has(kind)) errors.push({ path, message: `码包 ${uuid} 的码类型 ${kind} 不适用于该产品 (code kind ${kind} does not fit the product)` });
      const other = inOpen.get(p.id) as number | undefined;
      if (other !== undefined) errors.push({ path, message: `码包 ${uuid} 已用于未关闭的批次 ${other} (package is in open batch ${other})` });
      found.push({ id: p.id, kind });
    });
    if (product !== undefined && input.packages.length > 0) {
      const have = new Set(found.map((f) => f.kind));
      const missing = requiredKinds(product).filter((k) => !have.has(k));
      if (missing.length > 0) errors.push({ path: 'packages', message: `缺少以下码类型的码包: ${missing.join(', ')} (no package of kind ${missing.join(', ')})` });
    }
    if (errors.length > 0) throw new StoreError('INVALID_INPUT', `批次参数有误 (invalid batch):\n${formatFieldErrors(errors)}`);
    let id: number;
    try {
      id = Number(db.prepare(`INSERT INTO batches (product_id, lot, production_date, line, planned_qty, state, started_at)
        VALUES (?, ?, ?, ?, ?, 'running', ?)`).run(input.productId, input.lot, input.productionDate, input.line, planned, at).lastInsertRowid);
    } catch (error) {
      throw openBatchGuardError(db, error, input.line);
    }
    const link = db.prepare('INSERT INTO batch_packages (batch_id, package_id) VALUES (?, ?)');
    for (const f of found) link.run(id, f.id);
    appendAudit(db, {
      actor: input.actor, action: 'batch.start', subject: `batch:${id}`, at,
      detail: { productId: input.productId, lot: input.lot, productionDate: input.productionDate, line: input.line, plannedQty: planned, packages: input.packages },
    });
    return mustGet(db, id);
  }).immediate();
}

function fromRow(db: Db, row: BatchRow): Batch {
  const packages = (db.prepare(`SELECT p.id, p.uuid, p.kind, p.count FROM batch_packages bp JOIN code_packages p ON p.id = bp.package_id
    WHERE bp.batch_id = ? ORDER BY p.id`).all(row.id) as { id: number; uuid: string; kind: number; count: number }[])
    .map((p) => ({ id: p.id, uuid: p.uuid, kind: kindFromInt(p.kind), count: p.count }));
  return {
    id: row.id, productId: row.product_id, lot: row.lot, productionDate: row.production_date, line: row.line,
    plannedQty: row.planned_qty, state: row.state, startedAt: row.started_at, closedAt: row.closed_at,
    closeReason: row.close_reason, closedBy: row.closed_by, packages,
  };
}

export function getBatch(db: Db, id: number): Batch | null {
  const row = db.prepare('SELECT * FROM batches WHERE id = ?').get(id) as BatchRow | undefined;
  return row === undefined ? null : fromRow(db, row);
}

function mustGet(db: Db, id: number): Batch {
  const batch = getBatch(db, id);
  if (batch === null) throw new StoreError('NOT_FOUND', `批次 ${id} 不存在 (batch not found)`);
  return batch;
}

/**
 * Running and paused batches, oldest first. One per line since startBatch refuses a second (and the database
 * too, migrations/0005); a database written before that rule may still hold several on one line (the station
 * then follows the newest running one; `wuma verify` names them).
 */
export function openBatches(db: Db): Batch[] {
  return (db.prepare(`SELECT * FROM batches WHERE state <> 'closed' ORDER BY id`).all() as BatchRow[]).map((r) => fromRow(db, r));
}

/**
 * Whether any batch in the database is running, i.e. some line is producing and committing cases. The bulk
 * generator asks before each of its transactions (edge/generate/generate-package.ts).
 */
export function hasRunningBatch(db: Db): boolean {
  // `state <> 'closed'` lets the planner walk the partial index batches_open_line (open batches only).
  return db.prepare(`SELECT EXISTS (SELECT 1 FROM batches WHERE state <> 'closed' AND state = 'running')`).pluck().get() === 1;
}

function transition(db: Db, id: number, event: BatchEvent, actor: string, at: string): Batch {
  return db.transaction(() => {
    const batch = mustGet(db, id);
    const step = batchMachine.next(batch.state, event);
    if (!step.ok) throw new StoreError('INVALID_STATE', step.reason);
    db.prepare('UPDATE batches SET state = ? WHERE id = ? AND state = ?').run(step.to, id, batch.state);
    appendAudit(db, { actor, action: `batch.${event}`, subject: `batch:${id}`, at, detail: { from: batch.state, to: step.to } });
    return mustGet(db, id);
  }).immediate();
}

export function pauseBatch(db: Db, id: number, actor: string, at = new Date().toISOString()): Batch {
  return transition(db, id, 'pause', actor, at);
}

export function resumeBatch(db: Db, id: number, actor: string, at = new Date().toISOString()): Batch {
  return transition(db, id, 'resume', actor, at);
}

export interface CloseBatchInput {
  readonly batchId: number;
  /** Who closes (and, with a reason, signs). */
  readonly actor: string;
  /** The signed reason; required when the reconciliation has unexplained codes. */
  readonly reason?: string;
  readonly at?: string;
  /**
   * The station's EPCIS context. When given, a close that goes ahead first voids every code of the batch still
   * `rejected` (rejected and never reworked: DESIGN §4, issue 4 §5) with its decommissioning events, so those codes
   * can never pay out.
   */
  readonly epcis?: EpcisContext;
}

export type CloseOutcome =
  | { readonly kind: 'closed'; readonly batch: Batch; readonly report: Reconciliation }
  | { readonly kind: 'refused'; readonly batch: Batch; readonly report: Reconciliation };

/**
 * Closes a batch after reconciling it, in one transaction (the report and the close see the same codes). A batch
 * with unexplained codes (DESIGN §6) is refused unless a signed reason is given; the reason and the signer are
 * kept in batches.close_reason / closed_by and in the audit row with the unexplained counts.
 */
export function closeBatch(db: Db, input: CloseBatchInput): CloseOutcome {
  const at = input.at ?? new Date().toISOString();
  const reason = input.reason?.trim() ?? '';
  if (input.reason !== undefined && reason.length === 0) throw new StoreError('INVALID_INPUT', 'reason: 关闭原因不能为空 (close reason must not be empty)');
  if (input.actor.trim().length === 0) throw new StoreError('INVALID_INPUT', 'actor: 需要签名用户 (a signing user is required)');
  return db.transaction((): CloseOutcome => {
    const batch = mustGet(db, input.batchId);
    const step = batchMachine.next(batch.state, 'close');
    if (!step.ok) throw new StoreError('INVALID_STATE', step.reason);
    const checked = reconcileBatch(db, input.batchId);
    if (!checked.ok && reason.length === 0) return { kind: 'refused', batch, report: checked };
    const voided = input.epcis === undefined ? 0 : voidUnreworkedRejects(db, { batchId: input.batchId, actor: input.actor, at: Date.parse(at), epcis: input.epcis }).voided;
    const report = voided > 0 ? reconcileBatch(db, input.batchId) : checked;
    db.prepare(`UPDATE batches SET state = 'closed', closed_at = ?, close_reason = ?, closed_by = ? WHERE id = ? AND state = ?`)
      .run(at, reason.length > 0 ? reason : null, input.actor, input.batchId, batch.state);
    appendAudit(db, {
      actor: input.actor, action: 'batch.close', subject: `batch:${input.batchId}`, reason: reason.length > 0 ? reason : null, at,
      detail: { from: batch.state, ok: report.ok, unexplained: report.totals.unexplained, received: report.totals.received, signed: reason.length > 0 },
    });
    const closed = mustGet(db, input.batchId);
    return { kind: 'closed', batch: closed, report: { ...report, batch: { ...report.batch, state: 'closed', closedAt: at, closeReason: closed.closeReason, closedBy: closed.closedBy } } };
  }).immediate();
}

/**
 * The rules checkCase (edge/aggregation) needs for a batch. The case children are cap-outer codes, or box codes
 * when the product has a box level. Pairing applies to both levels when the product requires it.
 */
export function caseRulesOf(db: Db, batchId: number): CaseRules {
  const batch = mustGet(db, batchId);
  const p = db.prepare('SELECT units_per_box, units_per_case, boxes_per_case, pairing_required FROM products WHERE id = ?').get(batch.productId) as ProductRatios;
  const boxed = p.units_per_box !== null;
  return {
    productId: batch.productId,
    unitsPerCase: boxed ? (p.boxes_per_case ?? 0) : p.units_per_case,
    pairChildren: p.pairing_required === 1 && !boxed,
    pairCase: p.pairing_required === 1,
    packageIds: new Set(batch.packages.map((x) => x.id)),
    childKind: boxed ? 'box' : 'cap-outer',
  };
}
