import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import type { PackageManifest } from './manifest.ts';
import { openSealedPackage, readSealedManifest } from './open-sealed.ts';
import type { OpenKey, SealKey } from './package-key.ts';
import { writeSealedPackage } from './seal.ts';
import { CHUNK_SIZE, MAGIC, RECORD_HEAD_BYTES, TAG_BYTES } from './sealed-format.ts';

// The minimum accepted scrypt cost keeps these tests fast; production writes N = 2^17.
const PASS = 'correct horse battery staple';
const sealPass: SealKey = { type: 'passphrase', passphrase: PASS, scrypt: { N: 2 ** 15, r: 8, p: 1 } };
const openPass: OpenKey = { type: 'passphrase', passphrase: PASS };

let dir: TempDir;
beforeEach(() => { dir = makeTempDir(); });
afterEach(() => { dir.remove(); });

function manifest(count: number): PackageManifest {
  return { packageId: randomUUID(), kind: 'cap-inner', count, productId: 'BEER-500', createdAt: new Date().toISOString() };
}

function codes(n: number, width = 17): string[] {
  return Array.from({ length: n }, (_, i) => `C${String(i).padStart(width - 1, '0')}`);
}

function* asChunks(lines: readonly string[], per = 1000): Generator<Uint8Array> {
  for (let i = 0; i < lines.length; i += per) yield Buffer.from(lines.slice(i, i + per).map((l) => `${l}\n`).join(''));
}

async function readAll(path: string, key: OpenKey): Promise<string> {
  const opened = await openSealedPackage(path, key);
  const parts: Buffer[] = [];
  for await (const p of opened.plaintext()) parts.push(p);
  return Buffer.concat(parts).toString('utf8');
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await expect(p).rejects.toMatchObject({ code });
}

describe('writeSealedPackage / openSealedPackage', () => {
  it('round-trips many records with a passphrase and never writes the codes in clear', async () => {
    const lines = codes(20_000);
    const out = dir.file('p.wpkg');
    const m = manifest(lines.length);
    const res = await writeSealedPackage(out, m, asChunks(lines), sealPass);
    expect(res.bytes).toBe(statSync(out).size);
    expect(readFileSync(out).includes(Buffer.from(lines[1234] ?? 'x'))).toBe(false);
    expect(await readAll(out, openPass)).toBe(lines.map((l) => `${l}\n`).join(''));
    const header = await readSealedManifest(out);
    expect(header).toMatchObject({ ...m, sha256: res.sha256, formatVersion: 1 });
    expect(readdirSync(dir.path)).toEqual(['p.wpkg']);
  });

  it('round-trips to an X25519 recipient key and refuses another private key', async () => {
    const rec = generateKeyPairSync('x25519');
    const other = generateKeyPairSync('x25519');
    const out = dir.file('p.wpkg');
    await writeSealedPackage(out, manifest(3), [Buffer.from('A\nB\nC\n')], { type: 'recipient', publicKey: rec.publicKey });
    expect(await readAll(out, { type: 'private-key', privateKey: rec.privateKey })).toBe('A\nB\nC\n');
    await expectCode(readAll(out, { type: 'private-key', privateKey: other.privateKey }), 'WRONG_KEY');
    await expectCode(readAll(out, openPass), 'WRONG_KEY');
  });

  it('handles an empty package and a plaintext of exactly one record', async () => {
    const empty = dir.file('e.wpkg');
    await writeSealedPackage(empty, manifest(0), [], sealPass);
    expect(await readAll(empty, openPass)).toBe('');
    const line = `${'X'.repeat(1023)}\n`;
    const exact = Buffer.from(line.repeat(CHUNK_SIZE / 1024));
    const one = dir.file('one.wpkg');
    await writeSealedPackage(one, manifest(CHUNK_SIZE / 1024), [exact], sealPass);
    expect(await readAll(one, openPass)).toBe(exact.toString());
  });

  it('refuses a count that does not match the lines written and leaves no file', async () => {
    const out = dir.file('p.wpkg');
    await expectCode(writeSealedPackage(out, manifest(4), [Buffer.from('A\nB\nC\n')], sealPass), 'COUNT_MISMATCH');
    await expectCode(writeSealedPackage(out, manifest(3), [Buffer.from('A\nB\nC')], sealPass), 'BAD_PLAINTEXT');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir.path)).toEqual([]);
  });

  it('refuses weak scrypt parameters and short passphrases when writing', async () => {
    await expectCode(writeSealedPackage(dir.file('w'), manifest(0), [], { type: 'passphrase', passphrase: PASS, scrypt: { N: 2 ** 10, r: 8, p: 1 } }), 'WEAK_KDF');
    await expectCode(writeSealedPackage(dir.file('w'), manifest(0), [], { type: 'passphrase', passphrase: '123456' }), 'BAD_KEY');
  });

  describe('detects broken files', () => {
    const lines = codes(10_000);
    let out = '';
    let size = 0;
    beforeEach(async () => {
      out = dir.file('p.wpkg');
      await writeSealedPackage(out, manifest(lines.length), asChunks(lines), sealPass);
      size = statSync(out).size;
    });
    const headerEnd = (): number => MAGIC.length + 4 + readFileSync(out).readUInt32BE(MAGIC.length) + 32;

    it('wrong passphrase', async () => {
      await expectCode(readAll(out, { type: 'passphrase', passphrase: 'not the passphrase at all' }), 'WRONG_KEY');
    });
    it('truncated mid-record and at a record boundary', async () => {
      truncateSync(out, size - 100);
      await expectCode(readAll(out, openPass), 'TRUNCATED');
      const boundary = headerEnd() + RECORD_HEAD_BYTES + CHUNK_SIZE + TAG_BYTES;
      truncateSync(out, boundary);
      await expectCode(readAll(out, openPass), 'TRUNCATED');
    });
    it('a flipped ciphertext byte', async () => {
      const bytes = readFileSync(out);
      const at = headerEnd() + RECORD_HEAD_BYTES + 77;
      bytes[at] = (bytes[at] ?? 0) ^ 1;
      writeFileSync(out, bytes);
      await expectCode(readAll(out, openPass), 'TAMPERED');
    });
    it('a tampered manifest count (same length, so only authentication can tell)', async () => {
      const bytes = readFileSync(out);
      const text = bytes.toString('latin1');
      expect(text.includes('"count":10000')).toBe(true);
      writeFileSync(out, Buffer.from(text.replace('"count":10000', '"count":10001'), 'latin1'));
      await expectCode(readAll(out, openPass), 'TAMPERED');
    });
    it('a tampered sha256 field', async () => {
      const bytes = readFileSync(out);
      const at = headerEnd() - 5;
      bytes[at] = (bytes[at] ?? 0) ^ 0x80;
      writeFileSync(out, bytes);
      await expectCode(readAll(out, openPass), 'TAMPERED');
    });
    it('weakened scrypt parameters in the header', async () => {
      const bytes = readFileSync(out);
      const text = bytes.toString('latin1').replace('"N":32768', '"N":16384');
      writeFileSync(out, Buffer.from(text, 'latin1'));
      await expectCode(readAll(out, openPass), 'WEAK_KDF');
    });
    it('data after the final record', async () => {
      writeFileSync(out, Buffer.concat([readFileSync(out), Buffer.from('x')]));
      await expectCode(readAll(out, openPass), 'TAMPERED');
    });
    it('a file that is not a package', async () => {
      writeFileSync(out, 'A\nB\n');
      await expectCode(readAll(out, openPass), 'NOT_A_PACKAGE');
    });
  });
});

describe('format version 1 fixture', () => {
  it('still opens the sealed package written by the first release', async () => {
    const path = new URL('../../test/fixtures/packages/v1-passphrase.wpkg', import.meta.url).pathname;
    const m = await readSealedManifest(path);
    expect(m).toMatchObject({ packageId: '6f1c2a3e-58b4-4c8e-9d1a-2b7e4f0c9a11', kind: 'cap-outer', count: 3, productId: 'beer-500', formatVersion: 1 });
    expect(await readAll(path, { type: 'passphrase', passphrase: 'fixture passphrase 码包' })).toBe('7QK3M9XH2B4R\nA1B2C3D4E5F6\nZZZZ00001111\n');
  });
});
