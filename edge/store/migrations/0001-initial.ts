import type { Migration } from './migration.ts';

/**
 * The station's schema. Code kinds and statuses are stored as the small integers of edge/domain/kinds.ts
 * (kind 1..6, status 0..8) so a 10M-code database stays under 40 bytes per code.
 */
export const initial: Migration = {
  version: 1,
  name: 'initial schema',
  sql: `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE products (
  id                TEXT PRIMARY KEY,
  name              TEXT NOT NULL CHECK (length(name) > 0),
  gtin              TEXT CHECK (gtin IS NULL OR (length(gtin) = 14 AND gtin NOT GLOB '*[^0-9]*')),
  units_per_box     INTEGER CHECK (units_per_box IS NULL OR units_per_box > 0),
  boxes_per_case    INTEGER CHECK (boxes_per_case IS NULL OR boxes_per_case > 0),
  units_per_case    INTEGER NOT NULL CHECK (units_per_case > 0),
  cases_per_pallet  INTEGER NOT NULL CHECK (cases_per_pallet > 0),
  pairing_required  INTEGER NOT NULL DEFAULT 1 CHECK (pairing_required IN (0, 1)),
  profiles          TEXT NOT NULL,            -- JSON: CodeProfile per kind (edge/codes/profile.ts)
  created_at        TEXT NOT NULL,
  CHECK ((units_per_box IS NULL) = (boxes_per_case IS NULL)),
  CHECK (units_per_box IS NULL OR units_per_box * boxes_per_case = units_per_case)
) WITHOUT ROWID;

-- A code package (码包): generated here or imported from a supplier. 'writing' packages belong to a live
-- generator process (owner_pid); on start-up, writing packages of dead owners are removed whole (atomicity).
CREATE TABLE code_packages (
  id          INTEGER PRIMARY KEY,
  uuid        TEXT NOT NULL UNIQUE,
  kind        INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 6),
  product_id  TEXT REFERENCES products(id),
  source      TEXT NOT NULL CHECK (source IN ('generated', 'imported')),
  supplier    TEXT,
  count       INTEGER NOT NULL CHECK (count >= 0),
  state       TEXT NOT NULL CHECK (state IN ('writing', 'ready', 'aborted')),
  owner_pid   INTEGER,
  profile     TEXT NOT NULL,                  -- JSON of the CodeProfile used
  sha256      TEXT,                           -- of the plaintext export, one code per line
  created_at  TEXT NOT NULL,
  finished_at TEXT
);

-- Every code this station ever generated or imported. The primary key is the uniqueness guarantee for life.
-- pair: the same-level partner (盖内码 <-> 盖外码, 箱内码 <-> 箱外码), stored on both sides.
-- parent: the containing case/box/pallet code when aggregated.
CREATE TABLE codes (
  code        TEXT PRIMARY KEY,
  kind        INTEGER NOT NULL,
  status      INTEGER NOT NULL DEFAULT 0,
  package_id  INTEGER NOT NULL,
  pair        TEXT,
  parent      TEXT,
  batch_id    INTEGER
) WITHOUT ROWID;
CREATE INDEX codes_parent ON codes(parent) WHERE parent IS NOT NULL;

-- DESIGN §4: a code never goes back to available; destroyed and voided are final.
CREATE TRIGGER codes_status_forward BEFORE UPDATE OF status ON codes
WHEN NEW.status <> OLD.status AND (NEW.status = 0 OR OLD.status IN (7, 8))
BEGIN
  SELECT RAISE(ABORT, 'code status cannot go back to available or leave destroyed/voided');
END;
CREATE TRIGGER codes_value_frozen BEFORE UPDATE OF code, kind, package_id ON codes
WHEN NEW.code <> OLD.code OR NEW.kind <> OLD.kind OR NEW.package_id <> OLD.package_id
BEGIN
  SELECT RAISE(ABORT, 'a code value, kind and package never change');
END;

CREATE TABLE batches (
  id               INTEGER PRIMARY KEY,
  product_id       TEXT NOT NULL REFERENCES products(id),
  lot              TEXT NOT NULL CHECK (length(lot) > 0),
  production_date  TEXT NOT NULL,
  line             TEXT NOT NULL,
  planned_qty      INTEGER CHECK (planned_qty IS NULL OR planned_qty > 0),
  state            TEXT NOT NULL CHECK (state IN ('running', 'paused', 'closed')),
  started_at       TEXT NOT NULL,
  closed_at        TEXT,
  close_reason     TEXT,
  closed_by        TEXT
);
CREATE TABLE batch_packages (
  batch_id    INTEGER NOT NULL REFERENCES batches(id),
  package_id  INTEGER NOT NULL REFERENCES code_packages(id),
  PRIMARY KEY (batch_id, package_id)
) WITHOUT ROWID;

-- Pack ratios are locked while a batch of the product is running or paused.
CREATE TRIGGER products_ratio_lock BEFORE UPDATE ON products
WHEN (NEW.units_per_box IS NOT OLD.units_per_box OR NEW.boxes_per_case IS NOT OLD.boxes_per_case
      OR NEW.units_per_case <> OLD.units_per_case OR NEW.cases_per_pallet <> OLD.cases_per_pallet)
  AND EXISTS (SELECT 1 FROM batches WHERE product_id = OLD.id AND state <> 'closed')
BEGIN
  SELECT RAISE(ABORT, 'pack ratios are locked while a batch of this product is open');
END;

-- A case, box or pallet. Identified by its outer code; children point at it through codes.parent.
CREATE TABLE containers (
  code        TEXT PRIMARY KEY,
  level       TEXT NOT NULL CHECK (level IN ('box', 'case', 'pallet')),
  batch_id    INTEGER NOT NULL REFERENCES batches(id),
  state       TEXT NOT NULL CHECK (state IN ('open', 'closed', 'parked', 'broken')),
  child_count INTEGER NOT NULL DEFAULT 0 CHECK (child_count >= 0),
  created_at  TEXT NOT NULL,
  closed_at   TEXT
) WITHOUT ROWID;

-- Append-only, hash-chained audit trail (21 CFR 11.10(e)). hash = sha256(prev_hash || canonical row).
CREATE TABLE audit_log (
  seq        INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  actor      TEXT NOT NULL CHECK (length(actor) > 0),
  action     TEXT NOT NULL CHECK (length(action) > 0),
  subject    TEXT,
  reason     TEXT,
  detail     TEXT NOT NULL,
  prev_hash  TEXT NOT NULL,
  hash       TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
WHEN NEW.prev_hash <> coalesce((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), 'genesis')
  OR NEW.seq <> coalesce((SELECT max(seq) FROM audit_log), 0) + 1
BEGIN
  SELECT RAISE(ABORT, 'audit_log row does not extend the chain');
END;

-- Transactional outbox: EPCIS events frozen (body + eventID) in the same transaction as the state change.
CREATE TABLE outbox (
  id            INTEGER PRIMARY KEY,
  event_id      TEXT NOT NULL UNIQUE,
  event_type    TEXT NOT NULL,
  body          TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  batch_id      INTEGER,
  pallet        TEXT,
  state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'confirmed', 'quarantined')),
  attempts      INTEGER NOT NULL DEFAULT 0,
  last_error    TEXT,
  confirmed_at  TEXT
);
CREATE INDEX outbox_state ON outbox(state, id);
CREATE INDEX outbox_pallet ON outbox(pallet) WHERE pallet IS NOT NULL;
CREATE TRIGGER outbox_body_frozen BEFORE UPDATE OF event_id, body, event_type ON outbox
WHEN NEW.event_id <> OLD.event_id OR NEW.body <> OLD.body OR NEW.event_type <> OLD.event_type
BEGIN
  SELECT RAISE(ABORT, 'an outbox event is frozen once written');
END;
CREATE TRIGGER outbox_no_delete BEFORE DELETE ON outbox
WHEN OLD.state <> 'confirmed'
BEGIN
  SELECT RAISE(ABORT, 'only confirmed outbox events may be pruned');
END;
`,
};
