import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PackageError } from './errors.ts';
import { parseManifest, type PackageManifest } from './manifest.ts';
import { deriveSealKey, type SealKey } from './package-key.ts';
import {
  CHUNK_SIZE, FORMAT_NAME, FORMAT_VERSION, NONCE_PREFIX_BYTES, RECORD_HEAD_BYTES, TAG_BYTES,
  encodePrelude, headerDigest, recordAad, recordNonce, type SealedHeader,
} from './sealed-format.ts';

/** Encrypted records are gathered up to this many bytes per write() call. */
const WRITE_BATCH_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * Writes a sealed code package (format: sealed-format.ts) to `outPath`, atomically: a temp file beside it,
 * fsync, rename, fsync of the directory. The plaintext codes exist only in memory, one 64 KiB record at a
 * time; they never touch disk unencrypted. `chunks` are arbitrary slices of the plaintext (one code per line,
 * each line ending in "\n"). The number of lines must equal `manifest.count`, else COUNT_MISMATCH and no file.
 * Returns the SHA-256 of the plaintext (hex) and the size of the sealed file in bytes.
 */
export async function writeSealedPackage(
  outPath: string,
  manifest: PackageManifest,
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  key: SealKey,
): Promise<{ sha256: string; bytes: number }> {
  const checked = parseManifest(manifest, basename(outPath));
  const { dataKey, header: keyHeader } = await deriveSealKey(key);
  const noncePrefix = randomBytes(NONCE_PREFIX_BYTES);
  const header: SealedHeader = {
    format: FORMAT_NAME,
    version: FORMAT_VERSION,
    manifest: checked,
    cipher: { name: 'AES-256-GCM', chunkSize: CHUNK_SIZE, noncePrefix: noncePrefix.toString('base64') },
    key: keyHeader,
  };
  const prelude = encodePrelude(header);
  const digest = headerDigest(prelude);
  const tmpPath = join(dirname(outPath), `.${basename(outPath)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fh: FileHandle;
  try {
    fh = await open(tmpPath, 'wx', 0o600);
  } catch (error) {
    throw new PackageError('IO', `无法创建文件 ${outPath} (cannot create file): ${(error as Error).message}`, { cause: error });
  }
  let renamed = false;
  let closed = false;
  try {
    // The sha256 field is zero until the stream ends; it is written in place before the rename.
    let position = 0;
    await fh.write(Buffer.concat([prelude, Buffer.alloc(32)]), 0, prelude.length + 32, position);
    position += prelude.length + 32;
    const shaOffset = prelude.length;

    const hash = createHash('sha256');
    let lines = 0;
    let lastByte = -1;
    let index = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async (): Promise<void> => {
      if (pendingBytes === 0) return;
      const out = Buffer.concat(pending, pendingBytes);
      await fh.write(out, 0, out.length, position);
      position += out.length;
      pending = [];
      pendingBytes = 0;
    };
    const seal = (plain: Buffer, final: boolean, sha: Buffer | null): void => {
      const cipher = createCipheriv('aes-256-gcm', dataKey, recordNonce(noncePrefix, index, final), { authTagLength: TAG_BYTES });
      cipher.setAAD(recordAad(digest, index, final, sha));
      const head = Buffer.alloc(RECORD_HEAD_BYTES);
      head[0] = final ? 1 : 0;
      head.writeUInt32BE(plain.length, 1);
      const body = cipher.update(plain);
      const rest = cipher.final();
      const tag = cipher.getAuthTag();
      pending.push(head, body, rest, tag);
      pendingBytes += head.length + body.length + rest.length + tag.length;
      index += 1;
    };

    // A full buffer is sealed as non-final only once more plaintext arrives, so the last record is always
    // the one flagged final (also when the plaintext length is an exact multiple of the chunk size).
    const buf = Buffer.allocUnsafe(CHUNK_SIZE);
    let fill = 0;
    for await (const chunk of chunks) {
      const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (bytes.length === 0) continue;
      hash.update(bytes);
      for (let at = bytes.indexOf(NEWLINE); at !== -1; at = bytes.indexOf(NEWLINE, at + 1)) lines += 1;
      lastByte = bytes[bytes.length - 1] ?? lastByte;
      let off = 0;
      while (off < bytes.length) {
        if (fill === CHUNK_SIZE) {
          seal(buf, false, null);
          fill = 0;
          if (pendingBytes >= WRITE_BATCH_BYTES) await flush();
        }
        const n = Math.min(CHUNK_SIZE - fill, bytes.length - off);
        bytes.copy(buf, fill, off, off + n);
        fill += n;
        off += n;
      }
    }
    if (lastByte !== -1 && lastByte !== NEWLINE) {
      throw new PackageError('BAD_PLAINTEXT', `${basename(outPath)}: 明文最后一行缺少换行符 (plaintext must end with "\\n")`);
    }
    if (lines !== checked.count) {
      throw new PackageError('COUNT_MISMATCH', `${basename(outPath)}: 清单数量 ${checked.count}，实际写入 ${lines} 行 (manifest count ${checked.count}, wrote ${lines} lines)`);
    }
    const sha = hash.digest();
    seal(buf.subarray(0, fill), true, sha);
    buf.fill(0);
    await flush();
    await fh.write(sha, 0, 32, shaOffset);
    await fh.sync();
    closed = true;
    await fh.close();
    await rename(tmpPath, outPath);
    renamed = true;
    await syncDir(dirname(outPath));
    return { sha256: sha.toString('hex'), bytes: position };
  } catch (error) {
    if (!closed) await fh.close().catch(() => undefined);
    if (!renamed) await unlink(tmpPath).catch(() => undefined);
    if (error instanceof PackageError) throw error;
    throw new PackageError('IO', `写入码包失败 ${outPath} (writing the package failed): ${(error as Error).message}`, { cause: error });
  } finally {
    dataKey.fill(0);
  }
}

/** fsync of a directory makes the rename durable (POSIX: the entry lives in the directory). */
async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
