import { StoreError } from '../errors.ts';
import type { Db } from '../open.ts';
import { capacity, describe, detach, palletOf, requireCode, requireKind, requireLiveContainer, requireStatus, shown } from './hierarchy.ts';
import { signedAction, type ReworkEnv, type Signature, type SignedOutcome } from './signed-action.ts';

export interface RemoveResult {
  readonly code: string;
  readonly from: string;
  readonly childCount: number;
  readonly ratio: number;
}

/**
 * `wuma rework remove`: takes a bottle (or a box from its case, or a case from its pallet) out of its container.
 * A removed item is a good item: it goes back to `commissioned` with no parent (DESIGN §4 — a code never goes
 * back to available) and may be packed again with `add` or `repack`; a bad one is then `destroy`ed. The
 * container keeps its state and is short by one until something is added. Event: unpacking AggregationEvent.
 */
export function reworkRemove(db: Db, env: ReworkEnv, sig: Signature, input: { readonly code: string }): SignedOutcome<RemoveResult> {
  return signedAction(db, env, sig, 'rework.remove', (tx) => {
    const child = requireCode(db, input.code);
    requireKind(child, ['cap-outer', 'box', 'case-outer'], '取出');
    if (child.parent === null) throw new StoreError('CONFLICT', `${describe(child)} 不在任何容器中 (not in a container)`);
    requireStatus(child, ['aggregated'], '取出');
    const parentRow = requireCode(db, child.parent);
    const container = requireLiveContainer(db, parentRow, ['box', 'case', 'pallet']);
    const cap = capacity(db, container);
    detach(db, child, 'commissioned');
    tx.emit({ type: 'unpacking', time: tx.time, parentKind: parentRow.kind, parent: parentRow.code, childKind: child.kind, children: [child.code] },
      { batchId: container.batchId, pallet: palletOf(db, container.code) });
    const result = { code: shown(child), from: shown(parentRow), childCount: container.childCount - 1, ratio: cap.ratio };
    return { subject: shown(child), detail: { kind: child.kind, from: result.from, childCount: result.childCount, ratio: cap.ratio }, result };
  });
}
