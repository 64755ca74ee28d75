import type { Migration } from './migration.ts';

/**
 * The line station's tables (issue 4): the reject log, pallet stacks that survive restarts (park / resume /
 * merge), pallet-code allocations and the rework marker. The codes table gets no new column and only one
 * partial index over pallet codes (a few per thousand codes), so a 10M-code database stays ≤ 40 bytes/code.
 *
 * - `rejects`: one row per rejected trigger. `findings` and `read_data` are JSON with secret codes masked
 *   (edge/domain/mask.ts): nothing a person reads ever holds a full cap-inner or case-inner code. `reason` is the
 *   PLC reason number (edge/aggregation/reject-reason.ts) of the first finding. `confirm` is the PLC's reject
 *   confirm input: pending until the kicker's sensor answers, then confirmed or not-confirmed (alarm).
 * - `pallet_stacks` / `pallet_stack_cases`: cases stacked on a pallet that has no pallet code yet (the code is
 *   allocated and printed at the end). Cases in a stack stay commissioned with no parent until commitPallet;
 *   the case_code primary key keeps a case on at most one stack. `parked` = set aside for the next shift.
 * - `pallet_allocations`: every pallet code handed to the printer. A code allocated but never committed may
 *   have been printed: reconciliation counts it unexplained until it is committed or voided (DESIGN §4).
 * - `batches.pallet_package_id`: the per-batch package that holds pallet codes generated on demand from the
 *   product's pallet profile when the batch has no pallet package of its own (pallet-commit.ts).
 * - `reworked_codes`: filled by trigger when a code leaves `rejected` for a live status (commissioned,
 *   aggregated, shipped): the rework brought its item back. Reconciliation reports these as `reworked`.
 */
export const station: Migration = {
  version: 2,
  name: 'station: rejects, pallet stacks, pallet allocations, rework marker',
  sql: `
CREATE TABLE rejects (
  id         INTEGER PRIMARY KEY,
  batch_id   INTEGER NOT NULL REFERENCES batches(id),
  station    TEXT NOT NULL CHECK (station IN ('case', 'pallet')),
  at         TEXT NOT NULL,
  reason     INTEGER NOT NULL CHECK (reason > 0),
  findings   TEXT NOT NULL CHECK (json_valid(findings)),
  read_data  TEXT NOT NULL CHECK (json_valid(read_data)),
  confirm    TEXT NOT NULL DEFAULT 'pending' CHECK (confirm IN ('pending', 'confirmed', 'not-confirmed')),
  reworked   INTEGER NOT NULL DEFAULT 0 CHECK (reworked IN (0, 1))
);
CREATE INDEX rejects_batch ON rejects(batch_id, id);

CREATE TABLE pallet_stacks (
  id          INTEGER PRIMARY KEY,
  batch_id    INTEGER NOT NULL REFERENCES batches(id),
  state       TEXT NOT NULL CHECK (state IN ('open', 'parked')),
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
CREATE TABLE pallet_stack_cases (
  case_code  TEXT PRIMARY KEY,
  stack_id   INTEGER NOT NULL REFERENCES pallet_stacks(id),
  seq        INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX pallet_stack_cases_stack ON pallet_stack_cases(stack_id, seq);

CREATE TABLE pallet_allocations (
  code          TEXT PRIMARY KEY,
  batch_id      INTEGER NOT NULL REFERENCES batches(id),
  allocated_at  TEXT NOT NULL
) WITHOUT ROWID;

ALTER TABLE batches ADD COLUMN pallet_package_id INTEGER REFERENCES code_packages(id);

-- Free pallet codes by package: the allocator's lookup. Pallet codes are a tiny share of all codes.
CREATE INDEX codes_pallet_free ON codes(package_id) WHERE kind = 5 AND status IN (0, 1);

CREATE TABLE reworked_codes (
  code  TEXT PRIMARY KEY
) WITHOUT ROWID;
CREATE TRIGGER codes_reworked AFTER UPDATE OF status ON codes
WHEN OLD.status = 5 AND NEW.status IN (2, 3, 4)
BEGIN
  INSERT OR IGNORE INTO reworked_codes (code) VALUES (NEW.code);
END;
`,
};
