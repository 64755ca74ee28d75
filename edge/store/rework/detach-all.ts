import { statusToInt, type CodeStatus } from '../../domain/kinds.ts';
import type { Db } from '../open.ts';
import { findCode, findContainer, palletOf, type CodeRow } from './hierarchy.ts';
import type { ActionTx } from './signed-action.ts';

/**
 * Ends a set of items (destroy, sample): each code leaves its parent and gets the final `status`; containers in
 * the set become `broken` and empty. One unpacking event per parent that loses children: parents outside the set
 * lose the named children, containers inside the set are unpacked whole. Counts stay exact because every child
 * that leaves a parent decrements it, whatever the parent's own fate.
 */
export function detachAll(db: Db, tx: ActionTx, items: readonly CodeRow[], status: CodeStatus): void {
  const byParent = new Map<string, CodeRow[]>();
  for (const item of items) {
    if (item.parent === null) continue;
    const list = byParent.get(item.parent) ?? [];
    list.push(item);
    byParent.set(item.parent, list);
  }
  const pallets = new Map<string, string | null>();
  for (const parent of byParent.keys()) pallets.set(parent, palletOf(db, parent));
  const update = db.prepare('UPDATE codes SET parent = NULL, status = ? WHERE code = ?');
  const count = db.prepare('UPDATE containers SET child_count = child_count - 1 WHERE code = ?');
  for (const item of items) {
    update.run(statusToInt(status), item.code);
    if (item.parent !== null) count.run(item.parent);
    if (findContainer(db, item.code) !== null) db.prepare(`UPDATE containers SET state = 'broken' WHERE code = ?`).run(item.code);
  }
  for (const [parent, kids] of byParent) {
    const parentRow = findCode(db, parent);
    const container = findContainer(db, parent);
    const first = kids[0];
    if (parentRow === null || container === null || first === undefined) continue;
    tx.emit({ type: 'unpacking', time: tx.time, parentKind: parentRow.kind, parent, childKind: first.kind, children: kids.map((k) => k.code) },
      { batchId: container.batchId, pallet: pallets.get(parent) ?? null });
  }
}
