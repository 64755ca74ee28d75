import type { BatchState } from '../aggregation/batch-machine.ts';
import { REJECT_REASONS, REJECT_REASON_NUMBER, type RejectReason } from '../aggregation/reject-reason.ts';
import { CODE_KINDS, kindFromInt, type CodeKind } from '../domain/kinds.ts';
import { StoreError } from './errors.ts';
import type { Db } from './open.ts';

/**
 * The batch reconciliation (DESIGN §6, issue 4 §5): every code of the batch's packages accounted for, per level.
 *
 * `received` = the codes of the batch's packages that are unused or used by this batch (codes of a shared
 * package used by another batch are reported as `otherBatches` and belong to that batch's report). Each received
 * code falls in exactly one term, by its current status:
 *
 *   received = printed + commissioned + aggregated + rejected + reworked + sampled + destroyed + voided + leftOver
 *
 * - printed: printed (pre-printed by a supplier or by the line) and never seen on an item; leftOver: available.
 * - commissioned / aggregated: live codes, loose or inside a parent (shipped counts by whether it has a parent).
 * - reworked: live codes that were rejected once and came back through rework (`reworked_codes`).
 *
 * `unexplained` counts received codes whose fate is not settled, so the batch cannot close without a signed
 * reason: rejected items neither reworked nor voided; pallet codes allocated (maybe printed) but neither
 * committed nor voided; outer codes commissioned but in no parent (a bottle in no case, a case on no pallet);
 * cases still on an open or parked pallet stack.
 */

export const RECONCILIATION_TERMS = ['printed', 'commissioned', 'aggregated', 'rejected', 'reworked', 'sampled', 'destroyed', 'voided', 'leftOver'] as const;
export type ReconciliationTerm = (typeof RECONCILIATION_TERMS)[number];

export const UNEXPLAINED_KINDS = ['rejectedPending', 'allocatedUnused', 'loose', 'onOpenPallet'] as const;
export type UnexplainedKind = (typeof UNEXPLAINED_KINDS)[number];

export type LevelCounts = Readonly<Record<ReconciliationTerm, number>> & {
  readonly level: CodeKind | 'total';
  readonly received: number;
  readonly unexplained: number;
  readonly unexplainedDetail: Readonly<Record<UnexplainedKind, number>>;
  /** Codes of the packages used by other batches (not part of `received`). */
  readonly otherBatches: number;
  /** Sum of the terms equals received (always true unless the store is broken). */
  readonly balanced: boolean;
};

export interface Reconciliation {
  readonly batch: {
    readonly id: number; readonly productId: string; readonly productName: string; readonly lot: string; readonly productionDate: string;
    readonly line: string; readonly plannedQty: number | null; readonly state: BatchState; readonly startedAt: string;
    readonly closedAt: string | null; readonly closeReason: string | null; readonly closedBy: string | null;
  };
  readonly ratios: { readonly unitsPerCase: number; readonly casesPerPallet: number };
  readonly levels: readonly LevelCounts[];
  readonly totals: LevelCounts;
  readonly cases: number;
  readonly pallets: number;
  readonly palletStacks: number;
  readonly rejects: { readonly total: number; readonly notConfirmed: number; readonly byReason: Readonly<Record<RejectReason, number>> };
  /**
   * Inner↔outer pairs of the batch's inner codes that arrived in a verified sealed pairing package (camera-verified
   * at the supplier, issue 15; table camera_pairs); pairs from a plain supplier file are not counted here.
   */
  readonly cameraVerifiedPairs: number;
  /** Balanced and nothing unexplained. */
  readonly ok: boolean;
  readonly generatedAt: string;
}

type Mutable = { -readonly [K in ReconciliationTerm | 'received' | 'unexplained' | 'otherBatches']: number } & { detail: Record<UnexplainedKind, number> };

function empty(): Mutable {
  return {
    printed: 0, commissioned: 0, aggregated: 0, rejected: 0, reworked: 0, sampled: 0, destroyed: 0, voided: 0, leftOver: 0,
    received: 0, unexplained: 0, otherBatches: 0, detail: { rejectedPending: 0, allocatedUnused: 0, loose: 0, onOpenPallet: 0 },
  };
}

const LOOSE_CHECKED = new Set<CodeKind>(['cap-outer', 'box', 'case-outer']);

function termOf(status: number, child: boolean, reworked: boolean): ReconciliationTerm {
  switch (status) {
    case 0: return 'leftOver';
    case 1: return 'printed';
    case 2: return reworked ? 'reworked' : 'commissioned';
    case 3: return reworked ? 'reworked' : 'aggregated';
    case 4: return reworked ? 'reworked' : child ? 'aggregated' : 'commissioned';
    case 5: return 'rejected';
    case 6: return 'sampled';
    case 7: return 'destroyed';
    case 8: return 'voided';
    default: throw new StoreError('INVALID_STATE', `未知码状态 ${status} (unknown code status)`);
  }
}

function freeze(level: CodeKind | 'total', m: Mutable): LevelCounts {
  const sum = RECONCILIATION_TERMS.reduce((s, t) => s + m[t], 0);
  const { detail, ...rest } = m;
  return { level, ...rest, unexplainedDetail: { ...detail }, balanced: sum === m.received };
}

type Row = [kind: number, status: number, child: number, other: number, reworked: number, allocated: number, stacked: number, n: number];

/**
 * Reconciles one batch. Read-only; one pass over the codes table (no index on package_id is kept, to keep
 * codes small) with primary-key probes only where they matter. Call it inside a transaction for a snapshot
 * (closeBatch does).
 */
export function reconcileBatch(db: Db, batchId: number, now = new Date().toISOString()): Reconciliation {
  const b = db.prepare(`SELECT b.*, p.name AS product_name, p.units_per_case, p.cases_per_pallet FROM batches b JOIN products p ON p.id = b.product_id WHERE b.id = ?`).get(batchId) as {
    id: number; product_id: string; product_name: string; lot: string; production_date: string; line: string; planned_qty: number | null; state: BatchState;
    started_at: string; closed_at: string | null; close_reason: string | null; closed_by: string | null; units_per_case: number; cases_per_pallet: number;
  } | undefined;
  if (b === undefined) throw new StoreError('NOT_FOUND', `批次 ${batchId} 不存在 (batch not found)`);
  const rows = db.prepare(`SELECT c.kind, c.status, c.parent IS NOT NULL,
      coalesce(c.batch_id <> @b, 0),
      CASE WHEN c.status IN (2, 3, 4) THEN EXISTS (SELECT 1 FROM reworked_codes r WHERE r.code = c.code) ELSE 0 END,
      CASE WHEN c.kind = 5 THEN EXISTS (SELECT 1 FROM pallet_allocations a WHERE a.code = c.code)
           WHEN c.kind = 4 THEN EXISTS (SELECT 1 FROM case_allocations a WHERE a.code = c.code) ELSE 0 END,
      CASE WHEN c.kind = 4 AND c.status = 2 THEN EXISTS (SELECT 1 FROM pallet_stack_cases s WHERE s.case_code = c.code) ELSE 0 END,
      count(*)
    FROM codes c WHERE c.package_id IN (SELECT package_id FROM batch_packages WHERE batch_id = @b)
    GROUP BY 1, 2, 3, 4, 5, 6, 7`).raw().all({ b: batchId }) as Row[];
  const levels = new Map<CodeKind, Mutable>();
  for (const kind of db.prepare('SELECT DISTINCT p.kind FROM batch_packages bp JOIN code_packages p ON p.id = bp.package_id WHERE bp.batch_id = ?').pluck().all(batchId) as number[]) {
    levels.set(kindFromInt(kind), empty());
  }
  for (const [kindN, status, child, other, reworked, allocated, stacked, n] of rows) {
    const kind = kindFromInt(kindN);
    const m = levels.get(kind) ?? empty();
    levels.set(kind, m);
    if (other === 1) { m.otherBatches += n; continue; }
    m.received += n;
    m[termOf(status, child === 1, reworked === 1)] += n;
    let why: UnexplainedKind | null = null;
    if (status === 5) why = 'rejectedPending';
    else if (allocated === 1 && (status === 0 || status === 1)) why = 'allocatedUnused';
    else if (stacked === 1) why = 'onOpenPallet';
    else if (status === 2 && child === 0 && LOOSE_CHECKED.has(kind)) why = 'loose';
    if (why !== null) { m.detail[why] += n; m.unexplained += n; }
  }
  const total = empty();
  const ordered = CODE_KINDS.filter((k) => levels.has(k)).map((k) => {
    const m = levels.get(k) ?? empty();
    for (const key of [...RECONCILIATION_TERMS, 'received', 'unexplained', 'otherBatches'] as const) total[key] += m[key];
    for (const key of UNEXPLAINED_KINDS) total.detail[key] += m.detail[key];
    return freeze(k, m);
  });
  const totals = freeze('total', total);
  const count = (sql: string): number => db.prepare(sql).pluck().get(batchId) as number;
  const byReason = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>;
  const numberToReason = new Map(REJECT_REASONS.map((r) => [REJECT_REASON_NUMBER[r], r]));
  for (const [reason, n] of db.prepare('SELECT reason, count(*) FROM rejects WHERE batch_id = ? GROUP BY reason').raw().all(batchId) as [number, number][]) {
    const name = numberToReason.get(reason);
    if (name !== undefined) byReason[name] += n;
  }
  return {
    batch: {
      id: b.id, productId: b.product_id, productName: b.product_name, lot: b.lot, productionDate: b.production_date, line: b.line,
      plannedQty: b.planned_qty, state: b.state, startedAt: b.started_at, closedAt: b.closed_at, closeReason: b.close_reason, closedBy: b.closed_by,
    },
    ratios: { unitsPerCase: b.units_per_case, casesPerPallet: b.cases_per_pallet },
    levels: ordered,
    totals,
    cases: count(`SELECT count(*) FROM containers WHERE batch_id = ? AND level = 'case'`),
    pallets: count(`SELECT count(*) FROM containers WHERE batch_id = ? AND level = 'pallet'`),
    palletStacks: count('SELECT count(*) FROM pallet_stacks WHERE batch_id = ?'),
    rejects: {
      total: count('SELECT count(*) FROM rejects WHERE batch_id = ?'),
      notConfirmed: count(`SELECT count(*) FROM rejects WHERE batch_id = ? AND confirm = 'not-confirmed'`),
      byReason,
    },
    cameraVerifiedPairs: count('SELECT count(*) FROM camera_pairs cp JOIN codes c ON c.code = cp.inner WHERE c.package_id IN (SELECT package_id FROM batch_packages WHERE batch_id = ?)'),
    ok: ordered.every((l) => l.balanced) && totals.unexplained === 0,
    generatedAt: now,
  };
}
