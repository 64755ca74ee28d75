/**
 * The sealed package file, format version 1 (码包加密格式). Byte layout:
 *
 *   magic      8 bytes   "WUMAPKG1"
 *   headerLen  u32 BE    length of the header JSON (≤ 64 KiB)
 *   header     UTF-8 JSON {format: "wuma-sealed-package", version: 1,
 *                          manifest: {packageId, kind, count, productId, createdAt},
 *                          cipher: {name: "AES-256-GCM", chunkSize, noncePrefix (7 bytes, base64)},
 *                          key: KeyHeader (package-key.ts: scrypt salt/N/r/p or X25519 ephemeral key)}
 *   sha256     32 bytes  SHA-256 of the plaintext (filled in when the stream ends, before the rename)
 *   records    repeated  flag u8 (1 = final record, else 0) ‖ len u32 BE (≤ chunkSize) ‖ ciphertext[len] ‖ GCM tag[16]
 *
 * Plaintext: one code per line, every line ending in "\n" (no CR, no BOM); count = number of lines.
 * Record i (from 0) is AES-256-GCM with
 *   nonce = noncePrefix(7) ‖ i (u32 BE) ‖ final (u8)
 *   AAD   = SHA-256(magic ‖ headerLen ‖ header) ‖ i (u32 BE) ‖ final (u8) [‖ sha256 (32) on the final record]
 * so the manifest and key parameters are authenticated by every record, the plaintext hash by the last one,
 * reordering or dropping records fails a tag, and a file cut at a record boundary ends on a record whose
 * final flag is 0: detected as truncated. Exactly one final record, then end of file. An empty package is one
 * final record of length 0. Records are bounded (64 KiB), so reading and writing take bounded memory.
 */
import { createHash } from 'node:crypto';
import type { KeyHeader } from './package-key.ts';
import type { PackageManifest } from './manifest.ts';

export const MAGIC = Buffer.from('WUMAPKG1', 'latin1');
export const FORMAT_NAME = 'wuma-sealed-package';
export const FORMAT_VERSION = 1;
export const CHUNK_SIZE = 64 * 1024;
export const MAX_HEADER_BYTES = 64 * 1024;
export const TAG_BYTES = 16;
export const RECORD_HEAD_BYTES = 5;
export const NONCE_PREFIX_BYTES = 7;

export interface SealedHeader {
  readonly format: typeof FORMAT_NAME;
  readonly version: number;
  readonly manifest: PackageManifest;
  readonly cipher: { readonly name: 'AES-256-GCM'; readonly chunkSize: number; readonly noncePrefix: string };
  readonly key: KeyHeader;
}

/** magic ‖ headerLen ‖ header JSON: the bytes before the sha256 field. */
export function encodePrelude(header: SealedHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length);
  return Buffer.concat([MAGIC, len, json]);
}

export function headerDigest(prelude: Buffer): Buffer {
  return createHash('sha256').update(prelude).digest();
}

export function recordNonce(prefix: Buffer, index: number, final: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  prefix.copy(nonce, 0, 0, NONCE_PREFIX_BYTES);
  nonce.writeUInt32BE(index, NONCE_PREFIX_BYTES);
  nonce[11] = final ? 1 : 0;
  return nonce;
}

export function recordAad(digest: Buffer, index: number, final: boolean, plaintextSha256: Buffer | null): Buffer {
  const tail = Buffer.alloc(5);
  tail.writeUInt32BE(index, 0);
  tail[4] = final ? 1 : 0;
  return final && plaintextSha256 ? Buffer.concat([digest, tail, plaintextSha256]) : Buffer.concat([digest, tail]);
}
