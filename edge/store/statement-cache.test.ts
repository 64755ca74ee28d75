import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedStatement, perConnection } from './statement-cache.ts';

const open: Database.Database[] = [];
function db(): Database.Database {
  const d = new Database(':memory:');
  d.exec("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER); INSERT INTO t VALUES ('a', 1), ('b', 2)");
  open.push(d);
  return d;
}
afterEach(() => { for (const d of open.splice(0)) d.close(); });

describe('per-connection statement cache', () => {
  it('builds once per connection and separately for each connection', () => {
    let builds = 0;
    const of = perConnection((d) => { builds += 1; return d.prepare('SELECT v FROM t WHERE k = ?'); });
    const one = db();
    const two = db();
    expect(of(one)).toBe(of(one));
    expect(builds).toBe(1);
    expect(of(two)).not.toBe(of(one));
    expect(builds).toBe(2);
  });

  it('keeps one statement per SQL text and mode, so a pluck caller never changes a plain caller’s rows', () => {
    const d = db();
    const sql = 'SELECT k, v FROM t WHERE k = ?';
    const plain = cachedStatement(d, sql);
    const pluck = cachedStatement(d, sql, 'pluck');
    const raw = cachedStatement(d, sql, 'raw');
    expect(cachedStatement(d, sql)).toBe(plain);
    expect(pluck).not.toBe(plain);
    expect(pluck.get('a')).toBe('a');
    expect(raw.get('b')).toEqual(['b', 2]);
    expect(plain.get('a')).toEqual({ k: 'a', v: 1 });
  });
});
