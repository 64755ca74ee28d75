import { statusToInt } from '../../domain/kinds.ts';
import { StoreError } from '../errors.ts';
import type { Db } from '../open.ts';
import { capacity, findCode, requireCode, requireFreshCode, requireKind, requireLiveContainer, requireStatus, setStatus, shown } from './hierarchy.ts';
import { signedAction, type ReworkEnv, type Signature, type SignedOutcome } from './signed-action.ts';
import { transferContainer } from './transfer-container.ts';

export interface MoveResult {
  readonly fromCase: string;
  readonly toCase: string;
  readonly children: number;
}

/**
 * `wuma rework move`: a damaged carton's contents go into a new carton with a new, unused case code of the
 * batch. Unlike relabel the old carton is discarded, so its inner code (箱内码) is voided with it and the new
 * carton's own inner code, if paired, is commissioned. The new case takes the old one's place on its pallet.
 */
export function reworkMove(db: Db, env: ReworkEnv, sig: Signature, input: { readonly fromCase: string; readonly toCase: string }): SignedOutcome<MoveResult> {
  return signedAction(db, env, sig, 'rework.move', (tx) => {
    const old = requireCode(db, input.fromCase);
    requireKind(old, ['case-outer'], '转箱');
    requireStatus(old, ['commissioned', 'aggregated'], '转箱');
    const container = requireLiveContainer(db, old, ['case']);
    const fresh = requireCode(db, input.toCase);
    requireFreshCode(db, fresh, 'case-outer', container.batchId);
    const cap = capacity(db, container);
    const lot = cap.lot;
    if (cap.pairingRequired && fresh.pair === null) {
      throw new StoreError('CONFLICT', `${shown(fresh)} 未关联箱内码，本产品要求同级关联 (new case code is not paired with a case-inner code)`);
    }
    const where = { batchId: container.batchId, pallet: old.parent };
    const oldInner = old.pair === null ? null : findCode(db, old.pair);
    if (oldInner !== null && !isFinal(oldInner.status)) {
      setStatus(db, oldInner.code, 'voided');
      tx.emit({ type: 'decommissioning', time: tx.time, kind: oldInner.kind, codes: [oldInner.code] }, where);
    }
    const newInner = fresh.pair === null ? null : findCode(db, fresh.pair);
    if (newInner !== null && (newInner.status === 'available' || newInner.status === 'printed')) {
      db.prepare('UPDATE codes SET status = ?, batch_id = ? WHERE code = ?').run(statusToInt('commissioned'), container.batchId, newInner.code);
      tx.emit({ type: 'commissioning', time: tx.time, kind: newInner.kind, codes: [newInner.code], lot }, where);
    }
    const { children } = transferContainer(db, tx, old, container, fresh, lot);
    const result = { fromCase: shown(old), toCase: shown(fresh), children };
    return {
      subject: shown(old),
      detail: { ...result, oldInnerVoided: oldInner === null ? null : shown(oldInner), newInnerCommissioned: newInner === null ? null : shown(newInner) },
      result,
    };
  });
}

function isFinal(status: string): boolean {
  return status === 'destroyed' || status === 'voided';
}
