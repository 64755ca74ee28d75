import { StoreError } from '../errors.ts';
import type { Db } from '../open.ts';
import { capacity, describe, findCode, requireCode, requireFreshCode, requireKind, requireLiveContainer, requireStatus, shown } from './hierarchy.ts';
import { signedAction, type ReworkEnv, type Signature, type SignedOutcome } from './signed-action.ts';
import { transferContainer } from './transfer-container.ts';

export interface RelabelResult {
  readonly oldCode: string;
  readonly newCode: string;
  readonly children: number;
}

/**
 * `wuma rework relabel`: a damaged case, box or pallet label is replaced by an unused code of the same kind from
 * the batch's packages; the carton itself stays, so its hierarchy stays (transferContainer) and its inner code
 * (箱内码, inside the flap) stays paired — now with the new outer code. A replacement label that is itself paired
 * is refused for a paired container: its inner code sits on some other carton.
 */
export function reworkRelabel(db: Db, env: ReworkEnv, sig: Signature, input: { readonly oldCode: string; readonly newCode: string }): SignedOutcome<RelabelResult> {
  return signedAction(db, env, sig, 'rework.relabel', (tx) => {
    const old = requireCode(db, input.oldCode);
    requireKind(old, ['case-outer', 'box', 'pallet'], '换标');
    requireStatus(old, ['commissioned', 'aggregated'], '换标');
    const container = requireLiveContainer(db, old, ['case', 'box', 'pallet']);
    const fresh = requireCode(db, input.newCode);
    requireFreshCode(db, fresh, old.kind, container.batchId);
    if (old.pair !== null) {
      if (fresh.pair !== null) throw new StoreError('CONFLICT', `${describe(fresh)} 已有同级关联，不能用于换标 (replacement label is already paired)`);
      const inner = findCode(db, old.pair);
      db.prepare('UPDATE codes SET pair = NULL WHERE code = ?').run(old.code);
      db.prepare('UPDATE codes SET pair = ? WHERE code = ?').run(old.pair, fresh.code);
      if (inner !== null) db.prepare('UPDATE codes SET pair = ? WHERE code = ?').run(fresh.code, inner.code);
    }
    const { children } = transferContainer(db, tx, old, container, fresh, capacity(db, container).lot);
    const result = { oldCode: shown(old), newCode: shown(fresh), children };
    return { subject: shown(old), detail: { kind: old.kind, level: container.level, ...result, pairMoved: old.pair !== null }, result };
  });
}
