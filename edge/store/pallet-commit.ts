import { randomUUID } from 'node:crypto';
import type { EpcisContext } from '../../sync/index.ts';
import { DEFAULT_PROFILES, generateCode, validateProfile, webCryptoRandom, type CodeProfile, type RandomSource } from '../codes/index.ts';
import { kindFromInt, kindToInt } from '../domain/kinds.ts';
import { displayCode } from '../domain/mask.ts';
import { appendAudit } from './audit.ts';
import { batchFacts, IN_BATCH_PACKAGES, writeFact, type BatchFacts } from './case-commit.ts';
import { StoreError } from './errors.ts';
import type { Db } from './open.ts';
import { cachedStatement } from './statement-cache.ts';

/**
 * The pallet station's store side (issue 4 §3, DESIGN §6). Cases are stacked on a *pallet stack* that has no
 * pallet code yet; the stack lives in `pallet_stacks` / `pallet_stack_cases` so it survives restarts, can be
 * parked for the next shift, resumed, and merged with another part pallet. At the ratio (or on the operator's
 * force close of a short pallet) a pallet code is allocated, printed, read back and the pallet committed in one
 * transaction. Stacked cases stay `commissioned` with no parent until that commit.
 */

export const PALLET_STACK_STATES = ['open', 'parked'] as const;
export type PalletStackState = (typeof PALLET_STACK_STATES)[number];

export interface PalletStack {
  readonly id: number;
  readonly batchId: number;
  readonly state: PalletStackState;
  readonly cases: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

function requireRunning(facts: BatchFacts, batchId: number, what: string): void {
  if (facts.state !== 'running') throw new StoreError('INVALID_STATE', `批次 ${batchId} 状态为 ${facts.state}，不能${what} (batch is not running)`);
}

// ---- pallet codes --------------------------------------------------------------------------------------------

export interface AllocatedPalletCode {
  readonly code: string;
  /** `package`: the next free code of a pallet package of the batch; `generated`: made on demand. */
  readonly source: 'package' | 'generated';
}

export interface AllocateOptions {
  readonly actor?: string;
  readonly at?: string;
  /** Randomness for on-demand codes; the OS CSPRNG by default (DESIGN §5). */
  readonly random?: RandomSource;
}

/**
 * Hands out the next pallet code for a batch and records the allocation (a code given to the printer is never
 * handed out again; if its pallet is never committed it must be voided — reconciliation counts it unexplained
 * until then). Source, in order:
 * 1. a free code (available or printed, never allocated) of a pallet package listed for the batch — found through
 *    the partial index `codes_pallet_free`;
 * 2. otherwise a code generated on demand from the product's `pallet` profile (DEFAULT_PROFILES.pallet when the
 *    product has none): an SSCC when the profile's scheme is `sscc` (GS1 brands), else a random unguessable code.
 *    Generated codes go into a per-batch package (`batches.pallet_package_id`, kind pallet, source generated),
 *    created on first use and listed with the batch, so reconciliation and `wuma verify` account for them.
 */
export function allocatePalletCode(db: Db, batchId: number, options: AllocateOptions = {}): AllocatedPalletCode {
  const at = options.at ?? new Date().toISOString();
  return db.transaction((): AllocatedPalletCode => {
    const facts = batchFacts(db, batchId);
    requireRunning(facts, batchId, '分配垛码');
    const packages = db.prepare(`SELECT p.id FROM batch_packages bp JOIN code_packages p ON p.id = bp.package_id
      WHERE bp.batch_id = ? AND p.kind = 5 ORDER BY p.id`).pluck().all(batchId) as number[];
    const free = db.prepare(`SELECT code FROM codes INDEXED BY codes_pallet_free
      WHERE package_id = ? AND kind = 5 AND status IN (0, 1) AND NOT EXISTS (SELECT 1 FROM pallet_allocations a WHERE a.code = codes.code) LIMIT 1`).pluck();
    let code: string | undefined;
    for (const id of packages) {
      code = free.get(id) as string | undefined;
      if (code !== undefined) break;
    }
    const source: AllocatedPalletCode['source'] = code === undefined ? 'generated' : 'package';
    if (code === undefined) code = generatePalletCode(db, batchId, facts.productId, at, options.random ?? webCryptoRandom);
    db.prepare('INSERT INTO pallet_allocations (code, batch_id, allocated_at) VALUES (?, ?, ?)').run(code, batchId, at);
    appendAudit(db, { actor: options.actor ?? 'station', action: 'pallet.allocate', subject: code, at, detail: { batchId, source } });
    return { code, source };
  }).immediate();
}

function palletProfile(db: Db, productId: string): CodeProfile {
  const profiles = JSON.parse(db.prepare('SELECT profiles FROM products WHERE id = ?').pluck().get(productId) as string) as Record<string, unknown>;
  const profile = (profiles['pallet'] ?? DEFAULT_PROFILES.pallet) as CodeProfile;
  const issues = validateProfile(profile);
  if (issues.length > 0) {
    throw new StoreError('INVALID_INPUT', `产品 ${productId} 的垛码规则无效 (invalid pallet profile): ${issues.map((i) => `profiles.pallet.${i.path}: ${i.message}`).join('; ')}`);
  }
  return profile;
}

function generatePalletCode(db: Db, batchId: number, productId: string, at: string, random: RandomSource): string {
  const profile = palletProfile(db, productId);
  let packageId = db.prepare('SELECT pallet_package_id FROM batches WHERE id = ?').pluck().get(batchId) as number | null;
  if (packageId === null) {
    packageId = Number(db.prepare(`INSERT INTO code_packages (uuid, kind, product_id, source, count, state, profile, created_at, finished_at)
      VALUES (?, 5, ?, 'generated', 0, 'ready', ?, ?, ?)`).run(randomUUID(), productId, JSON.stringify(profile), at, at).lastInsertRowid);
    db.prepare('INSERT INTO batch_packages (batch_id, package_id) VALUES (?, ?)').run(batchId, packageId);
    db.prepare('UPDATE batches SET pallet_package_id = ? WHERE id = ?').run(packageId, batchId);
  }
  const insert = db.prepare('INSERT OR IGNORE INTO codes (code, kind, status, package_id) VALUES (?, 5, 0, ?)');
  // A collision with any code ever stored is astronomically rare at ≥ 60 bits; the primary key decides.
  for (let attempt = 0; attempt < 8; attempt += 1) {
    const code = generateCode(profile, random);
    if (insert.run(code, packageId).changes === 1) {
      db.prepare('UPDATE code_packages SET count = count + 1 WHERE id = ?').run(packageId);
      return code;
    }
  }
  throw new StoreError('CONFLICT', '连续 8 次生成的垛码都已存在，请检查垛码规则或随机源 (8 generated pallet codes in a row already exist)');
}

// ---- stacks ----------------------------------------------------------------------------------------------------

function stackCases(db: Db, stackId: number): string[] {
  return cachedStatement(db, 'SELECT case_code FROM pallet_stack_cases WHERE stack_id = ? ORDER BY seq', 'pluck').all(stackId) as string[];
}

function stackRow(db: Db, stackId: number): { id: number; batch_id: number; state: PalletStackState; created_at: string; updated_at: string } {
  const row = cachedStatement(db, 'SELECT * FROM pallet_stacks WHERE id = ?').get(stackId) as ReturnType<typeof stackRow> | undefined;
  if (row === undefined) throw new StoreError('NOT_FOUND', `垛 #${stackId} 不存在或已提交 (pallet stack not found or already committed)`);
  return row;
}

export function getPalletStack(db: Db, stackId: number): PalletStack {
  const r = stackRow(db, stackId);
  return { id: r.id, batchId: r.batch_id, state: r.state, cases: stackCases(db, stackId), createdAt: r.created_at, updatedAt: r.updated_at };
}

/** Open and parked stacks of a batch (after a restart: the pallets to resume). */
export function palletStacks(db: Db, batchId: number): PalletStack[] {
  return (cachedStatement(db, 'SELECT id FROM pallet_stacks WHERE batch_id = ? ORDER BY id', 'pluck').all(batchId) as number[]).map((id) => getPalletStack(db, id));
}

/** Starts a new, empty pallet stack for a running batch. */
export function openPallet(db: Db, batchId: number, actor = 'station', at = new Date().toISOString()): number {
  return db.transaction(() => {
    requireRunning(batchFacts(db, batchId), batchId, '开始组垛');
    const id = Number(db.prepare(`INSERT INTO pallet_stacks (batch_id, state, created_at, updated_at) VALUES (?, 'open', ?, ?)`).run(batchId, at, at).lastInsertRowid);
    appendAudit(db, { actor, action: 'pallet.open', subject: `stack:${id}`, at, detail: { batchId } });
    return id;
  }).immediate();
}

/** A read value as an error message may show it: masked when the store knows it as a secret kind (a case-inner code held under the reader). */
function shownCode(db: Db, code: string): string {
  const kind = db.prepare('SELECT kind FROM codes WHERE code = ?').pluck().get(code) as number | undefined;
  return kind === undefined ? code : displayCode(code, kindFromInt(kind));
}

/**
 * One case read at the pallet station, stacked on an open stack (persisted, so a restart keeps it). The case must
 * be a closed case of the batch, commissioned, on no pallet and on no other stack; the stack must not be full.
 */
export function stackCase(db: Db, stackId: number, caseCode: string, at = new Date().toISOString()): number {
  return db.transaction(() => {
    const stack = stackRow(db, stackId);
    if (stack.state !== 'open') throw new StoreError('INVALID_STATE', `垛 #${stackId} 已暂存，请先恢复 (pallet stack is parked; resume it first)`);
    const facts = batchFacts(db, stack.batch_id);
    requireRunning(facts, stack.batch_id, '组垛');
    const ok = cachedStatement(db, `SELECT 1 FROM codes c JOIN containers k ON k.code = c.code
      WHERE c.code = ? AND c.kind = 4 AND c.status = 2 AND c.parent IS NULL AND c.batch_id = ? AND k.level = 'case' AND k.state = 'closed'`).get(caseCode, stack.batch_id);
    if (ok === undefined) throw new StoreError('CONFLICT', `箱码 ${shownCode(db, caseCode)} 不是本批次已装箱、未组垛的箱 (not a packed, unpalletised case of this batch)`);
    const count = cachedStatement(db, 'SELECT count(*) FROM pallet_stack_cases WHERE stack_id = ?', 'pluck').get(stackId) as number;
    if (count >= facts.casesPerPallet) throw new StoreError('INVALID_STATE', `垛 #${stackId} 已满 ${facts.casesPerPallet} 箱 (pallet stack is full)`);
    try {
      cachedStatement(db, 'INSERT INTO pallet_stack_cases (case_code, stack_id, seq) VALUES (?, ?, ?)').run(caseCode, stackId, count + 1);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new StoreError('CONFLICT', `箱码 ${shownCode(db, caseCode)} 已在另一个垛上 (case is already on a pallet stack)`, { cause: error });
      throw error;
    }
    cachedStatement(db, 'UPDATE pallet_stacks SET updated_at = ? WHERE id = ?').run(at, stackId);
    return count + 1;
  }).immediate();
}

function setStackState(db: Db, stackId: number, from: PalletStackState, to: PalletStackState, action: string, actor: string, at: string): PalletStack {
  return db.transaction(() => {
    const stack = stackRow(db, stackId);
    if (stack.state !== from) throw new StoreError('INVALID_STATE', `垛 #${stackId} 状态为 ${stack.state}，应为 ${from} (pallet stack is ${stack.state}, expected ${from})`);
    db.prepare('UPDATE pallet_stacks SET state = ?, updated_at = ? WHERE id = ? AND state = ?').run(to, at, stackId, from);
    appendAudit(db, { actor, action, subject: `stack:${stackId}`, at, detail: { batchId: stack.batch_id, cases: stackCases(db, stackId).length } });
    return getPalletStack(db, stackId);
  }).immediate();
}

/** Sets an unfinished pallet aside (提取未成垛, e.g. end of shift); its cases stay recorded. */
export function parkPallet(db: Db, stackId: number, actor: string, at = new Date().toISOString()): PalletStack {
  return setStackState(db, stackId, 'open', 'parked', 'pallet.park', actor, at);
}

/** Takes a parked pallet back onto the line; returns it with its cases so far. */
export function resumePallet(db: Db, stackId: number, actor: string, at = new Date().toISOString()): PalletStack {
  return setStackState(db, stackId, 'parked', 'open', 'pallet.resume', actor, at);
}

/**
 * Merges two part pallets (合垛) of the same batch: the cases of `from` go onto `into` after its own, `from` is
 * removed. Refused if together they exceed the product's cases per pallet.
 */
export function mergePallets(db: Db, input: { into: number; from: number; actor: string; at?: string }): PalletStack {
  const at = input.at ?? new Date().toISOString();
  return db.transaction(() => {
    if (input.into === input.from) throw new StoreError('INVALID_INPUT', `不能把垛 #${input.into} 与自身合并 (cannot merge a pallet stack with itself)`);
    const into = stackRow(db, input.into);
    const from = stackRow(db, input.from);
    if (into.batch_id !== from.batch_id) throw new StoreError('CONFLICT', `垛 #${input.into} 与 #${input.from} 属于不同批次 (stacks belong to different batches)`);
    const facts = batchFacts(db, into.batch_id);
    const a = stackCases(db, input.into);
    const b = stackCases(db, input.from);
    if (a.length + b.length > facts.casesPerPallet) {
      throw new StoreError('INVALID_INPUT', `合并后 ${a.length + b.length} 箱超过每垛 ${facts.casesPerPallet} 箱 (merged pallet would exceed the ratio)`);
    }
    const move = db.prepare('UPDATE pallet_stack_cases SET stack_id = ?, seq = ? WHERE case_code = ? AND stack_id = ?');
    b.forEach((code, i) => { move.run(input.into, a.length + i + 1, code, input.from); });
    db.prepare('DELETE FROM pallet_stacks WHERE id = ?').run(input.from);
    db.prepare('UPDATE pallet_stacks SET updated_at = ? WHERE id = ?').run(at, input.into);
    appendAudit(db, { actor: input.actor, action: 'pallet.merge', subject: `stack:${input.into}`, at, detail: { batchId: into.batch_id, from: input.from, cases: a.length + b.length } });
    return getPalletStack(db, input.into);
  }).immediate();
}

// ---- commit ----------------------------------------------------------------------------------------------------

export interface PalletCommit {
  readonly batchId: number;
  readonly palletCode: string;
  /** The case codes on the pallet. With `stackId`, the stack's cases come first and these are added. */
  readonly cases?: readonly string[];
  /** Commit a persisted stack; the stack is removed with the commit. */
  readonly stackId?: number;
  /** Epoch milliseconds (UTC). */
  readonly at: number;
  readonly actor: string;
  readonly epcis: EpcisContext;
  /** Force close of a short pallet (强制满垛): who decided is `actor`, why is `reason`. */
  readonly short?: { readonly reason: string };
}

export interface PalletCommitted {
  readonly palletCode: string;
  readonly cases: number;
  readonly short: boolean;
  readonly outboxIds: readonly number[];
}

/**
 * Commits a pallet in ONE transaction: the pallet code → commissioned, every case → aggregated under it (each
 * UPDATE guarded: a closed case of this batch, commissioned, on no pallet), a closed `containers` row, the audit
 * row and the outbox events (commissioning of the pallet code, packing pallet ⊃ cases), both tagged with
 * `pallet` for the per-pallet "confirmed by headquarters" status. Any failed guard rolls back everything.
 * A pallet below the ratio needs `short` with a reason; above the ratio is refused.
 */
export function commitPallet(db: Db, input: PalletCommit): PalletCommitted {
  const iso = new Date(input.at).toISOString();
  return db.transaction((): PalletCommitted => {
    const facts = batchFacts(db, input.batchId);
    requireRunning(facts, input.batchId, '提交垛');
    let cases = [...(input.cases ?? [])];
    if (input.stackId !== undefined) {
      const stack = stackRow(db, input.stackId);
      if (stack.batch_id !== input.batchId) throw new StoreError('CONFLICT', `垛 #${input.stackId} 不属于批次 ${input.batchId} (stack belongs to another batch)`);
      if (stack.state !== 'open') throw new StoreError('INVALID_STATE', `垛 #${input.stackId} 已暂存，请先恢复 (pallet stack is parked; resume it first)`);
      cases = [...stackCases(db, input.stackId), ...cases];
    }
    if (cases.length === 0) throw new StoreError('INVALID_INPUT', 'cases: 垛上没有箱 (a pallet needs at least one case)');
    if (new Set(cases).size !== cases.length) throw new StoreError('INVALID_INPUT', 'cases: 箱码重复 (a case is listed twice)');
    if (cases.length > facts.casesPerPallet) throw new StoreError('INVALID_INPUT', `cases: ${cases.length} 箱超过每垛 ${facts.casesPerPallet} 箱 (more cases than the ratio)`);
    const reason = input.short?.reason.trim() ?? '';
    if (cases.length < facts.casesPerPallet && reason.length === 0) {
      throw new StoreError('INVALID_INPUT', `cases: ${cases.length} 箱少于每垛 ${facts.casesPerPallet} 箱，强制满垛需要原因 (a short pallet needs a force-close reason)`);
    }
    const pallet = db.prepare(`UPDATE codes SET status = 2, batch_id = @batch
      WHERE code = @code AND kind = ${kindToInt('pallet')} AND status IN (0, 1) AND parent IS NULL AND ${IN_BATCH_PACKAGES}`);
    if (pallet.run({ code: input.palletCode, batch: input.batchId }).changes !== 1) {
      throw new StoreError('CONFLICT', `垛码 ${input.palletCode} 未知、不属于本批次或已被使用，整垛未提交 (pallet code unknown, outside the batch or used; nothing committed)`);
    }
    const onOtherStack = db.prepare('SELECT stack_id FROM pallet_stack_cases WHERE case_code = ?').pluck();
    const aggregate = db.prepare(`UPDATE codes SET status = 3, parent = @pallet
      WHERE code = @code AND kind = ${kindToInt('case-outer')} AND status = 2 AND parent IS NULL AND batch_id = @batch
        AND EXISTS (SELECT 1 FROM containers k WHERE k.code = codes.code AND k.level = 'case' AND k.state = 'closed')`);
    for (const code of cases) {
      const other = onOtherStack.get(code) as number | undefined;
      if (other !== undefined && other !== input.stackId) throw new StoreError('CONFLICT', `箱码 ${code} 在垛 #${other} 上，整垛未提交 (case is on another pallet stack; nothing committed)`);
      if (aggregate.run({ code, pallet: input.palletCode, batch: input.batchId }).changes !== 1) {
        throw new StoreError('CONFLICT', `箱码 ${code} 不是本批次已装箱、未组垛的箱，整垛未提交 (not a packed, unpalletised case of this batch; nothing committed)`);
      }
    }
    if (input.stackId !== undefined) {
      db.prepare('DELETE FROM pallet_stack_cases WHERE stack_id = ?').run(input.stackId);
      db.prepare('DELETE FROM pallet_stacks WHERE id = ?').run(input.stackId);
    }
    db.prepare(`INSERT INTO containers (code, level, batch_id, state, child_count, created_at, closed_at) VALUES (?, 'pallet', ?, 'closed', ?, ?, ?)`)
      .run(input.palletCode, input.batchId, cases.length, iso, iso);
    const short = cases.length < facts.casesPerPallet;
    appendAudit(db, {
      actor: input.actor, action: short ? 'pallet.force-close' : 'pallet.commit', subject: input.palletCode, at: iso,
      reason: short ? reason : null, detail: { batchId: input.batchId, cases: cases.length, ratio: facts.casesPerPallet },
    });
    const options = { batchId: input.batchId, pallet: input.palletCode, at: iso };
    const outboxIds = [
      writeFact(db, { type: 'commissioning', time: input.at, kind: 'pallet', codes: [input.palletCode], lot: facts.lot, productionDate: facts.productionDate }, input.epcis, options),
      writeFact(db, { type: 'packing', time: input.at, parentKind: 'pallet', parent: input.palletCode, childKind: 'case-outer', children: cases }, input.epcis, options),
    ];
    return { palletCode: input.palletCode, cases: cases.length, short, outboxIds };
  }).immediate();
}
