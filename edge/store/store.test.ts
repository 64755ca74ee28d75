import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import { appendAudit, openStore, verifyAuditChain, verifyStore, type Store } from './index.ts';
import { nudgeCheckpoint } from './open.ts';

let dir: TempDir;
const open: Store[] = [];
beforeEach(() => { dir = makeTempDir(); });
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  dir.remove();
});
function openTracked(path = dir.file('wuma.db'), options = {}): Store {
  const s = openStore(path, options);
  open.push(s);
  return s;
}

describe('openStore', () => {
  it('runs WAL with synchronous=FULL, foreign keys on and auto-checkpoints off, also on reopen', async () => {
    const path = dir.file('wuma.db');
    const first = openTracked(path);
    await first.close();
    // better-sqlite3 reopens a WAL file as NORMAL by default; prove that, then prove openStore fixes it.
    const raw = new Database(path);
    expect(raw.pragma('synchronous', { simple: true })).toBe(1);
    raw.close();
    const again = openTracked(path);
    expect(again.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(again.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(again.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(again.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
  });

  it('applies numbered migrations once', () => {
    const s = openTracked();
    expect(s.db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(1);
    const tables = (s.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[]).sort();
    expect(tables).toEqual(expect.arrayContaining(['audit_log', 'batches', 'code_packages', 'codes', 'containers', 'outbox', 'products']));
  });

  it('checkpoints the WAL in the background', async () => {
    const s = openTracked(dir.file('wuma.db'), { checkpointer: true, checkpointIntervalMs: 20 });
    s.db.exec("INSERT INTO meta VALUES ('k', 'v')");
    const deadline = Date.now() + 5_000;
    while ((s.checkpointer?.stats.runs ?? 0) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(s.checkpointer?.stats.runs).toBeGreaterThanOrEqual(2);
    expect(s.checkpointer?.stats.errors).toEqual([]);
  });

  it('checkpoints on a nudge once the minimum gap has passed, and not before', async () => {
    const due = openTracked(dir.file('due.db'), { checkpointer: true, checkpointIntervalMs: 60_000, checkpointMinGapMs: 0 });
    const early = openTracked(dir.file('early.db'), { checkpointer: true, checkpointIntervalMs: 60_000, checkpointMinGapMs: 60_000 });
    for (const s of [due, early]) s.db.exec("INSERT INTO meta VALUES ('k', 'v')");
    nudgeCheckpoint(due.db);
    nudgeCheckpoint(early.db);
    const deadline = Date.now() + 5_000;
    while ((due.checkpointer?.stats.runs ?? 0) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(due.checkpointer?.stats.runs).toBe(1);
    expect(due.checkpointer?.stats.lastCheckpointed).toBeGreaterThan(0);
    // The early store's nudge was sent at the same moment and answered in the same worker turn: still nothing.
    await new Promise((r) => setTimeout(r, 200));
    expect(early.checkpointer?.stats.runs).toBe(0);
    // A connection without a checkpointer ignores nudges.
    const plain = openTracked(dir.file('plain.db'), { checkpointer: false });
    expect(() => { nudgeCheckpoint(plain.db); }).not.toThrow();
  });
});

describe('codes table rules', () => {
  function seed(s: Store): void {
    s.db.exec(`INSERT INTO code_packages (id, uuid, kind, source, count, state, profile, created_at) VALUES (1, 'p1', 2, 'generated', 1, 'ready', '{}', 'now');
               INSERT INTO codes (code, kind, status, package_id) VALUES ('ABC', 2, 0, 1);`);
  }
  it('never lets a code go back to available, nor leave voided or destroyed', () => {
    const s = openTracked();
    seed(s);
    s.db.exec("UPDATE codes SET status = 1 WHERE code = 'ABC'");
    expect(() => s.db.exec("UPDATE codes SET status = 0 WHERE code = 'ABC'")).toThrow(/back to available/);
    s.db.exec("UPDATE codes SET status = 8 WHERE code = 'ABC'");
    expect(() => s.db.exec("UPDATE codes SET status = 2 WHERE code = 'ABC'")).toThrow(/destroyed\/voided/);
  });
  it('refuses a second code with the same value', () => {
    const s = openTracked();
    seed(s);
    expect(() => s.db.exec("INSERT INTO codes (code, kind, status, package_id) VALUES ('ABC', 1, 0, 1)")).toThrow(/UNIQUE|PRIMARY KEY/);
  });
});

describe('audit log', () => {
  it('chains rows and refuses UPDATE and DELETE', () => {
    const s = openTracked();
    appendAudit(s.db, { actor: 'qa1', action: 'rework.remove', subject: 'CASE1', reason: '破损', detail: { n: 1 } });
    appendAudit(s.db, { actor: 'qa1', action: 'rework.add', subject: 'CASE1', reason: '补瓶' });
    expect(verifyAuditChain(s.db)).toEqual({ rows: 2, brokenAt: null });
    expect(() => s.db.exec("UPDATE audit_log SET reason = 'x' WHERE seq = 1")).toThrow(/append-only/);
    expect(() => s.db.exec('DELETE FROM audit_log WHERE seq = 2')).toThrow(/append-only/);
  });

  it('refuses an insert that does not extend the chain', () => {
    const s = openTracked();
    appendAudit(s.db, { actor: 'it', action: 'a' });
    expect(() => s.db.exec("INSERT INTO audit_log (seq, at, actor, action, detail, prev_hash, hash) VALUES (2, 'now', 'x', 'y', '{}', 'forged', 'h')")).toThrow(/extend the chain/);
  });

  it('detects an edit made behind the triggers (out-of-band with another tool)', async () => {
    const path = dir.file('wuma.db');
    const s = openTracked(path);
    for (let i = 0; i < 5; i += 1) appendAudit(s.db, { actor: 'op', action: `step${i}` });
    await s.close();
    const raw = new Database(path);
    raw.exec('DROP TRIGGER audit_log_no_update');
    raw.exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3");
    raw.close();
    const again = openTracked(path);
    const report = verifyStore(again.db);
    expect(report.ok).toBe(false);
    const chain = report.checks.find((c) => c.id === 'audit-chain');
    expect(chain?.ok).toBe(false);
    expect(chain?.examples[0]).toMatch(/^seq 3/);
  });
});

describe('verifyStore', () => {
  it('passes on an empty database and names each broken invariant with masked examples', () => {
    const s = openTracked();
    expect(verifyStore(s.db).ok).toBe(true);
    s.db.exec(`INSERT INTO products (id, name, units_per_case, cases_per_pallet, profiles, created_at) VALUES ('p', 'x', 2, 2, '{}', 'now');
      INSERT INTO batches (id, product_id, lot, production_date, line, state, started_at) VALUES (1, 'p', 'L1', '2026-11-23', 'L', 'running', 'now');
      INSERT INTO code_packages (id, uuid, kind, source, count, state, profile, created_at) VALUES (1, 'pk', 1, 'generated', 3, 'ready', '{}', 'now');
      INSERT INTO codes (code, kind, status, package_id, parent) VALUES ('SECRETCAPINNER001', 1, 2, 1, 'CASE1');
      INSERT INTO codes (code, kind, status, package_id) VALUES ('CASE1', 4, 2, 1);
      INSERT INTO containers (code, level, batch_id, state, child_count, created_at) VALUES ('CASE1', 'case', 1, 'closed', 1, 'now');`);
    const report = verifyStore(s.db);
    expect(report.ok).toBe(false);
    const failed = report.checks.filter((c) => !c.ok).map((c) => c.id);
    expect(failed).toEqual(['package-count', 'aggregated-commissioned']);
    const text = JSON.stringify(report);
    expect(text).not.toContain('SECRETCAPINNER001');
    expect(text).toContain('SECR…01');
  });
});
