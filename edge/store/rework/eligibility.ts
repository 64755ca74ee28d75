import { StoreError } from '../errors.ts';
import type { Db } from '../open.ts';
import { describe, findCode, requireKind, requireStatus, setStatus, type Capacity, type CodeRow, type ContainerRow } from './hierarchy.ts';

/**
 * May this code go into this container through rework? It must be of the kind the container holds, live and
 * loose (commissioned, or rejected: rejected items re-enter only through rework, issue 4 §4), of the container's
 * batch, and paired with its cap-inner code when the product requires pairing. Throws naming what is wrong.
 */
export function requireAddable(row: CodeRow, container: ContainerRow, cap: Capacity): void {
  requireKind(row, [cap.childKind], '装入');
  if (row.parent !== null) throw new StoreError('CONFLICT', `${describe(row)} 已在容器 ${row.parent} 中，请先取出 (already in a container; remove it first)`);
  requireStatus(row, ['commissioned', 'rejected'], '装入');
  if (row.batchId !== container.batchId) {
    throw new StoreError('CONFLICT', `${describe(row)} 属于批次 ${String(row.batchId)}，不是容器所在批次 ${container.batchId} (code belongs to another batch)`);
  }
  if (cap.pairingRequired && row.kind === 'cap-outer' && row.pair === null) {
    throw new StoreError('CONFLICT', `${describe(row)} 未关联盖内码，本产品要求同级关联 (not paired with a cap-inner code; the product requires pairing)`);
  }
}

/** A rejected item coming back: its paired inner code, rejected with it, becomes live again too. */
export function readmitPair(db: Db, row: CodeRow): void {
  if (row.status !== 'rejected' || row.pair === null) return;
  const pair = findCode(db, row.pair);
  if (pair?.status === 'rejected') setStatus(db, pair.code, 'commissioned');
}
