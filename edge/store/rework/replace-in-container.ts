import { StoreError } from '../errors.ts';
import type { Db } from '../open.ts';
import { attach, describe, detach, capacity, palletOf, requireCode, requireLiveContainer, requireStatus, shown } from './hierarchy.ts';
import { readmitPair, requireAddable } from './eligibility.ts';
import { signedAction, type ReworkEnv, type Signature, type SignedOutcome } from './signed-action.ts';

export interface ReplaceResult {
  readonly removed: string;
  readonly added: string;
  readonly container: string;
}

/**
 * `wuma rework replace`: swaps one item of a container for a loose one in a single signed step. The removed item
 * goes back to `commissioned` as with `remove` (destroy it separately if it is damaged). Events: unpacking of the
 * old, packing of the new.
 */
export function reworkReplace(db: Db, env: ReworkEnv, sig: Signature, input: { readonly oldCode: string; readonly newCode: string }): SignedOutcome<ReplaceResult> {
  return signedAction(db, env, sig, 'rework.replace', (tx) => {
    const old = requireCode(db, input.oldCode);
    if (old.parent === null) throw new StoreError('CONFLICT', `${describe(old)} 不在任何容器中 (not in a container)`);
    requireStatus(old, ['aggregated'], '替换');
    const parentRow = requireCode(db, old.parent);
    const container = requireLiveContainer(db, parentRow, ['box', 'case', 'pallet']);
    const cap = capacity(db, container);
    const fresh = requireCode(db, input.newCode);
    requireAddable(fresh, container, cap);
    detach(db, old, 'commissioned');
    readmitPair(db, fresh);
    attach(db, fresh, container);
    const where = { batchId: container.batchId, pallet: palletOf(db, container.code) };
    tx.emit({ type: 'unpacking', time: tx.time, parentKind: parentRow.kind, parent: parentRow.code, childKind: old.kind, children: [old.code] }, where);
    tx.emit({ type: 'packing', time: tx.time, parentKind: parentRow.kind, parent: parentRow.code, childKind: fresh.kind, children: [fresh.code] }, where);
    const result = { removed: shown(old), added: shown(fresh), container: shown(parentRow) };
    return { subject: shown(parentRow), detail: { ...result, kind: old.kind }, result };
  });
}
