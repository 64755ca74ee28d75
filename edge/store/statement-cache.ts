import type { Statement } from 'better-sqlite3';
import type { Db } from './open.ts';

/**
 * Memoises `build(db)` once per connection: the statements (and transactions) of a hot path are prepared on first
 * use and reused for every later call on that connection. A WeakMap, so a closed and dropped connection takes its
 * statements with it.
 */
export function perConnection<T>(build: (db: Db) => T): (db: Db) => T {
  const cache = new WeakMap<Db, T>();
  return (db) => {
    let value = cache.get(db);
    if (value === undefined) {
      value = build(db);
      cache.set(db, value);
    }
    return value;
  };
}

/** How a cached statement returns rows: objects (plain), arrays (raw) or the first column (pluck). */
export type StatementMode = 'plain' | 'raw' | 'pluck';

const byText = perConnection(() => new Map<string, Statement>());

/**
 * One prepared statement per connection, SQL text and mode. better-sqlite3's raw()/pluck() switch a statement's
 * mode in place, so the mode is part of the key: two callers of the same SQL in different modes never share one.
 * For constant SQL text only: values go in as parameters, never into the text (each new text would stay cached).
 */
export function cachedStatement<P extends unknown[] = unknown[]>(db: Db, sql: string, mode: StatementMode = 'plain'): Statement<P> {
  const statements = byText(db);
  const key = `${mode}\u0000${sql}`;
  let s = statements.get(key);
  if (s === undefined) {
    s = db.prepare(sql);
    if (mode === 'raw') s.raw();
    else if (mode === 'pluck') s.pluck();
    statements.set(key, s);
  }
  return s as unknown as Statement<P>;
}
