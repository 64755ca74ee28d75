import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import { WriteGroup, type DeferredOutcome } from './write-group.ts';

const open: Database.Database[] = [];
const dirs: TempDir[] = [];
afterEach(() => { for (const db of open.splice(0)) db.close(); for (const d of dirs.splice(0)) d.remove(); });

function setup(): { db: Database.Database; other: Database.Database } {
  const dir = makeTempDir('wuma-write-group-');
  dirs.push(dir);
  const path = dir.file('g.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
  const other = new Database(path, { readonly: true });
  open.push(db, other);
  return { db, other };
}

const keys = (db: Database.Database): string[] => db.prepare('SELECT k FROM t ORDER BY k').pluck().all() as string[];

describe('WriteGroup (group commit of deferred writes)', () => {
  it('carries deferred writes in the main commit and settles them only once it is visible to another connection', () => {
    const { db, other } = setup();
    const group = new WriteGroup(db, { maxDelayMs: 60_000 });
    const seen: string[][] = [];
    const settled: DeferredOutcome<string>[] = [];
    group.defer(() => { db.prepare("INSERT INTO t VALUES ('stack-1')").run(); return 'a'; }, (o) => { settled.push(o); seen.push(keys(other)); });
    group.defer(() => { db.prepare("INSERT INTO t VALUES ('stack-2')").run(); return 'b'; }, (o) => { settled.push(o); });
    expect(keys(other)).toEqual([]);
    expect(group.pending).toBe(2);
    const value = group.commitWith(() => { db.prepare("INSERT INTO t VALUES ('case')").run(); return 7; });
    expect(value).toBe(7);
    expect(settled).toEqual([{ ok: true, value: 'a' }, { ok: true, value: 'b' }]);
    expect(seen).toEqual([['case', 'stack-1', 'stack-2']]);
    expect(group.stats).toEqual({ carried: 2, alone: 0 });
    group.close();
  });

  it('a refused deferred write rolls back alone; the decision and the other deferred writes stay', () => {
    const { db } = setup();
    const group = new WriteGroup(db, { maxDelayMs: 60_000 });
    const settled: boolean[] = [];
    group.defer(() => { db.prepare("INSERT INTO t VALUES ('half')").run(); throw new Error('refused'); }, (o) => { settled.push(o.ok); });
    group.defer(() => { db.prepare("INSERT INTO t VALUES ('ok')").run(); }, (o) => { settled.push(o.ok); });
    group.commitWith(() => { db.prepare("INSERT INTO t VALUES ('case')").run(); });
    expect(settled).toEqual([false, true]);
    expect(keys(db)).toEqual(['case', 'ok']);
    group.close();
  });

  it('a decision that throws takes nothing with it: the deferred writes wait and commit later', () => {
    const { db } = setup();
    const group = new WriteGroup(db, { maxDelayMs: 60_000 });
    const settled: boolean[] = [];
    group.defer(() => { db.prepare("INSERT INTO t VALUES ('stack')").run(); }, (o) => { settled.push(o.ok); });
    expect(() => group.commitWith(() => { db.prepare("INSERT INTO t VALUES ('case')").run(); throw new Error('guard failed'); })).toThrow('guard failed');
    expect(keys(db)).toEqual([]);
    expect(settled).toEqual([]);
    expect(group.pending).toBe(1);
    group.flush();
    expect(keys(db)).toEqual(['stack']);
    expect(settled).toEqual([true]);
    expect(group.stats).toEqual({ carried: 0, alone: 1 });
  });

  it('with no decision to ride on, the timer commits alone — but not while a decision is in hand', async () => {
    const { db } = setup();
    let busy = true;
    const group = new WriteGroup(db, { maxDelayMs: 5, idle: () => !busy });
    const settled: boolean[] = [];
    group.defer(() => { db.prepare("INSERT INTO t VALUES ('stack')").run(); }, (o) => { settled.push(o.ok); });
    for (let i = 0; i < 10; i += 1) await new Promise((r) => setTimeout(r, 5));
    expect(settled).toEqual([]);
    busy = false;
    for (let i = 0; i < 200 && settled.length === 0; i += 1) await new Promise((r) => setTimeout(r, 5));
    expect(settled).toEqual([true]);
    expect(keys(db)).toEqual(['stack']);
    group.close();
  });
});
