import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { PackageError } from './errors.ts';
import { parseManifest, type SealedManifest } from './manifest.ts';
import { checkScryptParams, deriveOpenKey, type KeyHeader, type OpenKey } from './package-key.ts';
import {
  CHUNK_SIZE, FORMAT_NAME, FORMAT_VERSION, MAGIC, MAX_HEADER_BYTES, NONCE_PREFIX_BYTES, RECORD_HEAD_BYTES, TAG_BYTES,
  headerDigest, recordAad, recordNonce, type SealedHeader,
} from './sealed-format.ts';

const READ_BLOCK = 1024 * 1024;

/** Reads a file forward through a 1 MiB block; `take(n)` returns fewer than n bytes only at end of file. */
class ForwardReader {
  readonly #fh: FileHandle;
  #position = 0;
  #buf = Buffer.alloc(0);
  constructor(fh: FileHandle) {
    this.#fh = fh;
  }
  async take(n: number): Promise<Buffer> {
    while (this.#buf.length < n) {
      const block = Buffer.allocUnsafe(Math.max(READ_BLOCK, n - this.#buf.length));
      const { bytesRead } = await this.#fh.read(block, 0, block.length, this.#position);
      if (bytesRead === 0) break;
      this.#position += bytesRead;
      this.#buf = this.#buf.length === 0 ? block.subarray(0, bytesRead) : Buffer.concat([this.#buf, block.subarray(0, bytesRead)]);
    }
    const out = this.#buf.subarray(0, Math.min(n, this.#buf.length));
    this.#buf = this.#buf.subarray(out.length);
    return out;
  }
}

/** True when the file starts with the sealed-package magic (a cheap sniff for `import-package`). */
export async function isSealedPackage(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(MAGIC.length);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return bytesRead === MAGIC.length && head.equals(MAGIC);
  } finally {
    await fh.close();
  }
}

function parseKeyHeader(value: unknown, where: string): KeyHeader {
  const k = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const b64 = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(v);
  if (k['type'] === 'scrypt' && b64(k['salt']) && b64(k['keyCheck'])) {
    const params = { N: Number(k['N']), r: Number(k['r']), p: Number(k['p']) };
    checkScryptParams(params, where);
    if (Buffer.from(k['salt'], 'base64').length < 16) throw new PackageError('WEAK_KDF', `${where}: scrypt 盐太短 (scrypt salt shorter than 16 bytes)`);
    return { type: 'scrypt', salt: k['salt'], keyCheck: k['keyCheck'], ...params };
  }
  if (k['type'] === 'x25519-hkdf-sha256' && b64(k['ephemeralPublicKey']) && b64(k['keyCheck']) && typeof k['recipient'] === 'string') {
    return { type: 'x25519-hkdf-sha256', ephemeralPublicKey: k['ephemeralPublicKey'], recipient: k['recipient'], keyCheck: k['keyCheck'] };
  }
  throw new PackageError('UNSUPPORTED_FORMAT', `${where}: 文件头 key 字段无效或不支持 (header field "key" is invalid or unsupported)`);
}

async function readHeader(reader: ForwardReader, where: string): Promise<{ header: SealedHeader; prelude: Buffer; sha256: Buffer }> {
  const start = await reader.take(MAGIC.length + 4);
  if (start.length < MAGIC.length || !start.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new PackageError('NOT_A_PACKAGE', `${where}: 不是 wuma 加密码包 (not a wuma sealed package: magic "WUMAPKG1" missing)`);
  }
  if (start.length < MAGIC.length + 4) throw new PackageError('TRUNCATED', `${where}: 文件在文件头处被截断 (file truncated inside the header)`);
  const len = start.readUInt32BE(MAGIC.length);
  if (len === 0 || len > MAX_HEADER_BYTES) throw new PackageError('TAMPERED', `${where}: 文件头长度 ${len} 无效 (header length ${len} is invalid)`);
  const json = await reader.take(len);
  const sha256 = await reader.take(32);
  if (json.length < len || sha256.length < 32) throw new PackageError('TRUNCATED', `${where}: 文件在文件头处被截断 (file truncated inside the header)`);
  let raw: unknown;
  try {
    raw = JSON.parse(json.toString('utf8'));
  } catch (error) {
    throw new PackageError('TAMPERED', `${where}: 文件头不是有效 JSON (header is not valid JSON)`, { cause: error });
  }
  const h = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (h['format'] !== FORMAT_NAME) throw new PackageError('NOT_A_PACKAGE', `${where}: 文件头 format 应为 ${FORMAT_NAME} (header format must be ${FORMAT_NAME})`);
  if (h['version'] !== FORMAT_VERSION) {
    throw new PackageError('UNSUPPORTED_FORMAT', `${where}: 格式版本 ${String(h['version'])} 不支持，本程序支持 ${FORMAT_VERSION} (format version ${String(h['version'])} unsupported; this build reads ${FORMAT_VERSION})`);
  }
  const c = (typeof h['cipher'] === 'object' && h['cipher'] !== null ? h['cipher'] : {}) as Record<string, unknown>;
  const prefix = typeof c['noncePrefix'] === 'string' ? Buffer.from(c['noncePrefix'], 'base64') : Buffer.alloc(0);
  if (c['name'] !== 'AES-256-GCM' || c['chunkSize'] !== CHUNK_SIZE || prefix.length !== NONCE_PREFIX_BYTES) {
    throw new PackageError('UNSUPPORTED_FORMAT', `${where}: 文件头 cipher 字段不支持 (header field "cipher" unsupported: AES-256-GCM, chunkSize ${CHUNK_SIZE})`);
  }
  const header: SealedHeader = {
    format: FORMAT_NAME,
    version: FORMAT_VERSION,
    manifest: parseManifest(h['manifest'], where),
    cipher: { name: 'AES-256-GCM', chunkSize: CHUNK_SIZE, noncePrefix: c['noncePrefix'] as string },
    key: parseKeyHeader(h['key'], where),
  };
  return { header, prelude: Buffer.concat([start, json]), sha256 };
}

export interface OpenedPackage {
  /** As declared in the header; authenticated only once `plaintext()` has run to its end without error. */
  readonly manifest: SealedManifest;
  /**
   * The plaintext, one verified record (≤ 64 KiB) at a time. Each record is yielded only after its GCM tag
   * checked; the stream as a whole is only proven complete and untampered when the generator finishes, so a
   * caller must stage what it reads and commit nothing before the end (throws TRUNCATED / TAMPERED /
   * COUNT_MISMATCH / SHA_MISMATCH).
   */
  plaintext(): AsyncGenerator<Buffer, void, void>;
  close(): Promise<void>;
}

/**
 * Opens a sealed package: reads and checks the header, derives the key (WRONG_KEY when it does not match
 * the header's key check), and returns the manifest with a streaming, verifying decryptor.
 */
export async function openSealedPackage(path: string, key: OpenKey): Promise<OpenedPackage> {
  const where = basename(path);
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (error) {
    throw new PackageError('IO', `${where}: 无法打开文件 (cannot open file): ${(error as Error).message}`, { cause: error });
  }
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await fh.close();
  };
  try {
    const reader = new ForwardReader(fh);
    const { header, prelude, sha256 } = await readHeader(reader, where);
    const dataKey = await deriveOpenKey(header.key, key, where);
    const digest = headerDigest(prelude);
    const prefix = Buffer.from(header.cipher.noncePrefix, 'base64');
    const manifest: SealedManifest = { ...header.manifest, formatVersion: header.version, sha256: sha256.toString('hex') };
    async function* plaintext(): AsyncGenerator<Buffer, void, void> {
      const hash = createHash('sha256');
      let lines = 0;
      let last = -1;
      try {
        for (let index = 0; ; index += 1) {
          const head = await reader.take(RECORD_HEAD_BYTES);
          if (head.length < RECORD_HEAD_BYTES) {
            throw new PackageError('TRUNCATED', `${where}: 文件被截断，第 ${index + 1} 个数据块缺失或不完整 (file truncated at record ${index + 1})`);
          }
          const flag = head[0];
          const len = head.readUInt32BE(1);
          if ((flag !== 0 && flag !== 1) || len > CHUNK_SIZE) {
            throw new PackageError('TAMPERED', `${where}: 第 ${index + 1} 个数据块的块头无效 (record ${index + 1} has an invalid record header)`);
          }
          const body = await reader.take(len + TAG_BYTES);
          if (body.length < len + TAG_BYTES) {
            throw new PackageError('TRUNCATED', `${where}: 文件被截断，第 ${index + 1} 个数据块不完整 (file truncated inside record ${index + 1})`);
          }
          const final = flag === 1;
          const decipher = createDecipheriv('aes-256-gcm', dataKey, recordNonce(prefix, index, final), { authTagLength: TAG_BYTES });
          decipher.setAAD(recordAad(digest, index, final, sha256));
          decipher.setAuthTag(body.subarray(len));
          let plain: Buffer;
          try {
            plain = Buffer.concat([decipher.update(body.subarray(0, len)), decipher.final()]);
          } catch (error) {
            throw new PackageError('TAMPERED', `${where}: 第 ${index + 1} 个数据块校验失败，文件被篡改或损坏 (record ${index + 1} failed authentication: file tampered or corrupt)`, { cause: error });
          }
          hash.update(plain);
          for (let at = plain.indexOf(0x0a); at !== -1; at = plain.indexOf(0x0a, at + 1)) lines += 1;
          if (plain.length > 0) last = plain[plain.length - 1] ?? last;
          if (!final) {
            yield plain;
            continue;
          }
          const extra = await reader.take(1);
          if (extra.length > 0) throw new PackageError('TAMPERED', `${where}: 结束块之后还有多余数据 (unexpected data after the final record)`);
          if (lines !== manifest.count || (last !== -1 && last !== 0x0a)) {
            throw new PackageError('COUNT_MISMATCH', `${where}: 清单数量 ${manifest.count}，解密后 ${lines} 行 (manifest count ${manifest.count}, decrypted ${lines} lines)`);
          }
          const got = hash.digest();
          if (!timingSafeEqual(got, sha256)) {
            throw new PackageError('SHA_MISMATCH', `${where}: SHA-256 不符，清单 ${manifest.sha256}，实际 ${got.toString('hex')} (SHA-256 mismatch)`);
          }
          if (plain.length > 0) yield plain;
          return;
        }
      } finally {
        dataKey.fill(0);
        await close();
      }
    }
    return { manifest, plaintext, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Reads only the header of a sealed package (no key needed): what IT checks before importing. */
export async function readSealedManifest(path: string): Promise<SealedManifest> {
  const fh = await open(path, 'r');
  try {
    const { header, sha256 } = await readHeader(new ForwardReader(fh), basename(path));
    return { ...header.manifest, formatVersion: header.version, sha256: sha256.toString('hex') };
  } finally {
    await fh.close();
  }
}
