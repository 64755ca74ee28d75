import { statusToInt } from '../../domain/kinds.ts';
import type { Db } from '../open.ts';
import { children, palletOf, setStatus, type CodeRow, type ContainerRow } from './hierarchy.ts';
import type { ActionTx } from './signed-action.ts';

/**
 * Hands a container over to a fresh code of the same kind, keeping the hierarchy (relabel, move): the new code
 * takes the old one's status, parent, container row and children; the old container row becomes `broken` with no
 * children and the old code is voided (never to pay out or be scanned into anything again). The parent's
 * child count is unchanged: one code leaves it as another enters. Pair handling is the caller's.
 *
 * Events, all in the same transaction: commissioning of the new code; unpacking of the old container and
 * packing of the new one with the same children; the same swap in the parent; decommissioning of the old code.
 */
export function transferContainer(db: Db, tx: ActionTx, old: CodeRow, container: ContainerRow, fresh: CodeRow, lot: string): { readonly children: number } {
  const kids = children(db, old.code);
  const where = { batchId: container.batchId, pallet: null as string | null };
  db.prepare('UPDATE codes SET status = ?, parent = ?, batch_id = ? WHERE code = ?').run(statusToInt(old.status), old.parent, container.batchId, fresh.code);
  db.prepare(`INSERT INTO containers (code, level, batch_id, state, child_count, created_at, closed_at)
      SELECT ?, level, batch_id, state, child_count, ?, closed_at FROM containers WHERE code = ?`).run(fresh.code, tx.at.toISOString(), old.code);
  db.prepare('UPDATE codes SET parent = ? WHERE parent = ?').run(fresh.code, old.code);
  db.prepare(`UPDATE containers SET state = 'broken', child_count = 0 WHERE code = ?`).run(old.code);
  db.prepare('UPDATE codes SET parent = NULL WHERE code = ?').run(old.code);
  setStatus(db, old.code, 'voided');
  moveStackEntry(db, old.code, fresh.code);

  where.pallet = palletOf(db, fresh.code);
  tx.emit({ type: 'commissioning', time: tx.time, kind: fresh.kind, codes: [fresh.code], lot }, where);
  const first = kids[0];
  if (first !== undefined) {
    const codes = kids.map((k) => k.code);
    tx.emit({ type: 'unpacking', time: tx.time, parentKind: old.kind, parent: old.code, childKind: first.kind, children: codes }, where);
    tx.emit({ type: 'packing', time: tx.time, parentKind: fresh.kind, parent: fresh.code, childKind: first.kind, children: codes }, where);
  }
  if (old.parent !== null) {
    const parentKind = container.level === 'box' ? 'case-outer' : 'pallet';
    tx.emit({ type: 'unpacking', time: tx.time, parentKind, parent: old.parent, childKind: old.kind, children: [old.code] }, where);
    tx.emit({ type: 'packing', time: tx.time, parentKind, parent: old.parent, childKind: fresh.kind, children: [fresh.code] }, where);
  }
  tx.emit({ type: 'decommissioning', time: tx.time, kind: old.kind, codes: [old.code] }, where);
  return { children: kids.length };
}

/**
 * A case waiting on a pallet stack (migrations/0002-station.ts, no pallet code yet) keeps its place under its
 * new code. Databases without the station tables have no stacks.
 */
function moveStackEntry(db: Db, oldCode: string, newCode: string): void {
  const hasStacks = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pallet_stack_cases'").get() !== undefined;
  if (hasStacks) db.prepare('UPDATE pallet_stack_cases SET case_code = ? WHERE case_code = ?').run(newCode, oldCode);
}
