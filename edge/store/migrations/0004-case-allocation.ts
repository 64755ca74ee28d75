import type { Migration } from './migration.ts';

/**
 * Case codes printed on the line (issue 4 §2, `caseCode.mode: 'print'`). Like `pallet_allocations`: every
 * case-outer code handed to the case printer is recorded BEFORE the print job is sent, in its own transaction,
 * so a code whose print fate is unknown after a crash is found and voided (DESIGN §4: never reused).
 *
 * - `case_allocations`: code → batch. A code allocated but neither committed (a closed case container),
 *   rejected nor voided may exist on a carton: recovery voids it; reconciliation should count it unexplained.
 * - `codes_case_free`: the allocator's lookup of free case-outer codes by package. Partial over kind 4 in
 *   status available/printed only, so it shrinks as cases are packed and stays a small share of a 10M-code
 *   database (about one case code per 24 bottle codes).
 */
export const caseAllocation: Migration = {
  version: 4,
  name: 'case-code allocations for printed case codes',
  sql: `
CREATE TABLE case_allocations (
  code          TEXT PRIMARY KEY,
  batch_id      INTEGER NOT NULL REFERENCES batches(id),
  allocated_at  TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX case_allocations_batch ON case_allocations(batch_id);

CREATE INDEX codes_case_free ON codes(package_id) WHERE kind = 4 AND status IN (0, 1);
`,
};
