import type { Migration } from './migration.ts';

/**
 * The warehouse (issue 13: 出库扫码 · 退货 · 移库 · 窜货稽查), on the station's own store (DESIGN §10):
 *
 * - `warehouses`: stock locations. `location` = EPCIS bizLocation (SGLN URN or URI), `owner` = owning party of the
 *   stock (sourceList). At most one `is_default`. `warehouse_lines`: production line → the warehouse its output is
 *   stocked in. A case or pallet is in: its own `stock_locations` row, else its pallet's, else its line's
 *   warehouse, else the default warehouse (edge/warehouse/stock-location.ts).
 * - `dealers` (经销商): own id, name, optional 13-digit GLN, sales region (区域).
 * - `dispatch_orders` (发货单): dealer, ship-from warehouse, state (edge/warehouse/order-machine.ts), the short
 *   shipment's reason + signer, cancellation. `order_lines`: product × quantity (cases), one line per product;
 *   `shipped` is raised by the scan's UPDATE … WHERE shipped + n <= quantity inside the scan's immediate
 *   transaction, and CHECK (shipped <= quantity) backs it: SQLite serialises writers, so two PDAs never over-ship.
 * - `shipped_items`: one row per case shipped (order, line, the pallet it left in when shipped whole, time, user,
 *   device). `return_id` ends the shipment; the partial UNIQUE index `shipped_items_live` keeps a case on at most
 *   one live shipment. Rows are append-only except that one NULL → return step.
 * - `dispatch_returns` (退货), `stock_moves` (移库), `stock_locations`.
 * - `market_findings` (稽查记录): a code found in the market, where, and the verdict (diverted / in-region /
 *   unshipped). `queried` holds the value as looked up, masked when secret.
 * - `product_dispatch_rules`: per product, whether cases of a batch that is not closed may ship.
 * - users: the role CHECK gains `warehouse` (仓管). SQLite cannot alter a CHECK, so the table is rebuilt (no other
 *   table references users; DROP TABLE fires no delete trigger) and its no-delete trigger recreated.
 */
export const warehouse: Migration = {
  version: 8,
  name: 'warehouse: dispatch orders, shipped items, returns, moves, market findings, warehouse role',
  sql: `
CREATE TABLE warehouses (
  id          TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
  name        TEXT NOT NULL CHECK (length(name) > 0),
  location    TEXT,
  owner       TEXT,
  is_default  INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
  created_at  TEXT NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX warehouses_one_default ON warehouses(is_default) WHERE is_default = 1;

CREATE TABLE warehouse_lines (
  line          TEXT PRIMARY KEY,
  warehouse_id  TEXT NOT NULL REFERENCES warehouses(id)
) WITHOUT ROWID;

CREATE TABLE dealers (
  id          TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
  name        TEXT NOT NULL CHECK (length(name) > 0),
  gln         TEXT CHECK (gln IS NULL OR (length(gln) = 13 AND gln NOT GLOB '*[^0-9]*')),
  region      TEXT NOT NULL CHECK (length(region) > 0),
  created_at  TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE dispatch_orders (
  id              TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
  dealer_id       TEXT NOT NULL REFERENCES dealers(id),
  warehouse_id    TEXT NOT NULL REFERENCES warehouses(id),
  state           TEXT NOT NULL CHECK (state IN ('draft', 'picking', 'shipped', 'cancelled')),
  document_type   TEXT NOT NULL DEFAULT 'desadv' CHECK (document_type IN ('desadv', 'po')),
  source          TEXT,
  created_at      TEXT NOT NULL,
  created_by      TEXT NOT NULL,
  released_at     TEXT,
  completed_at    TEXT,
  completed_by    TEXT,
  short_reason    TEXT,
  short_signer    TEXT,
  cancelled_at    TEXT,
  cancel_reason   TEXT,
  CHECK (state <> 'shipped' OR completed_at IS NOT NULL),
  CHECK (state <> 'cancelled' OR cancelled_at IS NOT NULL),
  CHECK ((short_reason IS NULL) = (short_signer IS NULL))
) WITHOUT ROWID;
CREATE INDEX dispatch_orders_state ON dispatch_orders(state, created_at);
CREATE INDEX dispatch_orders_dealer ON dispatch_orders(dealer_id);

CREATE TABLE order_lines (
  order_id    TEXT NOT NULL REFERENCES dispatch_orders(id),
  line_no     INTEGER NOT NULL CHECK (line_no > 0),
  product_id  TEXT NOT NULL REFERENCES products(id),
  quantity    INTEGER NOT NULL CHECK (quantity > 0),
  shipped     INTEGER NOT NULL DEFAULT 0 CHECK (shipped >= 0 AND shipped <= quantity),
  PRIMARY KEY (order_id, line_no),
  UNIQUE (order_id, product_id)
) WITHOUT ROWID;

CREATE TABLE dispatch_returns (
  id            INTEGER PRIMARY KEY,
  code          TEXT NOT NULL,
  order_id      TEXT NOT NULL REFERENCES dispatch_orders(id),
  warehouse_id  TEXT NOT NULL REFERENCES warehouses(id),
  cases         INTEGER NOT NULL CHECK (cases > 0),
  reason        TEXT NOT NULL CHECK (length(reason) > 0),
  at            TEXT NOT NULL,
  actor         TEXT NOT NULL
);

CREATE TABLE shipped_items (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL,
  order_id    TEXT NOT NULL,
  line_no     INTEGER NOT NULL,
  pallet      TEXT,
  shipped_at  TEXT NOT NULL,
  shipped_by  TEXT NOT NULL,
  device      TEXT,
  return_id   INTEGER REFERENCES dispatch_returns(id),
  FOREIGN KEY (order_id, line_no) REFERENCES order_lines(order_id, line_no)
);
CREATE UNIQUE INDEX shipped_items_live ON shipped_items(code) WHERE return_id IS NULL;
CREATE INDEX shipped_items_code ON shipped_items(code, id);
CREATE INDEX shipped_items_order ON shipped_items(order_id, line_no);
CREATE INDEX shipped_items_pallet ON shipped_items(pallet) WHERE pallet IS NOT NULL;
CREATE TRIGGER shipped_items_append_only BEFORE UPDATE ON shipped_items
WHEN OLD.return_id IS NOT NULL OR NEW.return_id IS NULL OR NEW.code IS NOT OLD.code OR NEW.order_id IS NOT OLD.order_id
  OR NEW.line_no IS NOT OLD.line_no OR NEW.pallet IS NOT OLD.pallet OR NEW.shipped_at IS NOT OLD.shipped_at
BEGIN
  SELECT RAISE(ABORT, 'shipped_items rows only ever gain their return');
END;
CREATE TRIGGER shipped_items_no_delete BEFORE DELETE ON shipped_items
BEGIN
  SELECT RAISE(ABORT, 'shipped_items is append-only');
END;

CREATE TABLE stock_locations (
  code          TEXT PRIMARY KEY,
  warehouse_id  TEXT NOT NULL REFERENCES warehouses(id),
  since         TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE stock_moves (
  id              INTEGER PRIMARY KEY,
  code            TEXT NOT NULL,
  from_warehouse  TEXT NOT NULL REFERENCES warehouses(id),
  to_warehouse    TEXT NOT NULL REFERENCES warehouses(id),
  cases           INTEGER NOT NULL CHECK (cases > 0),
  at              TEXT NOT NULL,
  actor           TEXT NOT NULL,
  CHECK (from_warehouse <> to_warehouse)
);

CREATE TABLE market_findings (
  id            INTEGER PRIMARY KEY,
  queried       TEXT NOT NULL,
  queried_kind  INTEGER NOT NULL,
  case_code     TEXT,
  found_in      TEXT NOT NULL CHECK (length(found_in) > 0),
  verdict       TEXT NOT NULL CHECK (verdict IN ('diverted', 'in-region', 'unshipped')),
  order_id      TEXT,
  dealer_id     TEXT,
  dealer_region TEXT,
  note          TEXT,
  at            TEXT NOT NULL,
  actor         TEXT NOT NULL
);
CREATE INDEX market_findings_dealer ON market_findings(dealer_id, at);

CREATE TABLE product_dispatch_rules (
  product_id             TEXT PRIMARY KEY REFERENCES products(id),
  requires_closed_batch  INTEGER NOT NULL CHECK (requires_closed_batch IN (0, 1))
) WITHOUT ROWID;

CREATE TABLE users_v8 (
  id               TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
  name             TEXT NOT NULL CHECK (length(name) > 0),
  role             TEXT NOT NULL CHECK (role IN ('operator', 'qa', 'it', 'admin', 'warehouse')),
  pin_hash         TEXT,
  badge_hash       TEXT UNIQUE,
  active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  failed_attempts  INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  locked_until     TEXT,
  created_at       TEXT NOT NULL,
  created_by       TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO users_v8 SELECT id, name, role, pin_hash, badge_hash, active, failed_attempts, locked_until, created_at, created_by FROM users;
DROP TABLE users;
ALTER TABLE users_v8 RENAME TO users;
CREATE TRIGGER users_no_delete BEFORE DELETE ON users
BEGIN
  SELECT RAISE(ABORT, 'users are deactivated, never deleted');
END;
`,
};
