import Database from 'better-sqlite3';
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../edge/cli/main.ts';
import { DEFAULT_PROFILES, generateCodes, webCryptoRandom } from '../../edge/codes/index.ts';
import { kindToInt, statusToInt, type CodeKind, type CodeStatus } from '../../edge/domain/kinds.ts';
import { maskCode } from '../../edge/domain/mask.ts';
import { openStore } from '../../edge/store/open.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const PASS = 'Huacai-2024-cap-supplier!';
const ENV = { WUMA_PACKAGE_PASSPHRASE: PASS, USER: 'it-test' };

// The CLI matches command words on [a-z0-9]+, so `wuma codes import-package` is spelled here as
// `codes import package` (same file, codes-import-package.ts); see the report for the main.ts change.
interface Run { code: number; stdout: string; stderr: string; json(): Record<string, unknown> }

async function wuma(argv: readonly string[], env: NodeJS.ProcessEnv = ENV): Promise<Run> {
  const out = new PassThrough();
  const err = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  out.on('data', (c: Buffer) => o.push(c));
  err.on('data', (c: Buffer) => e.push(c));
  const code = await runCli(argv, { stdout: out, stderr: err, env: { ...env }, shutdown: new Promise<string>(() => undefined) });
  out.end();
  err.end();
  const stdout = Buffer.concat(o).toString('utf8');
  return { code, stdout, stderr: Buffer.concat(e).toString('utf8'), json: () => JSON.parse(stdout.trim().split('\n').pop() ?? 'null') as Record<string, unknown> };
}

let dir: TempDir;
beforeEach(() => { dir = makeTempDir(); });
afterEach(() => { dir.remove(); });

/** A station DB with one ready generated package per requested kind; returns the codes. */
async function seed(db: string, kinds: Partial<Record<CodeKind, number>>, status: CodeStatus = 'available'): Promise<{ uuids: Record<string, string>; codes: Record<string, string[]> }> {
  const store = openStore(db, { checkpointer: false });
  const uuids: Record<string, string> = {};
  const codes: Record<string, string[]> = {};
  try {
    store.db.transaction(() => {
      for (const [kind, n] of Object.entries(kinds) as Array<[CodeKind, number]>) {
        const uuid = randomUUID();
        const list = generateCodes(DEFAULT_PROFILES[kind], n, webCryptoRandom);
        const id = Number(store.db.prepare(`INSERT INTO code_packages (uuid, kind, source, count, state, profile, created_at, finished_at)
          VALUES (?, ?, 'generated', ?, 'ready', ?, ?, ?)`).run(uuid, kindToInt(kind), n, JSON.stringify(DEFAULT_PROFILES[kind]), new Date().toISOString(), new Date().toISOString()).lastInsertRowid);
        const ins = store.db.prepare('INSERT INTO codes (code, kind, status, package_id) VALUES (?, ?, ?, ?)');
        for (const c of list) ins.run(c, kindToInt(kind), statusToInt(status), id);
        uuids[kind] = uuid;
        codes[kind] = list;
      }
    })();
  } finally {
    await store.close();
  }
  return { uuids, codes };
}

/** SHA-256 over every row of every table, in a fixed order: equal digests = nothing stored or changed. */
function digest(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    const hash = createHash('sha256');
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
    for (const t of tables) {
      const rows = (db.prepare(`SELECT * FROM "${t}"`).raw().all() as unknown[][]).map((r) => JSON.stringify(r)).sort();
      hash.update(`${t}\n${rows.join('\n')}\n`);
    }
    return hash.digest('hex');
  } finally {
    db.close();
  }
}

function query<T>(path: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(path, { readonly: true });
  try { return db.prepare(sql).all(...params) as T[]; } finally { db.close(); }
}

/** Asserts a refused import: exit 1, each listed issue names file:line and a reason, the DB is unchanged, no secret in clear. */
async function expectRefused(db: string, argv: string[], want: { reason: string; line: number }[], secrets: readonly string[] = [], env: NodeJS.ProcessEnv = ENV): Promise<Record<string, unknown>> {
  const before = digest(db);
  const text = await wuma([...argv, '--db', db], env);
  expect(text.code, text.stderr).toBe(1);
  const file = argv.find((a) => a.includes('/'))?.split('/').pop() ?? '';
  for (const w of want) expect(text.stderr).toContain(`${file}:${w.line}:`);
  const json = await wuma([...argv, '--db', db, '--json'], env);
  expect(json.code).toBe(1);
  const body = json.json();
  expect(body['ok']).toBe(false);
  const details = body['details'] as { issues: Array<{ file: string; line: number; reason: string; message: string }> };
  for (const w of want) expect(details.issues).toContainEqual(expect.objectContaining({ file, line: w.line, reason: w.reason }));
  for (const s of secrets) {
    expect(text.stderr + text.stdout + json.stdout).not.toContain(s);
  }
  expect(digest(db)).toBe(before);
  return body;
}

describe('wuma codes export-package / import-package (sealed)', () => {
  it('round-trips a package into a second station: identical set, printed, imported, audited', async () => {
    const a = dir.file('a.db');
    const b = dir.file('b.db');
    const { uuids, codes } = await seed(a, { 'cap-inner': 3000 });
    await seed(b, { 'cap-outer': 10 });
    const out = dir.file('caps.wpkg');
    const exp = await wuma(['codes', 'export', 'package', '--package', uuids['cap-inner'] ?? '', '--out', out, '--db', a, '--json']);
    expect(exp.code, exp.stderr).toBe(0);
    expect(exp.json()).toMatchObject({ ok: true, count: 3000, kind: 'cap-inner' });
    const sample = codes['cap-inner']?.[42] ?? '';
    expect(readFileSync(out).includes(Buffer.from(sample))).toBe(false);

    const imp = await wuma(['codes', 'import', 'package', out, '--supplier', '华彩包装', '--db', b, '--json']);
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.json()).toMatchObject({ ok: true, packageId: uuids['cap-inner'], stored: 3000 });
    const got = query<{ code: string }>(b, 'SELECT code FROM codes WHERE kind = ? ORDER BY code', kindToInt('cap-inner')).map((r) => r.code);
    expect(got).toEqual([...(codes['cap-inner'] ?? [])].sort());
    expect(query(b, 'SELECT DISTINCT status FROM codes WHERE kind = ?', kindToInt('cap-inner'))).toEqual([{ status: statusToInt('printed') }]);
    expect(query(b, 'SELECT source, supplier, state, count FROM code_packages WHERE uuid = ?', uuids['cap-inner'])).toEqual([{ source: 'imported', supplier: '华彩包装', state: 'ready', count: 3000 }]);
    const audit = query<{ detail: string }>(b, "SELECT detail FROM audit_log WHERE action = 'codes.import-package'");
    expect(audit).toHaveLength(1);
    for (const c of codes['cap-inner'] ?? []) expect(audit[0]?.detail).not.toContain(c);
    expect((await wuma(['verify', '--db', b])).code).toBe(0);

    // The same package again: refused as already imported and as duplicates, nothing changes.
    await expectRefused(b, ['codes', 'import', 'package', out], [{ reason: 'package-exists', line: 0 }, { reason: 'duplicate-in-db', line: 1 }], codes['cap-inner']?.slice(0, 20));
  });

  it('round-trips to a supplier X25519 key and refuses the wrong one', async () => {
    const a = dir.file('a.db');
    const b = dir.file('b.db');
    const { uuids, codes } = await seed(a, { 'case-outer': 500 });
    await seed(b, {});
    const pair = generateKeyPairSync('x25519');
    writeFileSync(dir.file('sup.pub.pem'), pair.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(dir.file('sup.key.pem'), pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(dir.file('other.key.pem'), generateKeyPairSync('x25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const out = dir.file('cases.wpkg');
    expect((await wuma(['codes', 'export', 'package', '--package', uuids['case-outer'] ?? '', '--out', out, '--recipient-key', dir.file('sup.pub.pem'), '--db', a], {})).code).toBe(0);
    await expectRefused(b, ['codes', 'import', 'package', out, '--private-key', dir.file('other.key.pem')], [{ reason: 'sealed-package', line: 0 }], [], {});
    const ok = await wuma(['codes', 'import', 'package', out, '--private-key', dir.file('sup.key.pem'), '--db', b], {});
    expect(ok.code, ok.stderr).toBe(0);
    expect(query(b, 'SELECT count(*) AS n FROM codes')).toEqual([{ n: codes['case-outer']?.length }]);
  });

  describe('broken sealed files', () => {
    let b = '';
    let out = '';
    let secrets: string[] = [];
    beforeEach(async () => {
      const a = dir.file('a.db');
      b = dir.file('b.db');
      const { uuids, codes } = await seed(a, { 'cap-inner': 20_000 });
      secrets = codes['cap-inner']?.slice(0, 50) ?? [];
      await seed(b, { 'cap-outer': 5 });
      out = dir.file('caps.wpkg');
      expect((await wuma(['codes', 'export', 'package', '--package', uuids['cap-inner'] ?? '', '--out', out, '--db', a])).code).toBe(0);
    });
    it('truncated ciphertext: names the line where the stream broke', async () => {
      truncateSync(out, statSync(out).size - 1000);
      const body = await expectRefused(b, ['codes', 'import', 'package', out], [], secrets);
      const issue = (body['details'] as { issues: Array<{ line: number; reason: string; message: string }> }).issues[0];
      expect(issue?.reason).toBe('sealed-package');
      expect(issue?.line).toBeGreaterThan(10_000);
      expect(issue?.message).toMatch(/截断.*truncated/);
    });
    it('wrong passphrase', async () => {
      const body = await expectRefused(b, ['codes', 'import', 'package', out], [{ reason: 'sealed-package', line: 0 }], secrets, { WUMA_PACKAGE_PASSPHRASE: 'not-the-right-passphrase' });
      expect(JSON.stringify(body)).toMatch(/口令或私钥不正确.*wrong passphrase/);
    });
    it('tampered manifest (count)', async () => {
      const bytes = readFileSync(out).toString('latin1');
      writeFileSync(out, Buffer.from(bytes.replace('"count":20000', '"count":20001'), 'latin1'));
      const body = await expectRefused(b, ['codes', 'import', 'package', out], [{ reason: 'sealed-package', line: 1 }], secrets);
      expect(JSON.stringify(body)).toMatch(/篡改.*tampered/);
    });
  });
});

describe('wuma codes import-package (plain text)', () => {
  let db = '';
  let fresh: string[] = [];
  beforeEach(async () => {
    db = dir.file('s.db');
    await seed(db, { 'cap-outer': 100 });
    fresh = generateCodes(DEFAULT_PROFILES['cap-inner'], 200, webCryptoRandom);
  });
  const write = (name: string, text: string | Buffer): string => { writeFileSync(dir.file(name), text); return dir.file(name); };

  it('accepts CRLF, a BOM, blank lines and stray spaces, and checks --count and --sha256', async () => {
    const text = `\uFEFF${fresh.slice(0, 100).map((c, i) => (i === 5 ? `  ${c} ` : c)).join('\r\n')}\r\n\r\n${fresh.slice(100).join('\n')}\n`;
    const path = write('caps.txt', text);
    const sha = createHash('sha256').update(fresh.map((c) => `${c}\n`).join('')).digest('hex');
    const r = await wuma(['codes', 'import', 'package', path, '--kind', 'cap-inner', '--count', '200', '--sha256', sha, '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ ok: true, stored: 200, report: { stats: { bom: true, crlfLines: 101, blankLines: 1, trimmedLines: 1, sha256: sha } } });
    expect(query(db, 'SELECT count(*) AS n FROM codes WHERE status = 1')).toEqual([{ n: 200 }]);
  });

  it('count mismatch and sha mismatch', async () => {
    const path = write('caps.txt', `${fresh.join('\n')}\n`);
    await expectRefused(db, ['codes', 'import', 'package', path, '--kind', 'cap-inner', '--count', '199'], [{ reason: 'count-mismatch', line: 0 }], fresh);
    await expectRefused(db, ['codes', 'import', 'package', path, '--kind', 'cap-inner', '--sha256', 'a'.repeat(64)], [{ reason: 'sha-mismatch', line: 0 }], fresh);
    writeFileSync(`${path}.manifest.json`, JSON.stringify({ count: 201 }));
    await expectRefused(db, ['codes', 'import', 'package', path, '--kind', 'cap-inner'], [{ reason: 'count-mismatch', line: 0 }], fresh);
  });

  it('duplicate within the file, duplicate against the DB, bad check character, wrong format', async () => {
    const existing = query<{ code: string }>(db, 'SELECT code FROM codes LIMIT 1')[0]?.code ?? '';
    const c0 = fresh[0] ?? '';
    const last = c0.at(-1) === '0' ? '1' : '0';
    const badCheck = `${(fresh[1] ?? '').slice(0, -1)}${last === (fresh[1] ?? '').at(-1) ? '2' : last}`;
    const lines = [c0, fresh[2], c0, badCheck, 'SHORT', fresh[3]];
    const path = write('bad.txt', `${lines.join('\n')}\n`);
    await expectRefused(db, ['codes', 'import', 'package', path, '--kind', 'cap-inner'], [
      { reason: 'duplicate-in-file', line: 3 },
      { reason: 'check-char', line: 4 },
      { reason: 'format', line: 5 },
    ], [c0, badCheck]);
    const outer = write('outer.txt', `${generateCodes(DEFAULT_PROFILES['cap-outer'], 3, webCryptoRandom).join('\n')}\n${existing}\n`);
    await expectRefused(db, ['codes', 'import', 'package', outer, '--kind', 'cap-outer'], [{ reason: 'duplicate-in-db', line: 4 }]);
  });

  it('lists the first 50 issues and the total, and --json carries all of them', async () => {
    const path = write('junk.txt', `${Array.from({ length: 120 }, (_, i) => `JUNK${i}`).join('\n')}\n`);
    const r = await wuma(['codes', 'import', 'package', path, '--kind', 'cap-outer', '--db', db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('junk.txt:50:');
    expect(r.stderr).not.toContain('junk.txt:51:');
    expect(r.stderr).toContain('共 120 个问题');
    const j = await wuma(['codes', 'import', 'package', path, '--kind', 'cap-outer', '--db', db, '--json']);
    expect((j.json()['details'] as { issues: unknown[] }).issues).toHaveLength(120);
  });

  it('usage errors: no kind for a plain file, sealed file without key, short passphrase', async () => {
    const path = write('caps.txt', `${fresh.join('\n')}\n`);
    expect((await wuma(['codes', 'import', 'package', path, '--db', db])).code).toBe(2);
    writeFileSync(dir.file('short.txt'), '123456\n');
    const r = await wuma(['codes', 'import', 'package', path, '--kind', 'cap-inner', '--passphrase-file', dir.file('short.txt'), '--db', db], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('short.txt');
    expect(r.stderr).toContain('口令太短');
    expect((await wuma(['codes', 'export', 'package', '--package', randomUUID(), '--out', dir.file('x.wpkg'), '--db', db], {})).code).toBe(2);
  });
});

describe('wuma codes import-pairs', () => {
  let db = '';
  let c: Record<string, string[]> = {};
  beforeEach(async () => {
    db = dir.file('s.db');
    c = (await seed(db, { 'cap-inner': 10, 'cap-outer': 10, 'case-inner': 3, 'case-outer': 3 }, 'printed')).codes;
  });
  const at = (kind: string, i: number): string => c[kind]?.[i] ?? '';

  it('stores pairs on both rows, accepts a header and tab/comma, either order, and is idempotent', async () => {
    const lines = ['盖内码,盖外码', ...Array.from({ length: 8 }, (_, i) => (i % 2 ? `${at('cap-inner', i)}\t${at('cap-outer', i)}` : `${at('cap-outer', i)},${at('cap-inner', i)}`)), `${at('case-inner', 0)},${at('case-outer', 0)}`];
    writeFileSync(dir.file('pairs.csv'), `${lines.join('\r\n')}\r\n`);
    const r = await wuma(['codes', 'import', 'pairs', dir.file('pairs.csv'), '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ ok: true, stored: 9, report: { stats: { header: true } } });
    expect(query(db, 'SELECT pair FROM codes WHERE code = ?', at('cap-inner', 3))).toEqual([{ pair: at('cap-outer', 3) }]);
    expect(query(db, 'SELECT pair FROM codes WHERE code = ?', at('cap-outer', 3))).toEqual([{ pair: at('cap-inner', 3) }]);
    const again = await wuma(['codes', 'import', 'pairs', dir.file('pairs.csv'), '--db', db, '--json']);
    expect(again.json()).toMatchObject({ ok: true, stored: 0, report: { stats: { alreadyPaired: 9 } } });
    expect((await wuma(['verify', '--db', db])).code).toBe(0);
    const audit = query<{ detail: string }>(db, "SELECT detail FROM audit_log WHERE action = 'codes.import-pairs'");
    for (const code of c['cap-inner'] ?? []) expect(audit.map((a) => a.detail).join()).not.toContain(code);
  });

  it('refuses wrong kind pairs, unknown codes, duplicates in the file, codes paired elsewhere and bad lines', async () => {
    writeFileSync(dir.file('first.csv'), `${at('cap-inner', 9)},${at('cap-outer', 9)}\n`);
    expect((await wuma(['codes', 'import', 'pairs', dir.file('first.csv'), '--db', db])).code).toBe(0);
    const unknown = generateCodes(DEFAULT_PROFILES['cap-inner'], 1, webCryptoRandom)[0] ?? '';
    const lines = [
      `${at('cap-inner', 0)},${at('case-outer', 0)}`,
      `${unknown},${at('cap-outer', 1)}`,
      `${at('cap-inner', 2)},${at('cap-outer', 2)}`,
      `${at('cap-inner', 2)},${at('cap-outer', 3)}`,
      `${at('cap-inner', 4)},${at('cap-outer', 9)}`,
      `${at('cap-inner', 5)}`,
    ];
    writeFileSync(dir.file('pairs.csv'), `${lines.join('\n')}\n`);
    await expectRefused(db, ['codes', 'import', 'pairs', dir.file('pairs.csv')], [
      { reason: 'wrong-kind', line: 1 },
      { reason: 'unknown-code', line: 2 },
      { reason: 'duplicate-in-file', line: 4 },
      { reason: 'already-paired', line: 5 },
      { reason: 'bad-line', line: 6 },
    ], [...(c['cap-inner'] ?? []), unknown]);
  });
});

describe('wuma codes import-waste', () => {
  let db = '';
  let c: Record<string, string[]> = {};
  beforeEach(async () => {
    db = dir.file('s.db');
    c = (await seed(db, { 'cap-inner': 10, 'cap-outer': 10 }, 'printed')).codes;
  });

  it('voids the listed codes with an audit row and is idempotent', async () => {
    const list = [...(c['cap-inner']?.slice(0, 3) ?? []), c['cap-outer']?.[0] ?? ''];
    writeFileSync(dir.file('waste.txt'), `${list.join('\n')}\n`);
    const r = await wuma(['codes', 'import', 'waste', dir.file('waste.txt'), '--reason', '印刷污损 (smudged)', '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ ok: true, voided: 4 });
    expect(query(db, 'SELECT count(*) AS n FROM codes WHERE status = 8')).toEqual([{ n: 4 }]);
    const audit = query<{ reason: string; detail: string }>(db, "SELECT reason, detail FROM audit_log WHERE action = 'codes.import-waste'");
    expect(audit[0]?.reason).toBe('印刷污损 (smudged)');
    expect(audit[0]?.detail).toContain(maskCode(list[0] ?? ''));
    expect(audit[0]?.detail).not.toContain(list[0]);
    expect((await wuma(['codes', 'import', 'waste', dir.file('waste.txt'), '--db', db, '--json'])).json()).toMatchObject({ ok: true, voided: 0, report: { stats: { alreadyVoided: 4 } } });
  });

  it('refuses unknown, aggregated and duplicated codes, storing nothing', async () => {
    const s = openStore(db, { checkpointer: false });
    s.db.prepare('UPDATE codes SET status = 2 WHERE code = ?').run(c['cap-outer']?.[1]);
    s.db.prepare('UPDATE codes SET status = 3 WHERE code = ?').run(c['cap-outer']?.[1]);
    await s.close();
    const unknown = generateCodes(DEFAULT_PROFILES['cap-inner'], 1, webCryptoRandom)[0] ?? '';
    const lines = [c['cap-inner']?.[0], unknown, c['cap-outer']?.[1], c['cap-inner']?.[0]];
    writeFileSync(dir.file('waste.txt'), `${lines.join('\n')}\n`);
    await expectRefused(db, ['codes', 'import', 'waste', dir.file('waste.txt')], [
      { reason: 'unknown-code', line: 2 },
      { reason: 'bad-status', line: 3 },
      { reason: 'duplicate-in-file', line: 4 },
    ], [...(c['cap-inner'] ?? []), unknown]);
  });
});
