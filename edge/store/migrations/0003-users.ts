import type { Migration } from './migration.ts';

/**
 * Users and roles (issue 4 §4; reliability-security §2 and §5: 21 CFR 11.10(d)/(g), 11.200, IEC 62443-4-2
 * CR 1.1 / 1.11 / 2.1). Secrets are stored only as scrypt hashes (edge/store/users.ts):
 * - `pin_hash`: `scrypt$N$r$p$<salt b64>$<key b64>` with a per-user random salt; checked in constant time.
 * - `badge_hash`: scrypt of the badge code under one station-wide salt kept in `meta` ('users.badge_salt'), so a
 *   badge scan finds its user through the unique index with one hash, and the badge value itself is never stored.
 * - `failed_attempts` / `locked_until`: consecutive bad PINs; at the limit the user is locked until that time.
 * Users are never deleted (audit rows name them for as long as the records live); they are deactivated.
 */
export const users: Migration = {
  version: 3,
  name: 'users and roles',
  sql: `
CREATE TABLE users (
  id               TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
  name             TEXT NOT NULL CHECK (length(name) > 0),
  role             TEXT NOT NULL CHECK (role IN ('operator', 'qa', 'it', 'admin')),
  pin_hash         TEXT,
  badge_hash       TEXT UNIQUE,
  active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  failed_attempts  INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  locked_until     TEXT,
  created_at       TEXT NOT NULL,
  created_by       TEXT NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER users_no_delete BEFORE DELETE ON users
BEGIN
  SELECT RAISE(ABORT, 'users are deactivated, never deleted');
END;
`,
};
