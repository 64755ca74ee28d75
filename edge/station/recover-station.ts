import type { EpcisContext } from '../../sync/index.ts';
import { unconfirmedCaseCodes, unconfirmedPalletCodes } from '../store/case-allocation.ts';
import type { Db } from '../store/open.ts';
import { setRejectConfirm } from '../store/rejects.ts';
import { voidCodes } from '../store/void-codes.ts';

export interface StationRecovery {
  /** Pallet codes allocated (so maybe printed) but never committed: voided now (DESIGN §4). */
  readonly voidedPalletCodes: number;
  /** Case codes allocated in print mode (so maybe on a carton) but never committed nor rejected: voided now. */
  readonly voidedCaseCodes: number;
  /** Reject pulses whose confirm never arrived before the restart: now `not-confirmed`, each one alarmed. */
  readonly unconfirmedRejects: readonly number[];
}

/**
 * Start-up recovery of one batch (issue 4 §6): the database is the truth. Runs before any device is used.
 * - A pallet or case code handed to a printer whose pallet / case was not committed may exist on a label: void
 *   it, never reuse it. (Open and parked stacks themselves need nothing: they resume from pallet_stacks.)
 * - A reject still `pending` was pulsed (or about to be) when the process died; whether the kicker fired is
 *   unknown, so with a PLC it becomes `not-confirmed` and the caller raises the alarm for each.
 */
export function recoverStation(db: Db, batchId: number, options: { readonly epcis: EpcisContext; readonly hasPlc: boolean; readonly now: number }): StationRecovery {
  const voidAll = (codes: readonly string[], reason: string): number => (codes.length === 0 ? 0 : voidCodes(db, {
    codes, reason, actor: 'station', at: options.now, epcis: options.epcis,
  }).voided);
  const voidedPalletCodes = voidAll(unconfirmedPalletCodes(db, batchId), '重启恢复：垛标签打印结果未知 (restart recovery: pallet label fate unknown)');
  const caseCodes = unconfirmedCaseCodes(db, batchId);
  // voidCodes also voids each code's case-inner pair: count the case codes themselves.
  const voidedCaseCodes = voidAll(caseCodes, '重启恢复：箱码打印结果未知 (restart recovery: case code print fate unknown)') === 0 ? 0 : caseCodes.length;
  const pending = options.hasPlc
    ? db.prepare(`SELECT id FROM rejects WHERE batch_id = ? AND station = 'case' AND confirm = 'pending' ORDER BY id`).pluck().all(batchId) as number[]
    : [];
  const marked = pending.filter((id) => setRejectConfirm(db, id, 'not-confirmed', new Date(options.now).toISOString()));
  return { voidedPalletCodes, voidedCaseCodes, unconfirmedRejects: marked };
}
