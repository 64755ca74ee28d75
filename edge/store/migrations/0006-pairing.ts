import type { Migration } from './migration.ts';

/**
 * The pairing mode (issue 15, 盖厂/箱厂 同级关联): a station at the cap or carton printer's line reads the inner and
 * the outer code of every item and records camera-verified pairs; the brand imports them back as a sealed pairing
 * package. One schema serves both ends:
 *
 * - `pairing_runs` (supplier side): one run per inner package × outer package on a line. At most one running run
 *   per line (partial unique index). `exported_at` / `export_sha256`: the last sealed pairing package written.
 * - `pairing_items` (supplier side): one row per item that passed the station, in seq order, paired or waste
 *   (排废) with its reason. Written in the SAME transaction as the pair on `codes` (store/pairing-items.ts), so an
 *   item is either fully decided or not there after a crash. `inner`/`outer` are full codes (the brand needs them
 *   to void waste); nothing a person reads shows them unmasked. The partial indexes answer "seen before" (重码).
 *   Reasons: one-side 单面无读, duplicate 重码, foreign 码包外, already-paired 已关联, slipped 错位.
 * - `camera_pairs` (brand side): pairs that arrived in a verified sealed pairing package (camera-verified), by
 *   inner code; `package_uuid` names the package. A pair imported from a plain supplier file has no row here.
 * - `pairing_imports` (brand side): every accepted pairing package, so a second import of the same file is
 *   recognised (idempotent), with the counts its manifest declared and the signer's key fingerprint.
 */
export const pairing: Migration = {
  version: 6,
  name: 'pairing mode: runs, items (pairs and waste), camera-verified pairs, pairing imports',
  sql: `
CREATE TABLE pairing_runs (
  id                INTEGER PRIMARY KEY,
  uuid              TEXT NOT NULL UNIQUE,
  line              TEXT NOT NULL CHECK (length(line) > 0),
  inner_package_id  INTEGER NOT NULL REFERENCES code_packages(id),
  outer_package_id  INTEGER NOT NULL REFERENCES code_packages(id),
  state             TEXT NOT NULL CHECK (state IN ('running', 'closed')),
  started_at        TEXT NOT NULL,
  closed_at         TEXT,
  exported_at       TEXT,
  export_sha256     TEXT,
  CHECK (inner_package_id <> outer_package_id)
);
CREATE UNIQUE INDEX pairing_runs_one_running ON pairing_runs(line) WHERE state = 'running';

CREATE TABLE pairing_items (
  id             INTEGER PRIMARY KEY,
  run_id         INTEGER NOT NULL REFERENCES pairing_runs(id),
  seq            INTEGER NOT NULL CHECK (seq > 0),
  at             TEXT NOT NULL,
  outcome        TEXT NOT NULL CHECK (outcome IN ('paired', 'waste')),
  reason         TEXT CHECK (reason IS NULL OR reason IN ('one-side', 'duplicate', 'foreign', 'already-paired', 'slipped')),
  inner          TEXT,
  outer          TEXT,
  inner_counter  INTEGER,
  outer_counter  INTEGER,
  UNIQUE (run_id, seq),
  CHECK ((outcome = 'paired') = (reason IS NULL)),
  CHECK (outcome = 'waste' OR (inner IS NOT NULL AND outer IS NOT NULL))
);
CREATE INDEX pairing_items_inner ON pairing_items(inner) WHERE inner IS NOT NULL;
CREATE INDEX pairing_items_outer ON pairing_items(outer) WHERE outer IS NOT NULL;
CREATE TRIGGER pairing_items_no_update BEFORE UPDATE ON pairing_items
BEGIN
  SELECT RAISE(ABORT, 'pairing_items is append-only');
END;

CREATE TABLE camera_pairs (
  inner         TEXT PRIMARY KEY,
  outer         TEXT NOT NULL UNIQUE,
  package_uuid  TEXT NOT NULL,
  imported_at   TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE pairing_imports (
  uuid         TEXT PRIMARY KEY,
  file         TEXT NOT NULL,
  sha256       TEXT NOT NULL,
  pairs        INTEGER NOT NULL CHECK (pairs >= 0),
  waste        INTEGER NOT NULL CHECK (waste >= 0),
  signer       TEXT NOT NULL,
  imported_at  TEXT NOT NULL
) WITHOUT ROWID;
`,
};
