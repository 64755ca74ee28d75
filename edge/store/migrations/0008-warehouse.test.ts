import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../../../test/support/temp-dir.ts';
import { openStore } from '../open.ts';
import { addUser, authenticateByPin, getUser } from '../users.ts';
import { verifyStore } from '../verify.ts';
import { MIGRATIONS } from './index.ts';

/** Migration 8 rebuilds the users table to allow the warehouse role: users, secrets and the no-delete rule survive. */
let dir: TempDir;
beforeEach(() => { dir = makeTempDir('wuma-mig8-'); });
afterEach(() => { dir.remove(); });

describe('migration 0008 (warehouse)', () => {
  it('keeps every user of a version-7 database with their PIN, badge and lock state, and users still cannot be deleted', async () => {
    const path = dir.file('wuma.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    for (const m of MIGRATIONS.filter((x) => x.version <= 7)) db.exec(m.sql);
    db.pragma('user_version = 7');
    addUser(db as never, { id: 'qa1', name: '质检 张', role: 'qa', pin: '246810', badge: 'BADGE-QA-1' }, 'admin');
    addUser(db as never, { id: 'op1', name: '操作员', role: 'operator', pin: '135792' }, 'admin');
    db.prepare(`UPDATE users SET failed_attempts = 2 WHERE id = 'op1'`).run();
    expect(() => db.prepare(`INSERT INTO users (id, name, role, created_at, created_by) VALUES ('wh0', 'x', 'warehouse', 'now', 'admin')`).run()).toThrow(/CHECK/);
    const before = db.prepare('SELECT * FROM users ORDER BY id').all();
    db.close();

    const s = openStore(path, { checkpointer: false });
    try {
      expect(s.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
      expect(s.db.prepare('SELECT * FROM users ORDER BY id').all()).toEqual(before);
      expect(authenticateByPin(s.db, 'qa1', '246810').kind).toBe('ok');
      expect(getUser(s.db, 'op1')?.failedAttempts).toBe(2);
      s.db.prepare(`INSERT INTO users (id, name, role, created_at, created_by) VALUES ('wh1', '仓管', 'warehouse', 'now', 'admin')`).run();
      expect(() => s.db.prepare(`INSERT INTO users (id, name, role, created_at, created_by) VALUES ('x1', 'x', 'boss', 'now', 'admin')`).run()).toThrow(/CHECK/);
      expect(() => s.db.prepare(`DELETE FROM users WHERE id = 'op1'`).run()).toThrow(/never deleted/);
      expect(verifyStore(s.db).ok).toBe(true);
    } finally {
      await s.close();
    }
  });
});
