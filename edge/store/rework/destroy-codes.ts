import type { Db } from '../open.ts';
import { byKind, expandItems, requireDistinctCodes } from './collect-items.ts';
import { detachAll } from './detach-all.ts';
import { requireStatus, shown } from './hierarchy.ts';
import { signedAction, type ReworkEnv, type Signature, type SignedOutcome } from './signed-action.ts';

export interface DestroyResult {
  /** Every code destroyed, secret ones masked: the named ones, their contents and their paired inner codes. */
  readonly destroyed: readonly string[];
}

export interface DestroyInput {
  readonly codes: readonly string[];
  /** Destroy a non-empty case / pallet together with everything in it; without it such a container is refused. */
  readonly withContents?: boolean;
}

/**
 * `wuma rework destroy`: the items are scrapped — status `destroyed`, permanent (the schema trigger forbids any
 * way back). Each code is first taken out of its parent (disaggregated), and its paired inner code is destroyed
 * with it so the cap or carton can never pay out. Only items that exist on the line may be destroyed (printed,
 * commissioned, aggregated, rejected, sampled); unused codes are voided at batch close instead.
 * Events: unpacking per parent, then one destroying ObjectEvent per code kind.
 */
export function reworkDestroy(db: Db, env: ReworkEnv, sig: Signature, input: DestroyInput): SignedOutcome<DestroyResult> {
  return signedAction(db, env, sig, 'rework.destroy', (tx) => {
    const roots = requireDistinctCodes(db, input.codes);
    for (const r of roots) requireStatus(r, ['printed', 'commissioned', 'aggregated', 'rejected', 'sampled'], '销毁');
    const items = expandItems(db, roots, input.withContents === true);
    detachAll(db, tx, items, 'destroyed');
    const batchId = roots[0]?.batchId ?? null;
    for (const [kind, codes] of byKind(items)) tx.emit({ type: 'destroying', time: tx.time, kind, codes }, { batchId });
    const destroyed = items.map(shown);
    return {
      subject: destroyed.length === 1 ? String(destroyed[0]) : `${destroyed.length} 个码 (codes)`,
      detail: { destroyed, withContents: input.withContents === true },
      result: { destroyed },
    };
  });
}
