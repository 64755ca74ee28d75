import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../edge/cli/main.ts';
import { hasValidCheckChar } from '../../edge/codes/check-char.ts';
import { openSealedPackage } from '../../edge/packages/index.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

interface Run { code: number; stdout: string; stderr: string }

async function wuma(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on('data', (c: Buffer) => chunks.out.push(c));
  err.on('data', (c: Buffer) => chunks.err.push(c));
  const code = await runCli(argv, { stdout: out, stderr: err, env, shutdown: new Promise<string>(() => {}) });
  out.end();
  err.end();
  return { code, stdout: Buffer.concat(chunks.out).toString('utf8'), stderr: Buffer.concat(chunks.err).toString('utf8') };
}

let dir: TempDir;
let db: string;
beforeEach(() => {
  dir = makeTempDir();
  db = dir.file('wuma.db');
});
afterEach(() => { dir.remove(); });

function query<T>(sql: string, ...params: unknown[]): T[] {
  const conn = new Database(db, { readonly: true });
  try {
    return conn.prepare(sql).all(...params) as T[];
  } finally {
    conn.close();
  }
}

describe('wuma codes generate', () => {
  it('generates a package into the store and a one-code-per-line file whose SHA-256 is in the package row', async () => {
    const out = dir.file('caps.txt');
    const run = await wuma(['codes', 'generate', '--kind', 'cap-inner', '--count', '50000', '--out', out, '--db', db, '--json']);
    expect(run.code, run.stderr).toBe(0);
    // Not a terminal: no progress bar, nothing on stderr.
    expect(run.stderr).toBe('');
    const summary = JSON.parse(run.stdout) as { ok: boolean; package: { uuid: string; count: number; sha256: string; kind: string }; out: { path: string; bytes: number } };
    expect(summary).toMatchObject({ ok: true, package: { count: 50_000, kind: 'cap-inner' }, out: { path: out, bytes: 50_000 * 18 } });

    const text = readFileSync(out);
    expect(createHash('sha256').update(text).digest('hex')).toBe(summary.package.sha256);
    const lines = text.toString('latin1').split('\n');
    expect(lines.pop()).toBe('');
    expect(new Set(lines).size).toBe(50_000);
    for (const code of lines.slice(0, 2_000)) {
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{16}[0-9A-Z*]$/);
      expect(hasValidCheckChar(code, 'mod37-36')).toBe(true);
    }
    // The secret codes never appear in the command's output.
    for (const code of lines.slice(0, 100)) expect(run.stdout).not.toContain(code);

    const [pkg] = query<{ state: string; count: number; sha256: string; owner_pid: number | null }>('SELECT state, count, sha256, owner_pid FROM code_packages WHERE uuid = ?', summary.package.uuid);
    expect(pkg).toEqual({ state: 'ready', count: 50_000, sha256: summary.package.sha256, owner_pid: null });
    const stored = query<{ code: string }>('SELECT code FROM codes ORDER BY code').map((r) => r.code);
    expect(stored).toEqual([...lines].sort());
    expect(readdirSync(dir.path).filter((f) => f.includes('.partial'))).toEqual([]);
    const verify = await wuma(['verify', '--db', db]);
    expect(verify.code, verify.stdout).toBe(0);
  });

  it('never overwrites an existing --out file and stores nothing then', async () => {
    const out = dir.file('exists.txt');
    writeFileSync(out, 'keep me\n');
    const run = await wuma(['codes', 'generate', '--kind', 'cap-outer', '--count', '10', '--out', out, '--db', db]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('已存在');
    expect(run.stderr).toContain(out);
    expect(readFileSync(out, 'utf8')).toBe('keep me\n');
  });

  it.each([
    [['--kind', 'cap-inner', '--count', '0'], '--count'],
    [['--kind', 'cap-inner', '--count', '100000001'], '--count'],
    [['--kind', 'cap-inner', '--count', '1e6'], '--count'],
    [['--kind', 'cap-inner'], '--count'],
    [['--kind', 'bottle', '--count', '5'], '--kind'],
    [['--count', '5'], '--kind'],
    [['--kind', 'cap-inner', '--count', '5', '--encrypt'], '--encrypt'],
    [['--kind', 'cap-inner', '--count', '5', '--bogus'], '--bogus'],
  ])('exits 2 naming the bad option for %j', async (args, named) => {
    const run = await wuma(['codes', 'generate', ...args, '--db', db]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(named);
  });

  it('uses the product\'s profile for the kind, and reports a bad stored profile with its field path', async () => {
    const boot = await wuma(['codes', 'generate', '--kind', 'pallet', '--count', '1', '--db', db]);
    expect(boot.code).toBe(0);
    const conn = new Database(db);
    const profiles = {
      'cap-outer': { scheme: 'random', kind: 'cap-outer', alphabet: 'digits', length: 12, prefix: '88', check: true, content: { type: 'plain' } },
      'case-outer': { scheme: 'random', kind: 'case-outer', alphabet: 'digits', length: 2, prefix: '', check: true, content: { type: 'plain' } },
    };
    conn.prepare(`INSERT INTO products (id, name, units_per_case, cases_per_pallet, profiles, created_at) VALUES ('BEER-500', '啤酒 500ml', 12, 70, ?, 'now')`).run(JSON.stringify(profiles));
    conn.close();

    const out = dir.file('beer.txt');
    const run = await wuma(['codes', 'generate', '--kind', 'cap-outer', '--count', '3000', '--product', 'BEER-500', '--out', out, '--db', db, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const codes = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(codes).toHaveLength(3000);
    for (const code of codes) expect(code).toMatch(/^88\d{13}$/);
    expect(query<{ product_id: string }>("SELECT product_id FROM code_packages WHERE kind = 2")).toEqual([{ product_id: 'BEER-500' }]);

    const bad = await wuma(['codes', 'generate', '--kind', 'case-outer', '--count', '5', '--product', 'BEER-500', '--db', db]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('products[BEER-500].profiles.case-outer.length');

    const missing = await wuma(['codes', 'generate', '--kind', 'cap-outer', '--count', '5', '--product', 'NOPE', '--db', db]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('NOPE');
  });

  it('--encrypt seals the export; it opens with the passphrase to the same codes and hash as the package row', async () => {
    const out = dir.file('caps.wmp');
    const env = { WUMA_PACKAGE_PASSPHRASE: 'correct horse battery staple' };
    const run = await wuma(['codes', 'generate', '--kind', 'case-inner', '--count', '20000', '--out', out, '--encrypt', '--db', db, '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { package: { uuid: string; sha256: string }; out: { sealed: boolean } };
    expect(summary.out.sealed).toBe(true);
    const sealed = readFileSync(out);
    const stored = query<{ code: string }>('SELECT code FROM codes ORDER BY code').map((r) => r.code);
    for (const code of stored.slice(0, 50)) expect(sealed.includes(Buffer.from(code))).toBe(false);

    const opened = await openSealedPackage(out, { type: 'passphrase', passphrase: env.WUMA_PACKAGE_PASSPHRASE });
    const parts: Buffer[] = [];
    try {
      for await (const part of opened.plaintext()) parts.push(part);
    } finally {
      await opened.close();
    }
    const plain = Buffer.concat(parts);
    expect(opened.manifest).toMatchObject({ packageId: summary.package.uuid, kind: 'case-inner', count: 20_000, sha256: summary.package.sha256 });
    expect(createHash('sha256').update(plain).digest('hex')).toBe(summary.package.sha256);
    expect(plain.toString('latin1').trimEnd().split('\n').sort()).toEqual(stored);
  });
});
