import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import type { CodeProfile } from '../codes/profile.ts';
import { DEFAULT_PROFILES } from '../codes/profile.ts';
import { CodeWriter } from '../store/code-writer.ts';
import { openStore, type Store } from '../store/open.ts';
import { verifyStore } from '../store/verify.ts';
import { generatePackage, type GenerateProgress, type GenerateRequest } from './generate-package.ts';
import { seededBytes } from '../../test/support/seeded-bytes.ts';

/** 4 digits, no check character: 10,000 possible codes, so repeats and collisions are certain. */
const TINY: CodeProfile = { scheme: 'random', kind: 'cap-outer', alphabet: 'digits', length: 4, prefix: '', check: false, content: { type: 'plain' } };

let dir: TempDir;
let store: Store;
beforeEach(() => {
  dir = makeTempDir();
  store = openStore(dir.file('wuma.db'), { checkpointer: false });
});
afterEach(async () => {
  await store.close();
  dir.remove();
});

let n = 0;
function request(over: Partial<GenerateRequest> = {}): GenerateRequest {
  n += 1;
  return { uuid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, kind: 'cap-outer', productId: null, profile: TINY, count: 100, actor: 'test', out: null, ...over };
}
function hooks(seed: number, progress: GenerateProgress[] = [], cancelAfter = Number.POSITIVE_INFINITY) {
  return { random: seededBytes(seed), onProgress: (p: GenerateProgress) => { progress.push(p); }, cancelled: () => progress.length >= cancelAfter };
}
function codesOf(uuid: string): string[] {
  return store.db.prepare('SELECT c.code FROM codes c JOIN code_packages p ON p.id = c.package_id WHERE p.uuid = ? ORDER BY c.code').pluck().all(uuid) as string[];
}
function row(uuid: string): { state: string; count: number; sha256: string | null } {
  return store.db.prepare('SELECT state, count, sha256 FROM code_packages WHERE uuid = ?').get(uuid) as never;
}

describe('generatePackage', () => {
  it('stores exactly count distinct codes in several transactions and exports the same codes with their SHA-256', async () => {
    const out = dir.file('codes.txt');
    const progress: GenerateProgress[] = [];
    const req = request({ profile: DEFAULT_PROFILES['cap-inner'], kind: 'cap-inner', count: 2_500, batchRows: 1_000, out: { type: 'plain', path: out } });
    const result = await generatePackage(store.db, req, hooks(7, progress));
    expect(result).toMatchObject({ count: 2_500, width: 17, transactions: 3, out: { path: out, bytes: 2_500 * 18, sealed: false } });
    const text = readFileSync(out);
    expect(result.sha256).toBe(createHash('sha256').update(text).digest('hex'));
    const lines = text.toString('latin1').trimEnd().split('\n');
    expect([...lines].sort()).toEqual(codesOf(req.uuid));
    expect(row(req.uuid)).toEqual({ state: 'ready', count: 2_500, sha256: result.sha256 });
    expect(progress.filter((p) => p.phase === 'insert').map((p) => p.done)).toEqual([1_000, 2_000, 2_500]);
    expect(readdirSync(dir.path).filter((f) => f.includes('.partial'))).toEqual([]);
    expect(verifyStore(store.db).ok).toBe(true);
  });

  it('replaces draws that repeat within the run and codes already stored by other packages', async () => {
    const first = await generatePackage(store.db, request({ count: 4_000, batchRows: 1_500 }), hooks(1));
    // 4,000 draws from 10,000 values repeat ~700 times; each repeat is replaced.
    expect(first.replaced.withinRun).toBeGreaterThan(100);
    expect(codesOf(first.uuid)).toHaveLength(4_000);
    const out = dir.file('second.txt');
    const second = await generatePackage(store.db, request({ count: 1_000, batchRows: 400, out: { type: 'plain', path: out } }), hooks(2));
    // ~40% of the second package's draws hit codes of the first.
    expect(second.replaced.alreadyStored).toBeGreaterThan(100);
    const mine = codesOf(second.uuid);
    expect(mine).toHaveLength(1_000);
    const exported = readFileSync(out, 'latin1').trimEnd().split('\n').sort();
    expect(exported).toEqual(mine);
    expect(new Set([...codesOf(first.uuid), ...mine]).size).toBe(5_000);
    expect(verifyStore(store.db).ok).toBe(true);
  });

  it('refuses a count larger than half the code space before writing anything', async () => {
    await expect(generatePackage(store.db, request({ count: 6_000 }), hooks(3))).rejects.toMatchObject({ code: 'CODE_SPACE_EXHAUSTED' });
    expect(store.db.prepare('SELECT count(*) FROM code_packages').pluck().get()).toBe(0);
  });

  it('aborts the package whole when the code space runs out during replacement', async () => {
    // Fill 9,990 of the 10,000 values directly, then ask for 10 more: a few draws in 64 rounds cannot find them.
    const w = new CodeWriter(store.db, 4);
    w.begin({ uuid: 'full', kind: 'cap-outer', productId: null, profileJson: '{}' });
    const bytes = Buffer.from(Array.from({ length: 9_990 }, (_, i) => String(i).padStart(4, '0')).join(''), 'latin1');
    w.transaction(() => { w.insertSorted(bytes, 9_990); w.finish({ actor: 't', sha256: null }); });
    const out = dir.file('never.txt');
    const req = request({ count: 10, out: { type: 'plain', path: out } });
    await expect(generatePackage(store.db, req, hooks(4))).rejects.toMatchObject({ code: 'CODE_SPACE_EXHAUSTED' });
    expect(row(req.uuid)).toMatchObject({ state: 'aborted', count: 0 });
    expect(codesOf(req.uuid)).toEqual([]);
    expect(readdirSync(dir.path).filter((f) => f.includes('never'))).toEqual([]);
    expect(verifyStore(store.db).ok).toBe(true);
  });

  it('on cancellation removes every committed batch and leaves no export file', async () => {
    const out = dir.file('cancel.txt');
    const progress: GenerateProgress[] = [];
    const req = request({ profile: DEFAULT_PROFILES['cap-outer'], count: 5_000, batchRows: 1_000, out: { type: 'plain', path: out } });
    // Cancel once two batches have committed.
    const cancelled = { random: seededBytes(5), onProgress: (p: GenerateProgress) => { progress.push(p); }, cancelled: () => progress.filter((p) => p.phase === 'insert').length >= 2 };
    await expect(generatePackage(store.db, req, cancelled)).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(progress.filter((p) => p.phase === 'insert')).toHaveLength(2);
    expect(row(req.uuid)).toMatchObject({ state: 'aborted', count: 0 });
    expect(codesOf(req.uuid)).toEqual([]);
    expect(readdirSync(dir.path).filter((f) => f.includes('cancel'))).toEqual([]);
  });

  it('buckets a package larger than one sorted run: memory bounded by the run, inserts and export in key order, scratch removed', async () => {
    const out = dir.file('codes.txt');
    const req = request({ profile: DEFAULT_PROFILES['cap-outer'], count: 30_000, batchRows: 7_000, sortBlockRows: 10_000, out: { type: 'plain', path: out } });
    const result = await generatePackage(store.db, req, hooks(6));
    expect(result.count).toBe(30_000);
    // ceil(30 000 × 1.1 / 10 000) = 4 buckets, each well under the 10 000 of one run.
    expect(result.sortedRuns.count).toBe(4);
    expect(result.sortedRuns.largest).toBeLessThanOrEqual(10_000);
    expect(result.sortedRuns.largest).toBeGreaterThan(5_000);
    expect(codesOf(req.uuid)).toHaveLength(30_000);
    // One left-to-right walk of the key space: the export (commit order) is ascending, as a single run would be.
    const lines = readFileSync(out, 'latin1').trimEnd().split('\n');
    expect(lines).toHaveLength(30_000);
    expect(lines).toEqual([...lines].sort());
    expect(readdirSync(dir.path).filter((f) => f.startsWith('.wuma-gen-'))).toEqual([]);
    expect(verifyStore(store.db).ok).toBe(true);
  });

  it('keeps a package within one run unbucketed', async () => {
    const result = await generatePackage(store.db, request({ profile: DEFAULT_PROFILES['cap-outer'], count: 3_000, batchRows: 700 }), hooks(8));
    expect(result.sortedRuns).toEqual({ count: 1, largest: 3_000 });
    expect(result.transactions).toBe(5);
  });

  it('removes the scratch buckets when a bucketed run is cancelled', async () => {
    const progress: GenerateProgress[] = [];
    const req = request({ profile: DEFAULT_PROFILES['cap-outer'], count: 30_000, batchRows: 7_000, sortBlockRows: 10_000 });
    const cancelled = { random: seededBytes(9), onProgress: (p: GenerateProgress) => { progress.push(p); }, cancelled: () => progress.filter((p) => p.phase === 'insert').length >= 1 };
    await expect(generatePackage(store.db, req, cancelled)).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(row(req.uuid)).toMatchObject({ state: 'aborted', count: 0 });
    expect(readdirSync(dir.path).filter((f) => f.startsWith('.wuma-gen-'))).toEqual([]);
  });

  /** A product and a batch in `state`, written as another process (the station) would. */
  function batchIn(state: 'running' | 'paused', db = store.db): void {
    db.exec(`INSERT OR IGNORE INTO products (id, name, units_per_case, cases_per_pallet, profiles, created_at) VALUES ('p', 'x', 12, 70, '{}', 'now')`);
    db.prepare(`INSERT INTO batches (product_id, lot, production_date, line, state, started_at) VALUES ('p', 'L1', '2026-03-01', 'A1', ?, 'now')`).run(state);
  }

  it('writes line-friendly small transactions while a batch is running, and 1M-row ones when none is', async () => {
    const progress: GenerateProgress[] = [];
    batchIn('running');
    const req = request({ profile: DEFAULT_PROFILES['cap-outer'], count: 60_000 });
    const small = await generatePackage(store.db, req, hooks(9, progress));
    // Starts at 10,000 rows and at most doubles per step, so 60,000 codes take ≥ 3 transactions, none near 1M.
    expect(small.writeLock.transactions.fast).toBe(0);
    expect(small.writeLock.transactions.line).toBe(small.transactions);
    expect(small.transactions).toBeGreaterThanOrEqual(3);
    expect(small.writeLock.largestRows).toEqual({ fast: 0, line: expect.any(Number) });
    expect(small.writeLock.largestRows.line).toBeLessThanOrEqual(30_000);
    expect(progress.filter((p) => p.phase === 'insert').map((p) => p.done).at(-1)).toBe(60_000);
    expect(codesOf(req.uuid)).toHaveLength(60_000);
    expect(row(req.uuid)).toMatchObject({ state: 'ready', count: 60_000 });

    // A paused batch is no running line: the fast path is back, one transaction for the whole package.
    store.db.exec(`UPDATE batches SET state = 'paused'`);
    const fast = await generatePackage(store.db, request({ profile: DEFAULT_PROFILES['cap-outer'], count: 60_000 }), hooks(10));
    expect(fast.writeLock).toMatchObject({ transactions: { fast: 1, line: 0 }, largestRows: { fast: 60_000, line: 0 } });
    expect(verifyStore(store.db).ok).toBe(true);
  });

  it('switches to small transactions between two transactions when a batch starts during the run', async () => {
    const station = new Database(dir.file('wuma.db'));
    try {
      let started = false;
      const progress: GenerateProgress[] = [];
      const onProgress = (p: GenerateProgress): void => {
        progress.push(p);
        // The first committed transaction: the line starts, through another connection.
        if (p.phase === 'insert' && !started) { started = true; batchIn('running', station); }
      };
      const req = request({ profile: DEFAULT_PROFILES['cap-outer'], count: 100_000, batchRows: 40_000 });
      const result = await generatePackage(store.db, req, { random: seededBytes(11), onProgress, cancelled: () => false });
      expect(result.writeLock.transactions.fast).toBe(1);
      expect(result.writeLock.largestRows.fast).toBe(40_000);
      expect(result.writeLock.transactions.line).toBeGreaterThanOrEqual(2);
      expect(result.writeLock.largestRows.line).toBeLessThanOrEqual(30_000);
      expect(codesOf(req.uuid)).toHaveLength(100_000);
      expect(row(req.uuid)).toMatchObject({ state: 'ready', count: 100_000 });
    } finally {
      station.close();
    }
  });

  it('rejects a count outside 1..100,000,000', async () => {
    await expect(generatePackage(store.db, request({ count: 0 }), hooks(8))).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(generatePackage(store.db, request({ count: 100_000_001 }), hooks(8))).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });
});
