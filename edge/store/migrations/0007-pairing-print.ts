import type { Migration } from './migration.ts';

/**
 * The pairing station's printer of the outer code (issue 15 §1, "optional printer of the outer code"):
 *
 * - `pairing_allocations`: an outer code handed to the printer for one item, committed BEFORE it is sent (the
 *   code may then exist on a cap). After that it is paired with the item's inner code, or voided with the item's
 *   waste row (print not confirmed, inner side unread …) in the item's transaction; one left over after a crash
 *   (allocated, neither paired nor voided) is voided when the station resumes the run (DESIGN §4). A code is
 *   allocated once, ever (primary key).
 * - `codes_pairing_free`: the free outer codes of a package (available or printed, unpaired), so allocation is a
 *   point read however many codes the package has; a paired or voided code leaves the index.
 * - `pairing_items.reason` gains `print-failed` (打印失败: the printer refused the outer code or its fate is
 *   unknown). SQLite cannot change a CHECK in place, so the append-only table is rebuilt with its rows, indexes
 *   and trigger as they were.
 */
export const pairingPrint: Migration = {
  version: 7,
  name: 'pairing mode: outer codes printed by the station (allocations, print-failed reason)',
  sql: `
CREATE TABLE pairing_allocations (
  code          TEXT PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES pairing_runs(id),
  allocated_at  TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX pairing_allocations_run ON pairing_allocations(run_id);
CREATE INDEX codes_pairing_free ON codes(package_id) WHERE kind IN (2, 4) AND status IN (0, 1) AND pair IS NULL;

CREATE TABLE pairing_items_v7 (
  id             INTEGER PRIMARY KEY,
  run_id         INTEGER NOT NULL REFERENCES pairing_runs(id),
  seq            INTEGER NOT NULL CHECK (seq > 0),
  at             TEXT NOT NULL,
  outcome        TEXT NOT NULL CHECK (outcome IN ('paired', 'waste')),
  reason         TEXT CHECK (reason IS NULL OR reason IN ('one-side', 'duplicate', 'foreign', 'already-paired', 'slipped', 'print-failed')),
  inner          TEXT,
  outer          TEXT,
  inner_counter  INTEGER,
  outer_counter  INTEGER,
  UNIQUE (run_id, seq),
  CHECK ((outcome = 'paired') = (reason IS NULL)),
  CHECK (outcome = 'waste' OR (inner IS NOT NULL AND outer IS NOT NULL))
);
INSERT INTO pairing_items_v7 (id, run_id, seq, at, outcome, reason, inner, outer, inner_counter, outer_counter)
  SELECT id, run_id, seq, at, outcome, reason, inner, outer, inner_counter, outer_counter FROM pairing_items;
DROP TABLE pairing_items;
ALTER TABLE pairing_items_v7 RENAME TO pairing_items;
CREATE INDEX pairing_items_inner ON pairing_items(inner) WHERE inner IS NOT NULL;
CREATE INDEX pairing_items_outer ON pairing_items(outer) WHERE outer IS NOT NULL;
CREATE TRIGGER pairing_items_no_update BEFORE UPDATE ON pairing_items
BEGIN
  SELECT RAISE(ABORT, 'pairing_items is append-only');
END;
`,
};
