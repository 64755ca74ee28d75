import type { Db } from '../open.ts';
import { byKind, expandItems, requireDistinctCodes } from './collect-items.ts';
import { detachAll } from './detach-all.ts';
import { requireKind, requireStatus, shown } from './hierarchy.ts';
import { signedAction, type ReworkEnv, type Signature, type SignedOutcome } from './signed-action.ts';

export interface SampleResult {
  /** The sampled codes with their paired inner codes, secret ones masked. */
  readonly sampled: readonly string[];
}

/**
 * `wuma rework sample`: QA pulls bottles for the lab. Each is taken out of its case automatically (unpacking),
 * then it and its cap-inner code get status `sampled`. Events: sampling per kind, then destroying per kind —
 * CBV 2.0 requires a sampled object to get an end-of-life event, and a lab sample never returns to the line.
 * `sampled` is a dead end for the station too: nothing accepts a sampled code except `destroy`.
 */
export function reworkSample(db: Db, env: ReworkEnv, sig: Signature, input: { readonly codes: readonly string[] }): SignedOutcome<SampleResult> {
  return signedAction(db, env, sig, 'rework.sample', (tx) => {
    const roots = requireDistinctCodes(db, input.codes);
    for (const r of roots) {
      requireKind(r, ['cap-outer'], '抽样');
      requireStatus(r, ['commissioned', 'aggregated', 'rejected'], '抽样');
    }
    const items = expandItems(db, roots, false);
    detachAll(db, tx, items, 'sampled');
    const batchId = roots[0]?.batchId ?? null;
    const groups = byKind(items);
    for (const [kind, codes] of groups) tx.emit({ type: 'sampling', time: tx.time, kind, codes }, { batchId });
    for (const [kind, codes] of groups) tx.emit({ type: 'destroying', time: tx.time, kind, codes }, { batchId });
    const sampled = items.map(shown);
    return { subject: sampled.length === 1 ? String(sampled[0]) : `${sampled.length} 个码 (codes)`, detail: { sampled }, result: { sampled } };
  });
}
