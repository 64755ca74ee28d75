import type { EpcisContext, LineCodeKind } from '../../sync/index.ts';
import { kindFromInt, statusFromInt, type CodeKind } from '../domain/kinds.ts';
import { displayCode } from '../domain/mask.ts';
import { appendAudit } from './audit.ts';
import { writeFact } from './case-commit.ts';
import { StoreError } from './errors.ts';
import type { Db } from './open.ts';

export interface VoidInput {
  readonly codes: readonly string[];
  readonly reason: string;
  readonly actor: string;
  /** Epoch milliseconds (UTC). */
  readonly at: number;
  readonly epcis: EpcisContext;
}

export interface VoidResult {
  /** Codes voided now, including inner codes voided with their outer pair. */
  readonly voided: number;
  /** Codes that were already voided (a repeated void is harmless). */
  readonly alreadyVoided: number;
  readonly outboxIds: readonly number[];
}

/** Statuses a code may be voided from: never used, printed, commissioned but loose, or rejected (DESIGN §4). */
const VOIDABLE = new Set([0, 1, 2, 5]);

type Row = { code: string; kind: number; status: number; parent: string | null; pair: string | null; batch_id: number | null };

/**
 * Voids codes that must never pay out (DESIGN §4): unconfirmed prints (the printer lost power mid-job), codes of
 * rejected items that are not reworked. One transaction: status → voided (their inner pairs too, so the money
 * code dies with its item), a decommissioning outbox event per kind, one audit row with the masked codes.
 * Refused whole, naming the code, if a code is unknown, destroyed, inside a parent, a container with children,
 * or on a pallet stack: those go through rework (disaggregate first).
 */
export function voidCodes(db: Db, input: VoidInput): VoidResult {
  const reason = input.reason.trim();
  if (reason.length === 0) throw new StoreError('INVALID_INPUT', 'reason: 作废需要原因 (voiding needs a reason)');
  if (input.codes.length === 0) throw new StoreError('INVALID_INPUT', 'codes: 没有要作废的码 (no codes to void)');
  const iso = new Date(input.at).toISOString();
  return db.transaction((): VoidResult => {
    const get = db.prepare('SELECT code, kind, status, parent, pair, batch_id FROM codes WHERE code = ?');
    const container = db.prepare(`SELECT 1 FROM containers WHERE code = ? AND child_count > 0 AND state <> 'broken'`);
    const stacked = db.prepare('SELECT 1 FROM pallet_stack_cases WHERE case_code = ?');
    const update = db.prepare('UPDATE codes SET status = 8 WHERE code = ? AND status = ?');
    const byKind = new Map<CodeKind, string[]>();
    const shown: string[] = [];
    let already = 0;
    let batchId: number | null = null;
    const voidOne = (row: Row, label: string): void => {
      const kind = kindFromInt(row.kind);
      const shownCode = displayCode(row.code, kind);
      if (row.status === 8) { already += 1; return; }
      if (!VOIDABLE.has(row.status)) throw new StoreError('INVALID_STATE', `${label} ${shownCode} 状态为 ${statusFromInt(row.status)}，不能作废 (cannot void a ${statusFromInt(row.status)} code)`);
      if (row.parent !== null) throw new StoreError('INVALID_STATE', `${label} ${shownCode} 仍在上级容器中，请先解除关联 (still inside a parent; disaggregate first)`);
      if (container.get(row.code) !== undefined) throw new StoreError('INVALID_STATE', `${label} ${shownCode} 是含有子码的容器，请走返工 (a container with children; use rework)`);
      if (stacked.get(row.code) !== undefined) throw new StoreError('INVALID_STATE', `${label} ${shownCode} 在未完成的垛上 (on an open pallet stack)`);
      if (update.run(row.code, row.status).changes !== 1) throw new StoreError('CONFLICT', `${label} ${shownCode} 状态已改变 (status changed meanwhile)`);
      const list = byKind.get(kind) ?? [];
      list.push(row.code);
      byKind.set(kind, list);
      shown.push(shownCode);
      batchId ??= row.batch_id;
    };
    for (const code of new Set(input.codes)) {
      const row = get.get(code) as Row | undefined;
      if (row === undefined) throw new StoreError('NOT_FOUND', `码 ${code} 不存在 (unknown code)，未作废任何码 (nothing voided)`);
      voidOne(row, '码');
      if (row.pair !== null) {
        const pair = get.get(row.pair) as Row | undefined;
        if (pair !== undefined && pair.status !== 8 && pair.parent === null && VOIDABLE.has(pair.status)) voidOne(pair, '同级码');
      }
    }
    const voided = shown.length;
    const outboxIds: number[] = [];
    if (voided > 0) {
      appendAudit(db, {
        actor: input.actor, action: 'codes.void', subject: shown.length === 1 ? (shown[0] ?? null) : `${voided} codes`, reason, at: iso,
        detail: { codes: shown.slice(0, 100), count: voided, ...(batchId === null ? {} : { batchId }) },
      });
      for (const [kind, codes] of byKind) {
        outboxIds.push(writeFact(db, { type: 'decommissioning', time: input.at, kind: kind as LineCodeKind, codes }, input.epcis, { ...(batchId === null ? {} : { batchId }), at: iso }));
      }
    }
    return { voided, alreadyVoided: already, outboxIds };
  }).immediate();
}
