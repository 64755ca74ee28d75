import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packageUuids, seedLine, type LineMaterial } from '../../../test/e2e/batch-line-fixture.ts';
import { makeTempDir, type TempDir } from '../../../test/support/temp-dir.ts';
import { closeBatch, openBatchGuardError, pauseBatch, resumeBatch, startBatch } from '../batches.ts';
import { StoreError } from '../errors.ts';
import { openStore, type Store } from '../open.ts';
import { verifyStore } from '../verify.ts';
import { MIGRATIONS } from './index.ts';

let dir: TempDir;
const stores: Store[] = [];
const raws: Database.Database[] = [];
beforeEach(() => { dir = makeTempDir(); });
afterEach(async () => {
  for (const r of raws.splice(0)) r.close();
  for (const s of stores.splice(0)) await s.close();
  dir.remove();
});

function open(): Store {
  const s = openStore(dir.file('wuma.db'), { checkpointer: false });
  stores.push(s);
  return s;
}
/** A second connection with none of wuma's code: what another process or a sqlite3 shell would do. */
function raw(): Database.Database {
  const r = new Database(dir.file('wuma.db'));
  raws.push(r);
  return r;
}
function insertBatch(db: Database.Database, productId: string, line: string, state: string, id?: number): void {
  db.prepare(`INSERT INTO batches (id, product_id, lot, production_date, line, state, started_at) VALUES (?, ?, 'RAW', '2026-03-01', ?, ?, 'now')`)
    .run(id ?? null, productId, line, state);
}
const GUARD = expect.objectContaining({ code: 'SQLITE_CONSTRAINT_TRIGGER', message: expect.stringMatching(/一条产线同时只能有一个[\s\S]*batches_one_open_per_line/) });

describe('migration 0005: one open batch per line, in the database', () => {
  let s: Store;
  let m: LineMaterial;
  let id: number;
  beforeEach(() => {
    s = open();
    m = seedLine(s.db, { cases: 2 });
    id = startBatch(s.db, { productId: m.productId, lot: 'L1', productionDate: '2026-03-01', line: 'A1', packages: packageUuids(m), actor: 'op1' }).id;
  });

  it('refuses a raw INSERT of a running or paused batch on a line with an open batch; other lines and closed rows pass', () => {
    const other = raw();
    expect(() => { insertBatch(other, m.productId, 'A1', 'running'); }).toThrow(GUARD);
    expect(() => { insertBatch(other, m.productId, 'A1', 'paused'); }).toThrow(GUARD);
    insertBatch(other, m.productId, 'A1', 'closed');
    insertBatch(other, m.productId, 'A2', 'running');
    pauseBatch(s.db, id, 'op1');
    expect(() => { insertBatch(other, m.productId, 'A1', 'running'); }).toThrow(GUARD);
    expect(other.prepare(`SELECT line, state FROM batches WHERE state <> 'closed' ORDER BY id`).all()).toEqual([{ line: 'A1', state: 'paused' }, { line: 'A2', state: 'running' }]);
  });

  it('refuses a raw UPDATE that reopens a closed batch or moves an open one onto the line; pause, resume and close pass', () => {
    const other = raw();
    insertBatch(other, m.productId, 'A1', 'closed', 100);
    insertBatch(other, m.productId, 'A2', 'running', 101);
    expect(() => other.prepare(`UPDATE batches SET state = 'running' WHERE id = 100`).run()).toThrow(GUARD);
    expect(() => other.prepare(`UPDATE batches SET line = 'A1' WHERE id = 101`).run()).toThrow(GUARD);
    expect(() => other.prepare(`UPDATE batches SET state = 'paused', line = 'A1' WHERE id = 101`).run()).toThrow(GUARD);
    expect(pauseBatch(s.db, id, 'op1').state).toBe('paused');
    expect(resumeBatch(s.db, id, 'op1').state).toBe('running');
    other.prepare(`UPDATE batches SET state = 'paused' WHERE id = 101`).run();
    expect(closeBatch(s.db, { batchId: id, actor: 'qa1', reason: '换产 (changeover)' }).kind).toBe('closed');
    other.prepare(`UPDATE batches SET line = 'A1' WHERE id = 101`).run();
    expect(() => other.prepare(`UPDATE batches SET state = 'running' WHERE id = 100`).run()).toThrow(GUARD);
  });

  it('turns the guard into the same CONFLICT startBatch gives, naming the line and the open batch', () => {
    const second = (): unknown => startBatch(s.db, { productId: m.productId, lot: 'L2', productionDate: '2026-03-02', line: 'A1', packages: packageUuids(m), actor: 'op1' });
    const want = `产线 A1 已有未关闭的批次 ${id}（批号 L1，运行中），一条产线同时只能有一个批次，请先关闭它再开始新批次 (line A1 already has open batch ${id}, lot L1, running: close it before starting another)`;
    expect(second).toThrow(expect.objectContaining({ code: 'CONFLICT', message: want }));
    let guard: unknown;
    try { insertBatch(s.db, m.productId, 'A1', 'running'); } catch (error) { guard = error; }
    const mapped = openBatchGuardError(s.db, guard, 'A1');
    expect(mapped).toBeInstanceOf(StoreError);
    expect(mapped).toMatchObject({ code: 'CONFLICT', message: want, cause: guard });
    // Any other failure of a batches write is passed through untouched.
    let other: unknown;
    try { insertBatch(s.db, 'no-such-product', 'A9', 'running'); } catch (error) { other = error; }
    expect(other).toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
    expect(openBatchGuardError(s.db, other, 'A9')).toBe(other);
  });
});

describe('migration 0005 on a database that already breaks the rule', () => {
  /** A version-4 database (before 0005) with two open batches on line A1 and one each on A2 (open) and A1 (closed). */
  async function legacy(): Promise<LineMaterial> {
    const db = new Database(dir.file('wuma.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    for (const mig of MIGRATIONS.filter((x) => x.version <= 4)) db.exec(mig.sql);
    db.pragma('user_version = 4');
    const m = seedLine(db as never, { cases: 2 });
    insertBatch(db, m.productId, 'A1', 'running', 1);
    insertBatch(db, m.productId, 'A1', 'paused', 2);
    insertBatch(db, m.productId, 'A1', 'closed', 3);
    insertBatch(db, m.productId, 'A2', 'running', 4);
    db.close();
    return m;
  }

  it('opens without changing a row, verify names the line and batches, and no further open batch gets in', async () => {
    const m = await legacy();
    const before = (() => {
      const r = new Database(dir.file('wuma.db'), { readonly: true });
      try { return r.prepare('SELECT * FROM batches ORDER BY id').all(); } finally { r.close(); }
    })();
    const s = open();
    expect(s.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    expect(s.db.prepare('SELECT * FROM batches ORDER BY id').all()).toEqual(before);

    const check = verifyStore(s.db).checks.find((c) => c.id === 'one-open-batch-per-line');
    expect(check).toMatchObject({ ok: false, violations: 1 });
    expect(check?.examples).toEqual([expect.stringMatching(/^产线 A1: 批次 1, 2 均未关闭，请用 wuma batch close 关闭多余的批次 \(line A1: batches 1, 2 are all open; close the extra ones with wuma batch close\)$/)]);

    expect(() => startBatch(s.db, { productId: m.productId, lot: 'L9', productionDate: '2026-03-02', line: 'A1', packages: packageUuids(m), actor: 'op1' }))
      .toThrow(expect.objectContaining({ code: 'CONFLICT', message: expect.stringContaining('产线 A1 已有未关闭的批次 1') }));
    expect(() => { insertBatch(raw(), m.productId, 'A1', 'running'); }).toThrow(GUARD);
    // The extra batches still work as before: pause, resume and close them.
    expect(resumeBatch(s.db, 2, 'op1').state).toBe('running');
    expect(pauseBatch(s.db, 2, 'op1').state).toBe('paused');
    expect(closeBatch(s.db, { batchId: 1, actor: 'qa1', reason: '旧库多余批次 (extra batch of an old database)' }).kind).toBe('closed');
    expect(verifyStore(s.db).checks.find((c) => c.id === 'one-open-batch-per-line')).toMatchObject({ ok: true, violations: 0 });
  });
});
