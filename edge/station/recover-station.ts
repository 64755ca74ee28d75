import type { EpcisContext } from '../../sync/index.ts';
import type { Db } from '../store/open.ts';
import { setRejectConfirm } from '../store/rejects.ts';
import { voidCodes } from '../store/void-codes.ts';

export interface StationRecovery {
  /** Pallet codes allocated (so maybe printed) but never committed: voided now (DESIGN §4). */
  readonly voidedPalletCodes: number;
  /** Reject pulses whose confirm never arrived before the restart: now `not-confirmed`, each one alarmed. */
  readonly unconfirmedRejects: readonly number[];
}

/**
 * Start-up recovery of one batch (issue 4 §6): the database is the truth. Runs before any device is used.
 * - A pallet code handed to the printer whose pallet was not committed may exist on a label: void it, never
 *   reuse it. (Open and parked stacks themselves need nothing: they resume from pallet_stacks.)
 * - A reject still `pending` was pulsed (or about to be) when the process died; whether the kicker fired is
 *   unknown, so with a PLC it becomes `not-confirmed` and the caller raises the alarm for each.
 */
export function recoverStation(db: Db, batchId: number, options: { readonly epcis: EpcisContext; readonly hasPlc: boolean; readonly now: number }): StationRecovery {
  const unconfirmedCodes = db.prepare(`SELECT a.code FROM pallet_allocations a JOIN codes c ON c.code = a.code
    WHERE a.batch_id = ? AND c.status IN (0, 1) AND NOT EXISTS (SELECT 1 FROM containers k WHERE k.code = a.code)`).pluck().all(batchId) as string[];
  let voided = 0;
  if (unconfirmedCodes.length > 0) {
    voided = voidCodes(db, {
      codes: unconfirmedCodes, reason: '重启恢复：垛标签打印结果未知 (restart recovery: pallet label fate unknown)', actor: 'station',
      at: options.now, epcis: options.epcis,
    }).voided;
  }
  const pending = options.hasPlc
    ? db.prepare(`SELECT id FROM rejects WHERE batch_id = ? AND station = 'case' AND confirm = 'pending' ORDER BY id`).pluck().all(batchId) as number[]
    : [];
  const marked = pending.filter((id) => setRejectConfirm(db, id, 'not-confirmed', new Date(options.now).toISOString()));
  return { voidedPalletCodes: voided, unconfirmedRejects: marked };
}
