import type { EpcisContext } from '../../sync/index.ts';
import { kindToInt, SECRET_KINDS } from '../domain/kinds.ts';
import { appendAudit } from './audit.ts';
import { StoreError } from './errors.ts';
import type { Db } from './open.ts';
import { voidCodes } from './void-codes.ts';

export interface VoidRejectsInput {
  readonly batchId: number;
  readonly actor: string;
  /** Epoch milliseconds (UTC). */
  readonly at: number;
  readonly epcis: EpcisContext;
}

export interface VoidRejectsResult {
  /** Codes voided now, inner pairs included. 0 when the batch has no rejected code left (a repeated call). */
  readonly voided: number;
  readonly outboxIds: readonly number[];
}

export const VOID_REJECTS_REASON = '剔除品未经返工，批次关闭时作废 (rejected and not reworked: voided at batch close)';

const SECRET_INTS = [...SECRET_KINDS].map(kindToInt).join(', ');

/**
 * Codes of rejected items that never came back through rework are voided (DESIGN §4, issue 4 §5), so no
 * consumer scan of such a cap can ever pay out: every code of the batch still `rejected` → `voided` with its
 * paired inner code, a decommissioning outbox event per kind and the `codes.void` audit row (voidCodes), plus one
 * `rejects.void` summary row — all in ONE transaction. Idempotent: a second call finds nothing and writes nothing.
 * Meant to run inside batch close (nested as a savepoint) or on its own.
 */
export function voidUnreworkedRejects(db: Db, input: VoidRejectsInput): VoidRejectsResult {
  return db.transaction((): VoidRejectsResult => {
    const batch = db.prepare('SELECT 1 FROM batches WHERE id = ?').get(input.batchId);
    if (batch === undefined) throw new StoreError('NOT_FOUND', `批次 ${input.batchId} 不存在 (batch not found)`);
    // Outer codes first, so each inner code dies with its pair; an inner code rejected without a rejected outer
    // pair (not produced by recordReject, but cheap to cover) is voided on its own.
    const codes = db.prepare(`SELECT code FROM codes WHERE batch_id = ? AND status = 5
      ORDER BY kind IN (${SECRET_INTS}), code`).pluck().all(input.batchId) as string[];
    if (codes.length === 0) return { voided: 0, outboxIds: [] };
    const pairs = new Set(db.prepare(`SELECT pair FROM codes WHERE batch_id = ? AND status = 5 AND pair IS NOT NULL AND kind NOT IN (${SECRET_INTS})`).pluck().all(input.batchId) as string[]);
    const targets = codes.filter((c) => !pairs.has(c));
    const result = voidCodes(db, { codes: targets, reason: VOID_REJECTS_REASON, actor: input.actor, at: input.at, epcis: input.epcis });
    appendAudit(db, {
      actor: input.actor, action: 'rejects.void', subject: `batch:${input.batchId}`, reason: VOID_REJECTS_REASON, at: new Date(input.at).toISOString(),
      detail: { batchId: input.batchId, voided: result.voided, events: result.outboxIds.length },
    });
    return { voided: result.voided, outboxIds: result.outboxIds };
  }).immediate();
}
