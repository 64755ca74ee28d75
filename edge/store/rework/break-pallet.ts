import type { Db } from '../open.ts';
import { children, detach, requireCode, requireKind, requireLiveContainer, setStatus, shown } from './hierarchy.ts';
import { signedAction, type ReworkEnv, type Signature, type SignedOutcome } from './signed-action.ts';

export interface BreakPalletResult {
  readonly pallet: string;
  readonly cases: readonly string[];
}

/**
 * `wuma rework break-pallet`: every case comes off the pallet (back to `commissioned`, loose, ready for another
 * pallet); the pallet container becomes `broken` and its code is voided — the label is torn off with the wrap,
 * so the code must never identify a pallet again. Events: unpacking with every case, then decommissioning.
 */
export function reworkBreakPallet(db: Db, env: ReworkEnv, sig: Signature, input: { readonly pallet: string }): SignedOutcome<BreakPalletResult> {
  return signedAction(db, env, sig, 'rework.break-pallet', (tx) => {
    const pallet = requireCode(db, input.pallet);
    requireKind(pallet, ['pallet'], '拆垛');
    const container = requireLiveContainer(db, pallet, ['pallet']);
    const cases = children(db, pallet.code);
    for (const c of cases) detach(db, c, 'commissioned');
    db.prepare(`UPDATE containers SET state = 'broken', closed_at = coalesce(closed_at, ?) WHERE code = ?`).run(tx.at.toISOString(), pallet.code);
    setStatus(db, pallet.code, 'voided');
    const where = { batchId: container.batchId, pallet: pallet.code };
    const first = cases[0];
    if (first !== undefined) {
      tx.emit({ type: 'unpacking', time: tx.time, parentKind: 'pallet', parent: pallet.code, childKind: first.kind, children: cases.map((c) => c.code) }, where);
    }
    tx.emit({ type: 'decommissioning', time: tx.time, kind: 'pallet', codes: [pallet.code] }, where);
    const result = { pallet: shown(pallet), cases: cases.map(shown) };
    return { subject: shown(pallet), detail: { cases: result.cases.length, caseCodes: result.cases }, result };
  });
}
