import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import { CodeWriter } from './code-writer.ts';
import { openStore, type Store } from './open.ts';
import { generationScratchDir, recoverInterruptedPackages } from './recover.ts';
import { verifyStore } from './verify.ts';
import { verifyAuditChain } from './audit.ts';

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

const W = 6;
function records(codes: readonly string[]): Uint8Array {
  for (const c of codes) expect(c).toHaveLength(W);
  return new Uint8Array(Buffer.from(codes.join(''), 'latin1'));
}
function start(uuid: string, productId: string | null = null) {
  return { uuid, kind: 'cap-outer' as const, productId, profileJson: '{"scheme":"random"}' };
}
function stored(packageId: number): string[] {
  return store.db.prepare('SELECT code FROM codes WHERE package_id = ? ORDER BY code').pluck().all(packageId) as string[];
}
function pkg(uuid: string): { state: string; count: number; owner_pid: number | null; sha256: string | null; finished_at: string | null } {
  return store.db.prepare('SELECT state, count, owner_pid, sha256, finished_at FROM code_packages WHERE uuid = ?').get(uuid) as never;
}

describe('CodeWriter', () => {
  it('writes a package as writing → batches → ready with count, sha256, audit row, and verify passes', () => {
    const w = new CodeWriter(store.db, W);
    const id = w.begin(start('p-1'));
    expect(pkg('p-1')).toMatchObject({ state: 'writing', count: 0, owner_pid: process.pid });
    const a = w.transaction(() => w.insertSorted(records(['AAAAA1', 'AAAAB2', 'BBBBB3']), 3));
    expect(a).toEqual({ inserted: 3, collided: [] });
    w.transaction(() => {
      expect(w.insertSorted(records(['CCCCC4', 'DDDDD5']), 2)).toEqual({ inserted: 2, collided: [] });
      w.finish({ actor: 'test', sha256: 'ab'.repeat(32) });
    });
    expect(stored(id)).toEqual(['AAAAA1', 'AAAAB2', 'BBBBB3', 'CCCCC4', 'DDDDD5']);
    expect(pkg('p-1')).toMatchObject({ state: 'ready', count: 5, owner_pid: null, sha256: 'ab'.repeat(32) });
    expect(pkg('p-1').finished_at).not.toBeNull();
    const audit = store.db.prepare("SELECT subject, detail FROM audit_log WHERE action = 'codes.generate'").get() as { subject: string; detail: string };
    expect(audit.subject).toBe('p-1');
    expect(JSON.parse(audit.detail)).toMatchObject({ count: 5, kind: 2 });
    expect(verifyAuditChain(store.db).brokenAt).toBeNull();
    expect(verifyStore(store.db).ok).toBe(true);
  });

  it('reports records already stored by another package and inserts only the others', () => {
    const first = new CodeWriter(store.db, W);
    first.begin(start('p-old'));
    first.transaction(() => { first.insertSorted(records(['BBBBB0', 'DDDDD0']), 2); first.finish({ actor: 't', sha256: null }); });
    const w = new CodeWriter(store.db, W);
    const id = w.begin(start('p-new'));
    const out = w.transaction(() => w.insertSorted(records(['AAAAA0', 'BBBBB0', 'CCCCC0', 'DDDDD0', 'EEEEE0']), 5));
    expect(out).toEqual({ inserted: 3, collided: [1, 3] });
    expect(stored(id)).toEqual(['AAAAA0', 'CCCCC0', 'EEEEE0']);
    expect(w.count).toBe(3);
    // The other package keeps its codes untouched.
    expect(store.db.prepare("SELECT package_id FROM codes WHERE code = 'BBBBB0'").pluck().get()).not.toBe(id);
  });

  it('catches a record that repeats one of an earlier batch of the same package', () => {
    const w = new CodeWriter(store.db, W);
    w.begin(start('p-1'));
    w.transaction(() => w.insertSorted(records(['KKKKK0', 'MMMMM0']), 2));
    const out = w.transaction(() => w.insertSorted(records(['KKKKK0', 'LLLLL0']), 2));
    expect(out).toEqual({ inserted: 1, collided: [0] });
    w.transaction(() => w.finish({ actor: 't', sha256: null }));
    expect(pkg('p-1').count).toBe(3);
    expect(verifyStore(store.db).ok).toBe(true);
  });

  it('refuses a batch with a duplicate inside it as a bug, leaving the transaction rolled back', () => {
    const w = new CodeWriter(store.db, W);
    const id = w.begin(start('p-1'));
    expect(() => w.transaction(() => w.insertSorted(records(['AAAAA0', 'AAAAA0', 'BBBBB0']), 3))).toThrow(expect.objectContaining({ code: 'BUG' }));
    expect(stored(id)).toEqual([]);
  });

  it('refuses an unknown product before writing anything', () => {
    const w = new CodeWriter(store.db, W);
    expect(() => w.begin(start('p-1', 'no-such-product'))).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(store.db.prepare('SELECT count(*) FROM code_packages').pluck().get()).toBe(0);
  });

  it('abort removes the codes of a package still being written, and leaves a ready package whole', () => {
    const w = new CodeWriter(store.db, W);
    const id = w.begin(start('p-1'));
    w.transaction(() => w.insertSorted(records(['AAAAA0', 'BBBBB0']), 2));
    expect(CodeWriter.abort(store.db, 'p-1')).toBe(2);
    expect(stored(id)).toEqual([]);
    expect(pkg('p-1')).toMatchObject({ state: 'aborted', count: 0 });
    expect(() => w.transaction(() => w.finish({ actor: 't', sha256: null }))).toThrow(expect.objectContaining({ code: 'CONFLICT' }));

    const r = new CodeWriter(store.db, W);
    r.begin(start('p-2'));
    r.transaction(() => { r.insertSorted(records(['CCCCC0']), 1); r.finish({ actor: 't', sha256: null }); });
    expect(CodeWriter.abort(store.db, 'p-2')).toBe(-1);
    expect(pkg('p-2')).toMatchObject({ state: 'ready', count: 1 });
    expect(verifyStore(store.db).ok).toBe(true);
  });

  it('leaves committed batches of a package whose owner died to recovery, which removes them whole', () => {
    const w = new CodeWriter(store.db, W);
    const id = w.begin(start('p-1'));
    w.transaction(() => w.insertSorted(records(['AAAAA0', 'BBBBB0']), 2));
    // Pretend the owner was another process that is gone (pid numbers above pid_max are never alive).
    store.db.prepare('UPDATE code_packages SET owner_pid = ? WHERE id = ?').run(2 ** 22 + 1, id);
    // The dead generator's scratch buckets (secret codes) go with its package; another package's stay.
    const scratch = generationScratchDir(store.path, 'p-1');
    mkdirSync(scratch);
    writeFileSync(join(scratch, 'bucket-0'), 'AAAAA0BBBBB0');
    const other = generationScratchDir(store.path, 'p-live');
    mkdirSync(other);
    expect(recoverInterruptedPackages(store.db)).toEqual({ abortedPackages: ['p-1'], removedCodes: 2 });
    expect(existsSync(scratch)).toBe(false);
    expect(existsSync(other)).toBe(true);
    expect(stored(id)).toEqual([]);
    expect(verifyStore(store.db).ok).toBe(true);
  });
});
