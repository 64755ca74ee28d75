/**
 * The supplier station's Ed25519 key pair that signs pairing packages (配对包签名, issue 15 §3):
 *
 *   --signing-key FILE.pem    本站 Ed25519 私钥 (supplier station, `wuma pairing export`)
 *   --supplier-key FILE.pem   受信任的供应商 Ed25519 公钥 (brand, `wuma codes import-pairing`)
 *
 * Make one with `openssl genpkey -algorithm ed25519 -out station.pem` and
 * `openssl pkey -in station.pem -pubout -out station.pub.pem`. A key problem is a usage error naming the option.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ParsedCommand } from './command.ts';
import { requireString } from './args.ts';
import { UsageError } from './errors.ts';

export function ed25519KeyFromArgs(args: ParsedCommand, option: 'signing-key' | 'supplier-key'): KeyObject {
  const path = requireString(args, option);
  const want = option === 'signing-key' ? 'private' : 'public';
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new UsageError(`--${option} ${path}: ${code === 'ENOENT' ? '文件不存在 (file not found)' : (error as Error).message}`);
  }
  if (want === 'public' && /PRIVATE KEY/.test(pem)) throw new UsageError(`--${option} ${path}: 这是私钥，请使用供应商的公钥 (this is a private key; give the supplier's public key)`);
  let key: KeyObject;
  try {
    key = want === 'public' ? createPublicKey(pem) : createPrivateKey(pem);
  } catch (error) {
    throw new UsageError(`--${option} ${path}: 不是有效的 PEM ${want === 'public' ? '公钥' : '私钥'} (not a valid PEM ${want} key): ${(error as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new UsageError(`--${option} ${path}: 密钥类型为 ${key.asymmetricKeyType ?? '?'}，应为 Ed25519 (key type must be Ed25519; openssl genpkey -algorithm ed25519)`);
  }
  return key;
}
