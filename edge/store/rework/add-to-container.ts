import { StoreError } from '../errors.ts';
import type { Db } from '../open.ts';
import { attach, capacity, describe, palletOf, requireCode, requireLiveContainer, shown } from './hierarchy.ts';
import { readmitPair, requireAddable } from './eligibility.ts';
import { signedAction, type ReworkEnv, type Signature, type SignedOutcome } from './signed-action.ts';

export interface AddResult {
  readonly code: string;
  readonly to: string;
  readonly childCount: number;
  readonly ratio: number;
  /** The item was rejected and re-entered through this rework. */
  readonly readmitted: boolean;
}

/**
 * `wuma rework add`: packs one loose item (commissioned, or rejected — re-admitted) into a case, box or pallet of
 * its batch, never beyond the pack ratio (超码). Event: packing AggregationEvent.
 */
export function reworkAdd(db: Db, env: ReworkEnv, sig: Signature, input: { readonly container: string; readonly code: string }): SignedOutcome<AddResult> {
  return signedAction(db, env, sig, 'rework.add', (tx) => {
    const parentRow = requireCode(db, input.container);
    const container = requireLiveContainer(db, parentRow, ['box', 'case', 'pallet']);
    const cap = capacity(db, container);
    const child = requireCode(db, input.code);
    requireAddable(child, container, cap);
    if (container.childCount >= cap.ratio) {
      throw new StoreError('CONFLICT', `${describe(parentRow)} 已满 (${container.childCount}/${cap.ratio})，不能再装 (container is full)`);
    }
    readmitPair(db, child);
    attach(db, child, container);
    tx.emit({ type: 'packing', time: tx.time, parentKind: parentRow.kind, parent: parentRow.code, childKind: child.kind, children: [child.code] },
      { batchId: container.batchId, pallet: palletOf(db, container.code) });
    const result = { code: shown(child), to: shown(parentRow), childCount: container.childCount + 1, ratio: cap.ratio, readmitted: child.status === 'rejected' };
    return { subject: shown(child), detail: { kind: child.kind, to: result.to, childCount: result.childCount, ratio: cap.ratio, readmitted: result.readmitted }, result };
  });
}
