import { statusToInt } from '../../domain/kinds.ts';
import { StoreError } from '../errors.ts';
import type { Db } from '../open.ts';
import { requireDistinctCodes } from './collect-items.ts';
import { readmitPair, requireAddable } from './eligibility.ts';
import { attach, capacity, describe, findCode, findContainer, requireCode, requireFreshCode, requireKind, requireStatus, setStatus, shown, type ContainerRow } from './hierarchy.ts';
import { signedAction, type ReworkEnv, type Signature, type SignedOutcome } from './signed-action.ts';

export interface RepackResult {
  readonly caseCode: string;
  readonly children: number;
  /** How many of the items were rejected before and re-entered through this rework. */
  readonly readmitted: number;
}

/**
 * `wuma rework repack`: builds a full case at the rework table — the way rejected items re-enter (issue 4 §4).
 * The case code is either the rejected case's own code (rejected → commissioned) or an unused case code of the
 * batch's packages (commissioned now); the items are loose commissioned or rejected items of one batch, exactly
 * the pack ratio of them (缺码 / 超码 refused), paired where the product requires it. A rejected item's inner code
 * comes back with it. Events: commissioning of a case code that was unused, then packing with all items.
 * Rejected codes get no new commissioning event: whether headquarters saw them is the reject path's business.
 */
export function reworkRepack(db: Db, env: ReworkEnv, sig: Signature, input: { readonly caseCode: string; readonly codes: readonly string[] }): SignedOutcome<RepackResult> {
  return signedAction(db, env, sig, 'rework.repack', (tx) => {
    const caseRow = requireCode(db, input.caseCode);
    requireKind(caseRow, ['case-outer'], '重新装箱');
    requireStatus(caseRow, ['available', 'printed', 'rejected'], '重新装箱的箱码');
    if (findContainer(db, caseRow.code) !== null) throw new StoreError('CONFLICT', `${describe(caseRow)} 已是一个箱，请用 add (already a case; use add)`);
    const items = requireDistinctCodes(db, input.codes);
    const batchId = items[0]?.batchId ?? null;
    if (batchId === null) throw new StoreError('CONFLICT', `${describe(items[0] ?? caseRow)} 未在任何批次赋码 (not commissioned in a batch)`);
    if (caseRow.status === 'rejected') {
      if (caseRow.batchId !== batchId) throw new StoreError('CONFLICT', `${describe(caseRow)} 属于批次 ${String(caseRow.batchId)}，瓶码属于批次 ${batchId} (case and items are of different batches)`);
    } else {
      requireFreshCode(db, caseRow, 'case-outer', batchId);
    }
    const container: ContainerRow = { code: caseRow.code, level: 'case', batchId, state: 'closed', childCount: 0 };
    const cap = capacity(db, container);
    if (items.length !== cap.ratio) {
      throw new StoreError('INVALID_INPUT', `${items.length < cap.ratio ? '缺码' : '超码'}：给出 ${items.length} 个，每箱应为 ${cap.ratio} 个 (${items.length} items given, the case holds ${cap.ratio})`);
    }
    if (cap.pairingRequired && caseRow.pair === null) {
      throw new StoreError('CONFLICT', `${describe(caseRow)} 未关联箱内码，本产品要求同级关联 (not paired with a case-inner code; the product requires pairing)`);
    }
    for (const item of items) requireAddable(item, container, cap);
    const at = tx.at.toISOString();
    db.prepare('UPDATE codes SET status = ?, batch_id = ? WHERE code = ?').run(statusToInt('commissioned'), batchId, caseRow.code);
    readmitPair(db, caseRow);
    db.prepare(`INSERT INTO containers (code, level, batch_id, state, child_count, created_at, closed_at) VALUES (?, 'case', ?, 'closed', 0, ?, ?)`).run(caseRow.code, batchId, at, at);
    for (const item of items) {
      readmitPair(db, item);
      attach(db, item, container);
    }
    const newCaseInner = caseRow.status !== 'rejected' && caseRow.pair !== null ? findCode(db, caseRow.pair) : null;
    if (newCaseInner !== null && (newCaseInner.status === 'available' || newCaseInner.status === 'printed')) setStatus(db, newCaseInner.code, 'commissioned');
    const where = { batchId, pallet: null };
    if (caseRow.status !== 'rejected') tx.emit({ type: 'commissioning', time: tx.time, kind: 'case-outer', codes: [caseRow.code], lot: cap.lot }, where);
    tx.emit({ type: 'packing', time: tx.time, parentKind: 'case-outer', parent: caseRow.code, childKind: cap.childKind, children: items.map((i) => i.code) }, where);
    const readmitted = items.filter((i) => i.status === 'rejected').length;
    const result = { caseCode: shown(caseRow), children: items.length, readmitted };
    return { subject: shown(caseRow), detail: { ...result, caseWas: caseRow.status, items: items.map(shown) }, result };
  });
}
