import { randomUUID } from 'node:crypto';
import type { EpcisContext, LineCodeKind } from '../../sync/index.ts';
import { kindFromInt, kindToInt, type CodeKind } from '../domain/kinds.ts';
import { maskCode } from '../domain/mask.ts';
import { appendAudit } from './audit.ts';
import { writeFact } from './case-commit.ts';
import { StoreError } from './errors.ts';
import type { Db } from './open.ts';
import { perConnection } from './statement-cache.ts';

/**
 * Why an item of the pairing line goes to waste (排废, issue 15). The closed set is the schema's CHECK on
 * `pairing_items.reason` (migrations 0006, 0007); edge/pairing/pairing-reason.ts gives the labels and PLC numbers.
 * `print-failed` (0007): the station's printer did not confirm the outer code it was given for the item.
 */
export const PAIRING_WASTE_REASONS = ['one-side', 'duplicate', 'foreign', 'already-paired', 'slipped', 'print-failed'] as const;
export type PairingWasteReason = (typeof PAIRING_WASTE_REASONS)[number];

/** Same-level pairs (同级关联): inner kind → its outer kind. */
export const OUTER_KIND_OF: Readonly<Partial<Record<CodeKind, CodeKind>>> = { 'cap-inner': 'cap-outer', 'case-inner': 'case-outer' };

export interface PairingRun {
  readonly id: number;
  readonly uuid: string;
  readonly line: string;
  readonly innerPackageId: number;
  readonly outerPackageId: number;
  readonly innerPackageUuid: string;
  readonly outerPackageUuid: string;
  readonly innerKind: CodeKind;
  readonly outerKind: CodeKind;
  readonly state: 'running' | 'closed';
  readonly startedAt: string;
}

/** What the store knows of one read code, as the pairing check needs it. null = not in the database. */
export interface PairingCodeFacts {
  readonly kind: CodeKind;
  readonly packageId: number;
  /** Status number (edge/domain/kinds.ts): 0 available, 1 printed, ≥ 2 used or final. */
  readonly status: number;
  readonly pair: string | null;
  /** An earlier item of any pairing run already carried this code. */
  readonly seen: boolean;
}

/** One side of an item as the station hands it over: the code read (null = unread) and the reader's counter. */
export interface PairingSide {
  readonly code: string | null;
  readonly counter: number | null;
}

export interface PairingItemInput {
  readonly runId: number;
  readonly inner: PairingSide;
  readonly outer: PairingSide;
  /** Milliseconds since the epoch of the decision. */
  readonly at: number;
  /**
   * EPCIS context of the station: a pair is frozen as an AssociationEvent (parentID = outer, childEPCs = [inner],
   * sync/epcis/map-fact.ts `pairing`) into the outbox in the pair's own transaction. Absent: no event (store tests).
   */
  readonly epcis?: EpcisContext;
}

export type PairingVerdict = { readonly kind: 'pair' } | { readonly kind: 'waste'; readonly reason: PairingWasteReason };

/** The pure decision (edge/pairing/check-pair.ts), run inside the transaction on facts read in it. */
export type PairingDecide = (facts: { readonly inner: PairingCodeFacts | null; readonly outer: PairingCodeFacts | null }) => PairingVerdict;

export interface PairingItemCommitted {
  readonly seq: number;
  readonly verdict: PairingVerdict;
  /** Codes of a waste item voided here because no other item holds them (fresh codes of the run's packages). */
  readonly voided: number;
  /** Outbox row of the pair's AssociationEvent; null for waste or without an EPCIS context. */
  readonly outboxId: number | null;
}

interface RunRow {
  id: number; uuid: string; line: string; inner_package_id: number; outer_package_id: number; state: 'running' | 'closed'; started_at: string;
  inner_uuid: string; outer_uuid: string; inner_kind: number; outer_kind: number;
}

const RUN_SELECT = `SELECT r.id, r.uuid, r.line, r.inner_package_id, r.outer_package_id, r.state, r.started_at,
  pi.uuid AS inner_uuid, po.uuid AS outer_uuid, pi.kind AS inner_kind, po.kind AS outer_kind
  FROM pairing_runs r JOIN code_packages pi ON pi.id = r.inner_package_id JOIN code_packages po ON po.id = r.outer_package_id`;

function runOf(row: RunRow): PairingRun {
  return {
    id: row.id, uuid: row.uuid, line: row.line, innerPackageId: row.inner_package_id, outerPackageId: row.outer_package_id,
    innerPackageUuid: row.inner_uuid, outerPackageUuid: row.outer_uuid, innerKind: kindFromInt(row.inner_kind), outerKind: kindFromInt(row.outer_kind),
    state: row.state, startedAt: row.started_at,
  };
}

export interface PairingRunStart {
  readonly line: string;
  /** code_packages.uuid of the inner (cap-inner / case-inner) and the outer package. */
  readonly innerPackage: string;
  readonly outerPackage: string;
  readonly actor: string;
  readonly at?: number;
}

/**
 * Starts a pairing run on a line: both packages must exist and be ready, be the inner and the outer kind of one
 * level, and the line must have no running run (the line's running run with exactly these packages is returned
 * as it is: a restarted station resumes its run). Audit row in the same transaction.
 */
export function startPairingRun(db: Db, input: PairingRunStart): PairingRun {
  return db.transaction((): PairingRun => {
    const pkg = db.prepare('SELECT id, kind, state FROM code_packages WHERE uuid = ?');
    const inner = pkg.get(input.innerPackage.toLowerCase()) as { id: number; kind: number; state: string } | undefined;
    const outer = pkg.get(input.outerPackage.toLowerCase()) as { id: number; kind: number; state: string } | undefined;
    if (inner === undefined) throw new StoreError('NOT_FOUND', `内码码包 ${input.innerPackage} 不存在，请先导入 (inner package not found; import it first)`);
    if (outer === undefined) throw new StoreError('NOT_FOUND', `外码码包 ${input.outerPackage} 不存在，请先导入 (outer package not found; import it first)`);
    for (const [p, uuid] of [[inner, input.innerPackage], [outer, input.outerPackage]] as const) {
      if (p.state !== 'ready') throw new StoreError('INVALID_STATE', `码包 ${uuid} 状态为 ${p.state}，不可用 (package is ${p.state}, not ready)`);
    }
    const ki = kindFromInt(inner.kind);
    const ko = kindFromInt(outer.kind);
    if (OUTER_KIND_OF[ki] !== ko) {
      throw new StoreError('INVALID_INPUT', `码包类型 ${ki} / ${ko} 不是同级内外码（应为 cap-inner/cap-outer 或 case-inner/case-outer） (packages are not the inner and outer kind of one level)`);
    }
    const running = db.prepare(`${RUN_SELECT} WHERE r.line = ? AND r.state = 'running'`).get(input.line) as RunRow | undefined;
    if (running !== undefined) {
      if (running.inner_package_id === inner.id && running.outer_package_id === outer.id) return runOf(running);
      throw new StoreError('CONFLICT', `产线 ${input.line} 已有进行中的配对任务 ${running.uuid}，请先结束 (line already has a running pairing run; close it first)`);
    }
    const at = new Date(input.at ?? Date.now()).toISOString();
    const uuid = randomUUID();
    const id = Number(db.prepare(`INSERT INTO pairing_runs (uuid, line, inner_package_id, outer_package_id, state, started_at) VALUES (?, ?, ?, ?, 'running', ?)`)
      .run(uuid, input.line, inner.id, outer.id, at).lastInsertRowid);
    appendAudit(db, { actor: input.actor, action: 'pairing.start', subject: uuid, at, detail: { line: input.line, innerPackage: input.innerPackage, outerPackage: input.outerPackage } });
    return runOf(db.prepare(`${RUN_SELECT} WHERE r.id = ?`).get(id) as RunRow);
  }).immediate();
}

export function getPairingRun(db: Db, ref: { readonly id: number } | { readonly uuid: string }): PairingRun | null {
  const row = ('id' in ref
    ? db.prepare(`${RUN_SELECT} WHERE r.id = ?`).get(ref.id)
    : db.prepare(`${RUN_SELECT} WHERE r.uuid = ?`).get(ref.uuid.toLowerCase())) as RunRow | undefined;
  return row === undefined ? null : runOf(row);
}

/** Closes a run (no more items). Closing a closed run is refused. */
export function closePairingRun(db: Db, runId: number, actor: string, at = Date.now()): void {
  db.transaction(() => {
    const run = getPairingRun(db, { id: runId });
    if (run === null) throw new StoreError('NOT_FOUND', `配对任务 ${runId} 不存在 (pairing run not found)`);
    if (run.state !== 'running') throw new StoreError('INVALID_STATE', `配对任务 ${run.uuid} 已结束 (pairing run already closed)`);
    const iso = new Date(at).toISOString();
    db.prepare(`UPDATE pairing_runs SET state = 'closed', closed_at = ? WHERE id = ?`).run(iso, runId);
    appendAudit(db, { actor, action: 'pairing.close', subject: run.uuid, at: iso, detail: { ...pairingCounts(db, runId) } });
  }).immediate();
}

export interface PairingCounts {
  readonly items: number;
  readonly paired: number;
  readonly waste: number;
  readonly byReason: Readonly<Record<PairingWasteReason, number>>;
}

export function pairingCounts(db: Db, runId: number): PairingCounts {
  const byReason = Object.fromEntries(PAIRING_WASTE_REASONS.map((r) => [r, 0])) as Record<PairingWasteReason, number>;
  let paired = 0;
  let waste = 0;
  for (const r of db.prepare('SELECT outcome, reason, count(*) AS n FROM pairing_items WHERE run_id = ? GROUP BY outcome, reason').all(runId) as { outcome: string; reason: PairingWasteReason | null; n: number }[]) {
    if (r.outcome === 'paired') paired += r.n;
    else {
      waste += r.n;
      if (r.reason !== null) byReason[r.reason] += r.n;
    }
  }
  return { items: paired + waste, paired, waste, byReason };
}

/** One item as shown (last items on the screen): secret codes masked, outer codes as read. */
export interface PairingItemView {
  readonly seq: number;
  readonly at: string;
  readonly outcome: 'paired' | 'waste';
  readonly reason: PairingWasteReason | null;
  readonly inner: string | null;
  readonly outer: string | null;
}

export function lastPairingItems(db: Db, runId: number, limit: number): PairingItemView[] {
  const rows = db.prepare('SELECT seq, at, outcome, reason, inner, outer FROM pairing_items WHERE run_id = ? ORDER BY seq DESC LIMIT ?').all(runId, limit) as PairingItemView[];
  return rows.map((r) => ({ ...r, inner: r.inner === null ? null : maskCode(r.inner) }));
}

interface ItemStatements {
  readonly facts: (code: string) => PairingCodeFacts | null;
  readonly commit: (input: PairingItemInput, decide: PairingDecide) => PairingItemCommitted;
}

const statementsOf = perConnection((db: Db): ItemStatements => {
  const code = db.prepare('SELECT kind, package_id, status, pair FROM codes WHERE code = ?');
  const seenInner = db.prepare('SELECT 1 FROM pairing_items WHERE inner = ? LIMIT 1').pluck();
  const seenOuter = db.prepare('SELECT 1 FROM pairing_items WHERE outer = ? LIMIT 1').pluck();
  const run = db.prepare(`SELECT r.state, r.inner_package_id, r.outer_package_id, pi.kind AS inner_kind, po.kind AS outer_kind
    FROM pairing_runs r JOIN code_packages pi ON pi.id = r.inner_package_id JOIN code_packages po ON po.id = r.outer_package_id WHERE r.id = ?`);
  const nextSeq = db.prepare('SELECT coalesce(max(seq), 0) + 1 FROM pairing_items WHERE run_id = ?').pluck();
  const insert = db.prepare(`INSERT INTO pairing_items (run_id, seq, at, outcome, reason, inner, outer, inner_counter, outer_counter)
    VALUES (@runId, @seq, @at, @outcome, @reason, @inner, @outer, @innerCounter, @outerCounter)`);
  const setPair = db.prepare('UPDATE codes SET pair = @pair, status = CASE WHEN status = 0 THEN 1 ELSE status END WHERE code = @code AND pair IS NULL');
  const voidFresh = db.prepare('UPDATE codes SET status = 8 WHERE code = @code AND package_id IN (@a, @b) AND pair IS NULL AND status IN (0, 1)');
  const facts = (c: string): PairingCodeFacts | null => {
    const row = code.get(c) as { kind: number; package_id: number; status: number; pair: string | null } | undefined;
    if (row === undefined) return null;
    return { kind: kindFromInt(row.kind), packageId: row.package_id, status: row.status, pair: row.pair, seen: seenInner.get(c) !== undefined || seenOuter.get(c) !== undefined };
  };
  const tx = db.transaction((input: PairingItemInput, decide: PairingDecide): PairingItemCommitted => {
    const r = run.get(input.runId) as { state: string; inner_package_id: number; outer_package_id: number; inner_kind: number; outer_kind: number } | undefined;
    if (r === undefined) throw new StoreError('NOT_FOUND', `配对任务 ${input.runId} 不存在 (pairing run not found)`);
    if (r.state !== 'running') throw new StoreError('INVALID_STATE', `配对任务 ${input.runId} 已结束，不能再记录 (pairing run is closed)`);
    const innerFacts = input.inner.code === null ? null : facts(input.inner.code);
    const outerFacts = input.outer.code === null ? null : facts(input.outer.code);
    const verdict = decide({ inner: innerFacts, outer: outerFacts });
    const seq = nextSeq.get(input.runId) as number;
    let voided = 0;
    let outboxId: number | null = null;
    const iso = new Date(input.at).toISOString();
    if (verdict.kind === 'pair') {
      const inner = input.inner.code;
      const outer = input.outer.code;
      if (inner === null || outer === null) throw new StoreError('INVALID_INPUT', '配对需要两面都读到 (a pair needs both codes)');
      // Guarded on pair IS NULL: a decision that raced another writer changes 0 rows and the transaction aborts.
      const a = setPair.run({ code: inner, pair: outer }).changes;
      const b = setPair.run({ code: outer, pair: inner }).changes;
      if (a !== 1 || b !== 1) throw new StoreError('CONFLICT', `码 ${maskCode(inner)} / ${outer} 在决定期间已被关联 (a code was paired meanwhile)`);
      if (input.epcis !== undefined) {
        // Inner codes go to headquarters in full, as the line's cap-inner commissioning events carry them
        // (case-commit.ts): the outbox is the brand's data; logs and errors mask them (mapFact does).
        outboxId = writeFact(db, {
          type: 'pairing', time: input.at, outerKind: kindFromInt(r.outer_kind) as LineCodeKind, outer, innerKind: kindFromInt(r.inner_kind) as LineCodeKind, inner: [inner],
        }, input.epcis, { at: iso });
      }
    } else {
      // Waste: a code read on this item and held by no other item is voided (DESIGN §4: it may be on a cap that
      // goes to the shredder, it must never pay out). Codes an earlier item holds (重码) are left to that item.
      for (const [c, f] of [[input.inner.code, innerFacts], [input.outer.code, outerFacts]] as const) {
        if (c !== null && f !== null && !f.seen) voided += voidFresh.run({ code: c, a: r.inner_package_id, b: r.outer_package_id }).changes;
      }
    }
    insert.run({
      runId: input.runId, seq, at: iso, outcome: verdict.kind === 'pair' ? 'paired' : 'waste',
      reason: verdict.kind === 'pair' ? null : verdict.reason, inner: input.inner.code, outer: input.outer.code,
      innerCounter: input.inner.counter, outerCounter: input.outer.counter,
    });
    return { seq, verdict, voided, outboxId };
  });
  return { facts, commit: (input, decide) => tx.immediate(input, decide) };
});

/** What the pairing check needs of one code, read outside a transaction (status views). */
export function pairingCodeFacts(db: Db, code: string): PairingCodeFacts | null {
  return statementsOf(db).facts(code);
}

/**
 * Decides and records one item of the pairing line in ONE durable transaction (DESIGN §3, synchronous=FULL):
 * the facts of both codes are read inside it, `decide` (pure) judges them, and the item row plus — for a pair —
 * `codes.pair` on both rows (and available → printed), or — for waste — the voiding of fresh codes, commit
 * together. Nothing is told to the PLC before this returns (decide, commit, then act).
 */
export function commitPairingItem(db: Db, input: PairingItemInput, decide: PairingDecide): PairingItemCommitted {
  return statementsOf(db).commit(input, decide);
}

/** One item row as the export reads it (full codes: the sealed package is encrypted). */
export interface PairingItemRow {
  readonly seq: number;
  readonly outcome: 'paired' | 'waste';
  readonly reason: PairingWasteReason | null;
  readonly inner: string | null;
  readonly outer: string | null;
}

export function* pairingItemRows(db: Db, runId: number): Generator<PairingItemRow> {
  yield* db.prepare('SELECT seq, outcome, reason, inner, outer FROM pairing_items WHERE run_id = ? ORDER BY seq').iterate(runId) as IterableIterator<PairingItemRow>;
}

export function markPairingExported(db: Db, runId: number, sha256: string, actor: string, file: string): void {
  db.transaction(() => {
    const at = new Date().toISOString();
    db.prepare('UPDATE pairing_runs SET exported_at = ?, export_sha256 = ? WHERE id = ?').run(at, sha256, runId);
    appendAudit(db, { actor, action: 'pairing.export', subject: String(runId), at, detail: { file, sha256, ...pairingCounts(db, runId) } });
  }).immediate();
}

/** The kind of a code as stored (immutable once imported), or null when the code is not in the database. */
export function pairingCodeKind(db: Db, code: string): CodeKind | null {
  const kind = kindStatement(db).get(code) as number | undefined;
  return kind === undefined ? null : kindFromInt(kind);
}
const kindStatement = perConnection((db: Db) => db.prepare('SELECT kind FROM codes WHERE code = ?').pluck());

export type PairingAllocation = { readonly kind: 'code'; readonly code: string } | { readonly kind: 'none'; readonly why: string };

const allocator = perConnection((db: Db) => {
  const run = db.prepare(`SELECT state, outer_package_id FROM pairing_runs WHERE id = ?`);
  const free = db.prepare(`SELECT code FROM codes INDEXED BY codes_pairing_free
    WHERE package_id = @pkg AND kind IN (2, 4) AND kind = @kind AND status IN (0, 1) AND pair IS NULL
      AND NOT EXISTS (SELECT 1 FROM pairing_allocations a WHERE a.code = codes.code)
      AND NOT EXISTS (SELECT 1 FROM pairing_items i WHERE i.outer = codes.code)
    LIMIT 1`).pluck();
  const insert = db.prepare('INSERT INTO pairing_allocations (code, run_id, allocated_at) VALUES (?, ?, ?)');
  return db.transaction((runId: number, kind: CodeKind, at: string): PairingAllocation => {
    const r = run.get(runId) as { state: string; outer_package_id: number } | undefined;
    if (r === undefined) throw new StoreError('NOT_FOUND', `配对任务 ${runId} 不存在 (pairing run not found)`);
    if (r.state !== 'running') throw new StoreError('INVALID_STATE', `配对任务 ${runId} 已结束，不能再分配外码 (pairing run is closed)`);
    const code = free.get({ pkg: r.outer_package_id, kind: kindToInt(kind) }) as string | undefined;
    if (code === undefined) return { kind: 'none', why: '外码码包中没有可用的码，请导入新的外码码包 (no free outer code left in the package)' };
    insert.run(code, runId, at);
    return { kind: 'code', code };
  });
});

/**
 * Print mode: hands out the next free outer code of the run's outer package (available or printed, unpaired, never
 * allocated, on no item) and records the allocation in ONE durable transaction BEFORE the code goes to the printer
 * (it may exist on a cap from then on). It then ends in the item's commit: paired, or voided with the waste row.
 */
export function allocatePairingOuter(db: Db, run: Pick<PairingRun, 'id' | 'outerKind'>, at = Date.now()): PairingAllocation {
  return allocator(db).immediate(run.id, run.outerKind, new Date(at).toISOString());
}

/**
 * After a crash in print mode: outer codes allocated for the run that neither got paired nor went into a waste row
 * may be on a cap that left the line unrecorded — voided (DESIGN §4), one audit row. Returns how many.
 */
export function voidUnconfirmedPairingOuter(db: Db, runId: number, actor: string, at = Date.now()): number {
  return db.transaction((): number => {
    const codes = db.prepare(`SELECT a.code FROM pairing_allocations a JOIN codes c ON c.code = a.code
      WHERE a.run_id = ? AND c.pair IS NULL AND c.status IN (0, 1) AND NOT EXISTS (SELECT 1 FROM pairing_items i WHERE i.outer = a.code)`).pluck().all(runId) as string[];
    if (codes.length === 0) return 0;
    const voidOne = db.prepare('UPDATE codes SET status = 8 WHERE code = ? AND pair IS NULL AND status IN (0, 1)');
    let n = 0;
    for (const c of codes) n += voidOne.run(c).changes;
    const iso = new Date(at).toISOString();
    appendAudit(db, { actor, action: 'pairing.void-unconfirmed', subject: String(runId), at: iso, detail: { codes, reason: '外码打印结果不确定（工位中断）(outer code print fate unknown: station interrupted)' } });
    return n;
  }).immediate();
}
