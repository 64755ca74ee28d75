import type { Statement } from 'better-sqlite3';
import { freezeEvent, mapFact, type EpcisContext, type LineCodeKind, type LineFact } from '../../sync/index.ts';
import type { BatchState } from '../aggregation/batch-machine.ts';
import { kindToInt, type CodeKind } from '../domain/kinds.ts';
import { displayCode } from '../domain/mask.ts';
import { appendAudit } from './audit.ts';
import { StoreError } from './errors.ts';
import type { Db } from './open.ts';
import { appendOutbox } from './outbox.ts';
import { cachedStatement, perConnection } from './statement-cache.ts';

/** What the station decided for one case (checkCase said accept). */
export interface CaseCommit {
  readonly batchId: number;
  /** The case-outer code (箱外码). */
  readonly caseCode: string;
  /** cap-outer codes, or box codes when the product has a box level; exactly the product's ratio. */
  readonly children: readonly string[];
  /** Decision time, epoch milliseconds (UTC). */
  readonly at: number;
  readonly actor: string;
  readonly epcis: EpcisContext;
}

export interface CaseCommitted {
  readonly caseCode: string;
  readonly children: number;
  /** Inner codes (盖内码 / 箱内码) commissioned with their outer codes. */
  readonly innerCodes: number;
  readonly outboxIds: readonly number[];
}

/** The running batch as a commit needs it. */
export interface BatchFacts {
  readonly state: BatchState;
  readonly lot: string;
  readonly productionDate: string;
  readonly productId: string;
  readonly pairingRequired: boolean;
  readonly boxed: boolean;
  readonly unitsPerCase: number;
  readonly boxesPerCase: number | null;
  readonly casesPerPallet: number;
}

type BatchRow = [string, string, string, string, number, number | null, number, number | null, number];

interface Statements {
  /** printed/available → aggregated (commissioned and packed in one step), guarded by batch package. */
  readonly aggregateFresh: Statement<unknown[]>;
  /** already commissioned in this batch (box level) → aggregated. */
  readonly aggregateCommissioned: Statement<unknown[]>;
  readonly commissionOuter: Statement<unknown[]>;
  readonly commissionInner: Statement<unknown[]>;
  readonly insertContainer: Statement<unknown[]>;
  readonly run: (input: CaseCommit) => CaseCommitted;
}

/** The guard every outer-code UPDATE carries: the code belongs to a package of this batch. */
export const IN_BATCH_PACKAGES = 'EXISTS (SELECT 1 FROM batch_packages bp WHERE bp.batch_id = @batch AND bp.package_id = codes.package_id)';

const BATCH_FACTS_SQL = `SELECT b.state, b.lot, b.production_date, b.product_id, p.pairing_required, p.units_per_box, p.units_per_case,
  p.boxes_per_case, p.cases_per_pallet FROM batches b JOIN products p ON p.id = b.product_id WHERE b.id = ?`;

/** The batch with its product's ratios, as commits and allocations check it (NOT_FOUND when there is none). */
export function batchFacts(db: Db, batchId: number): BatchFacts {
  const row = cachedStatement<[number]>(db, BATCH_FACTS_SQL, 'raw').get(batchId) as BatchRow | undefined;
  if (row === undefined) throw new StoreError('NOT_FOUND', `批次 ${batchId} 不存在 (batch not found)`);
  return {
    state: row[0] as BatchState, lot: row[1], productionDate: row[2], productId: row[3], pairingRequired: row[4] === 1,
    boxed: row[5] !== null, unitsPerCase: row[6], boxesPerCase: row[7], casesPerPallet: row[8],
  };
}

/** Freezes one line fact and writes it to the outbox inside the caller's transaction. */
export function writeFact(db: Db, fact: LineFact, epcis: EpcisContext, options: { readonly batchId?: number; readonly pallet?: string; readonly at: string }): number {
  return appendOutbox(db, freezeEvent(mapFact(fact, epcis)), options);
}

function guardFailed(code: string, kind: CodeKind, why: string): never {
  throw new StoreError('CONFLICT', `${displayCode(code, kind)}: ${why}，整箱未提交 (nothing of the case was committed)`);
}

const statements = perConnection((db: Db): Statements => {
  const aggregateFresh = db.prepare(`UPDATE codes SET status = 3, parent = @parent, batch_id = @batch
    WHERE code = @code AND kind = @kind AND status IN (0, 1) AND parent IS NULL AND ${IN_BATCH_PACKAGES} RETURNING pair`).pluck();
  const aggregateCommissioned = db.prepare(`UPDATE codes SET status = 3, parent = @parent
    WHERE code = @code AND kind = @kind AND status = 2 AND parent IS NULL AND batch_id = @batch RETURNING pair`).pluck();
  const commissionOuter = db.prepare(`UPDATE codes SET status = 2, batch_id = @batch
    WHERE code = @code AND kind = @kind AND status IN (0, 1) AND parent IS NULL AND ${IN_BATCH_PACKAGES} RETURNING pair`).pluck();
  const commissionInner = db.prepare(`UPDATE codes SET status = 2, batch_id = @batch
    WHERE code = @code AND kind = @kind AND status IN (0, 1) AND parent IS NULL AND pair = @outer`);
  const insertContainer = db.prepare(`INSERT INTO containers (code, level, batch_id, state, child_count, created_at, closed_at)
    VALUES (?, 'case', ?, 'closed', ?, ?, ?)`);

  const run = db.transaction((input: CaseCommit): CaseCommitted => {
    const facts = batchFacts(db, input.batchId);
    if (facts.state !== 'running') throw new StoreError('INVALID_STATE', `批次 ${input.batchId} 状态为 ${facts.state}，不能装箱 (batch is not running)`);
    const childKind: CodeKind = facts.boxed ? 'box' : 'cap-outer';
    const ratio = facts.boxed ? (facts.boxesPerCase ?? 0) : facts.unitsPerCase;
    if (input.children.length !== ratio || new Set(input.children).size !== ratio) {
      throw new StoreError('INVALID_INPUT', `children: 应为 ${ratio} 个不重复的码，收到 ${input.children.length} 个 (a case needs ${ratio} distinct children)`);
    }
    const iso = new Date(input.at).toISOString();
    const freshChildren: string[] = [];
    const innerCaps: string[] = [];
    for (const code of input.children) {
      const params = { code, kind: kindToInt(childKind), parent: input.caseCode, batch: input.batchId };
      let pair = aggregateFresh.get(params) as string | null | undefined;
      const fresh = pair !== undefined;
      if (fresh) freshChildren.push(code);
      else pair = aggregateCommissioned.get(params) as string | null | undefined;
      if (pair === undefined) guardFailed(code, childKind, '码未知、不属于本批次码包、类型不符或已被使用 (unknown, outside the batch packages, wrong kind or already used)');
      // A child commissioned only now brings its inner code (盖内码) to life with it; one commissioned earlier
      // (box level, rework) already did.
      if (childKind === 'cap-outer' && pair !== null && fresh) {
        if (commissionInner.run({ code: pair, kind: kindToInt('cap-inner'), outer: code, batch: input.batchId }).changes !== 1) {
          guardFailed(code, childKind, '其盖内码不可用 (its paired cap-inner code is not usable)');
        }
        innerCaps.push(pair);
      } else if (childKind === 'cap-outer' && pair === null && facts.pairingRequired) {
        guardFailed(code, childKind, '没有同级关联的盖内码 (no paired cap-inner code)');
      }
    }
    const casePair = commissionOuter.get({ code: input.caseCode, kind: kindToInt('case-outer'), batch: input.batchId }) as string | null | undefined;
    if (casePair === undefined) guardFailed(input.caseCode, 'case-outer', '箱码未知、不属于本批次码包或已被使用 (case code unknown, outside the batch packages or already used)');
    if (casePair === null && facts.pairingRequired) guardFailed(input.caseCode, 'case-outer', '没有同级关联的箱内码 (no paired case-inner code)');
    if (casePair !== null && commissionInner.run({ code: casePair, kind: kindToInt('case-inner'), outer: input.caseCode, batch: input.batchId }).changes !== 1) {
      guardFailed(input.caseCode, 'case-outer', '其箱内码不可用 (its paired case-inner code is not usable)');
    }
    insertContainer.run(input.caseCode, input.batchId, input.children.length, iso, iso);
    appendAudit(db, {
      actor: input.actor, action: 'case.commit', subject: input.caseCode, at: iso,
      detail: { batchId: input.batchId, children: input.children.length, innerCodes: innerCaps.length + (casePair === null ? 0 : 1) },
    });
    const options = { batchId: input.batchId, at: iso };
    const ilmd = { lot: facts.lot, productionDate: facts.productionDate };
    const outboxIds: number[] = [];
    const commission = (kind: LineCodeKind, codes: readonly string[]): void => {
      if (codes.length > 0) outboxIds.push(writeFact(db, { type: 'commissioning', time: input.at, kind, codes, ...ilmd }, input.epcis, options));
    };
    commission(childKind, freshChildren);
    commission('cap-inner', innerCaps);
    commission('case-outer', [input.caseCode]);
    if (casePair !== null) commission('case-inner', [casePair]);
    outboxIds.push(writeFact(db, { type: 'packing', time: input.at, parentKind: 'case-outer', parent: input.caseCode, childKind, children: input.children }, input.epcis, options));
    return { caseCode: input.caseCode, children: input.children.length, innerCodes: innerCaps.length + (casePair === null ? 0 : 1), outboxIds };
  });
  return { aggregateFresh, aggregateCommissioned, commissionOuter, commissionInner, insertContainer, run: (input) => run.immediate(input) };
});

/**
 * Commits one accepted case in ONE transaction (DESIGN §3): children → aggregated under the case, their paired
 * inner codes → commissioned, the case code (and its case-inner pair) → commissioned, a closed `containers` row,
 * the audit row and the outbox events (commissioning of every newly commissioned code, then packing case ⊃
 * children). Every UPDATE is guarded (status, parent, kind, batch package, pair); if any guarded row does not
 * change, the whole transaction rolls back and CONFLICT is thrown — nothing of the case stays behind. Only
 * after this returns may the station tell the PLC to accept.
 */
export function commitCase(db: Db, input: CaseCommit): CaseCommitted {
  return statements(db).run(input);
}
