/**
 * How the data key of a sealed package is made (format version 1).
 *
 * - Passphrase: scrypt(passphrase NFC UTF-8, salt 16 random bytes, N, r, p) → 32 bytes = the AES-256 key.
 *   Written with N = 2^17, r = 8, p = 1 (128 MiB, ~0.3 s). Readers refuse N < 2^15, r < 8 (too weak) and any
 *   setting needing more than 1 GiB (a file must not be able to exhaust the station's memory).
 * - Recipient public key: X25519 ECDH between a fresh ephemeral key and the recipient's key, then
 *   HKDF-SHA256(ikm = shared secret, salt = ephemeral SPKI ‖ recipient SPKI, info = "wuma-sealed-package v1")
 *   → 32 bytes. The recipient opens the file with the matching private key.
 *
 * Every file gets a fresh key (new salt or new ephemeral key), so GCM nonces never repeat under one key.
 * `keyCheck` = first 16 bytes of HMAC-SHA256(key, "wuma key check") tells a wrong passphrase apart from a
 * tampered file; it gives an attacker nothing the first authenticated record would not.
 */
import { createHash, createHmac, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, scrypt, timingSafeEqual, type KeyObject } from 'node:crypto';
import { PackageError } from './errors.ts';

export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };
export const MIN_SCRYPT_N = 2 ** 15;
export const MIN_SCRYPT_R = 8;
/** scrypt needs about 128·N·r bytes; a file may not ask for more than this. */
export const MAX_SCRYPT_MEMORY = 2 ** 30;
/** Shorter passphrases are refused (the legacy shared "123456" is exactly what this prevents). */
export const MIN_PASSPHRASE_LENGTH = 12;

export type SealKey =
  | { readonly type: 'passphrase'; readonly passphrase: string; readonly scrypt?: ScryptParams }
  | { readonly type: 'recipient'; readonly publicKey: KeyObject };

export type OpenKey =
  | { readonly type: 'passphrase'; readonly passphrase: string }
  | { readonly type: 'private-key'; readonly privateKey: KeyObject };

/** The `key` object of the sealed header. Binary fields are base64. */
export type KeyHeader =
  | { readonly type: 'scrypt'; readonly salt: string; readonly N: number; readonly r: number; readonly p: number; readonly keyCheck: string }
  | { readonly type: 'x25519-hkdf-sha256'; readonly ephemeralPublicKey: string; readonly recipient: string; readonly keyCheck: string };

const HKDF_INFO = Buffer.from('wuma-sealed-package v1', 'utf8');

/** Throws WEAK_KDF unless the scrypt parameters are within the accepted range. */
export function checkScryptParams(params: ScryptParams, where: string): void {
  const { N, r, p } = params;
  const ints = [N, r, p].every((v) => Number.isSafeInteger(v) && v > 0);
  const pow2 = ints && (N & (N - 1)) === 0;
  if (!ints || !pow2 || N < MIN_SCRYPT_N || r < MIN_SCRYPT_R || p > 16 || 128 * N * r > MAX_SCRYPT_MEMORY) {
    throw new PackageError('WEAK_KDF', `${where}: scrypt 参数不可接受 N=${N} r=${r} p=${p}，要求 N 为 2 的幂且 ≥ ${MIN_SCRYPT_N}，r ≥ ${MIN_SCRYPT_R}，p ≤ 16，内存 ≤ 1 GiB (scrypt parameters refused: too weak or too costly)`);
  }
}

function scryptAsync(passphrase: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const secret = Buffer.from(passphrase.normalize('NFC'), 'utf8');
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, 32, { N: params.N, r: params.r, p: params.p, maxmem: 128 * params.N * params.r + 2 ** 20 }, (error, key) => {
      if (error) reject(new PackageError('BAD_KEY', `scrypt 失败 (scrypt failed): ${error.message}`, { cause: error }));
      else resolve(key);
    });
  });
}

export function keyCheckOf(key: Buffer): string {
  return createHmac('sha256', key).update('wuma key check').digest().subarray(0, 16).toString('base64');
}

function spkiDer(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/** Fingerprint of a public key: SHA-256 of its SPKI DER, hex. Shown to IT to confirm the right supplier key. */
export function publicKeyFingerprint(key: KeyObject): string {
  return createHash('sha256').update(spkiDer(key)).digest('hex');
}

function x25519Key(shared: Buffer, ephemeral: Buffer, recipient: Buffer): Buffer {
  if (shared.every((b) => b === 0)) throw new PackageError('BAD_KEY', 'X25519 共享密钥为零，公钥无效 (X25519 shared secret is zero: invalid public key)');
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeral, recipient]), HKDF_INFO, 32));
}

/** Makes a fresh data key for writing and the header that lets the recipient re-derive it. */
export async function deriveSealKey(key: SealKey): Promise<{ dataKey: Buffer; header: KeyHeader }> {
  if (key.type === 'passphrase') {
    const params = key.scrypt ?? DEFAULT_SCRYPT;
    checkScryptParams(params, 'scrypt');
    if ([...key.passphrase].length < MIN_PASSPHRASE_LENGTH) {
      throw new PackageError('BAD_KEY', `口令太短，至少 ${MIN_PASSPHRASE_LENGTH} 个字符 (passphrase too short: at least ${MIN_PASSPHRASE_LENGTH} characters)`);
    }
    const salt = randomBytes(16);
    const dataKey = await scryptAsync(key.passphrase, salt, params);
    return { dataKey, header: { type: 'scrypt', salt: salt.toString('base64'), N: params.N, r: params.r, p: params.p, keyCheck: keyCheckOf(dataKey) } };
  }
  if (key.publicKey.type !== 'public' || key.publicKey.asymmetricKeyType !== 'x25519') {
    throw new PackageError('BAD_KEY', `接收方密钥应为 X25519 公钥，收到 ${key.publicKey.asymmetricKeyType ?? '?'} ${key.publicKey.type} (recipient key must be an X25519 public key)`);
  }
  const ephemeral = generateKeyPairSync('x25519');
  const ephDer = spkiDer(ephemeral.publicKey);
  const recDer = spkiDer(key.publicKey);
  const dataKey = x25519Key(diffieHellman({ privateKey: ephemeral.privateKey, publicKey: key.publicKey }), ephDer, recDer);
  return {
    dataKey,
    header: { type: 'x25519-hkdf-sha256', ephemeralPublicKey: ephDer.toString('base64'), recipient: createHash('sha256').update(recDer).digest('hex'), keyCheck: keyCheckOf(dataKey) },
  };
}

/** Re-derives the data key from a header read from a file; WRONG_KEY when the passphrase or private key is not the one. */
export async function deriveOpenKey(header: KeyHeader, key: OpenKey, where: string): Promise<Buffer> {
  let dataKey: Buffer;
  if (header.type === 'scrypt') {
    if (key.type !== 'passphrase') throw new PackageError('WRONG_KEY', `${where}: 此码包用口令加密，请提供 --passphrase-file (this package is sealed with a passphrase)`);
    checkScryptParams(header, where);
    dataKey = await scryptAsync(key.passphrase, Buffer.from(header.salt, 'base64'), header);
  } else {
    if (key.type !== 'private-key') throw new PackageError('WRONG_KEY', `${where}: 此码包用公钥加密，请提供 --private-key (this package is sealed to a public key)`);
    if (key.privateKey.type !== 'private' || key.privateKey.asymmetricKeyType !== 'x25519') {
      throw new PackageError('BAD_KEY', `${where}: 私钥应为 X25519 私钥 (private key must be an X25519 private key)`);
    }
    const ephDer = Buffer.from(header.ephemeralPublicKey, 'base64');
    let ephemeral: KeyObject;
    try {
      ephemeral = createPublicKey({ key: ephDer, format: 'der', type: 'spki' });
    } catch (error) {
      throw new PackageError('TAMPERED', `${where}: 文件头中的临时公钥无效 (ephemeral public key in the header is invalid)`, { cause: error });
    }
    const recDer = spkiDer(createPublicKey(key.privateKey));
    if (createHash('sha256').update(recDer).digest('hex') !== header.recipient) {
      throw new PackageError('WRONG_KEY', `${where}: 此码包不是加密给这把私钥的 (package was sealed to a different key, recipient ${header.recipient.slice(0, 16)}…)`);
    }
    dataKey = x25519Key(diffieHellman({ privateKey: key.privateKey, publicKey: ephemeral }), ephDer, recDer);
  }
  const want = Buffer.from(header.keyCheck, 'base64');
  const got = Buffer.from(keyCheckOf(dataKey), 'base64');
  if (want.length !== got.length || !timingSafeEqual(want, got)) {
    throw new PackageError('WRONG_KEY', `${where}: 口令或私钥不正确 (wrong passphrase or private key)`);
  }
  return dataKey;
}
