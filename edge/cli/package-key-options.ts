/**
 * Key options shared by the code-package commands (码包加密/解密):
 *
 *   --passphrase-file FILE   口令文件: one line, the passphrase (≥ 12 characters); a trailing newline is ignored
 *   --recipient-key FILE.pem 接收方 X25519 公钥 (sealing to a supplier's public key)
 *   --private-key FILE.pem   本站 X25519 私钥 (opening a package sealed to this station's public key)
 *   env WUMA_PACKAGE_PASSPHRASE  the passphrase, when no key option is given (never pass it as an argument:
 *                                command lines are visible to every user in `ps`)
 *
 * A key problem is a usage error (exit 2) naming the option and the file.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { OptionSpec, ParsedCommand } from './command.ts';
import { UsageError } from './errors.ts';
import { MIN_PASSPHRASE_LENGTH, type OpenKey, type SealKey } from '../packages/package-key.ts';

export const PASSPHRASE_ENV = 'WUMA_PACKAGE_PASSPHRASE';

const passphraseFile: OptionSpec = {
  type: 'string', value: 'FILE',
  description: `口令文件，一行，至少 ${MIN_PASSPHRASE_LENGTH} 个字符 (passphrase file; or env ${PASSPHRASE_ENV})`,
};

/** Options of commands that seal (encrypt) a package. */
export const SEAL_KEY_OPTIONS: Readonly<Record<'passphrase-file' | 'recipient-key', OptionSpec>> = {
  'passphrase-file': passphraseFile,
  'recipient-key': { type: 'string', value: 'FILE.pem', description: '接收方 X25519 公钥 PEM (recipient X25519 public key, PEM)' },
};

/** Options of commands that open (decrypt) a package. */
export const OPEN_KEY_OPTIONS: Readonly<Record<'passphrase-file' | 'private-key', OptionSpec>> = {
  'passphrase-file': passphraseFile,
  'private-key': { type: 'string', value: 'FILE.pem', description: '本站 X25519 私钥 PEM (this station\'s X25519 private key, PEM)' },
};

function readOptionFile(option: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === 'ENOENT' ? '文件不存在 (file not found)' : code === 'EACCES' ? '没有读取权限 (permission denied)' : (error as Error).message;
    throw new UsageError(`--${option} ${path}: ${why}`);
  }
}

/** Checks a passphrase from a file or the environment; `source` names where it came from in the error. */
function checkPassphrase(raw: string, source: string): string {
  const text = raw.replace(/^\uFEFF/, '').replace(/\r?\n$/, '');
  if (/[\r\n]/.test(text)) throw new UsageError(`${source}: 口令应只有一行 (the passphrase must be a single line)`);
  if (text.trim().length === 0) throw new UsageError(`${source}: 口令为空 (the passphrase is empty)`);
  if ([...text].length < MIN_PASSPHRASE_LENGTH) {
    throw new UsageError(`${source}: 口令太短，只有 ${[...text].length} 个字符，至少 ${MIN_PASSPHRASE_LENGTH} 个 (passphrase too short: ${[...text].length} characters, at least ${MIN_PASSPHRASE_LENGTH})`);
  }
  return text;
}

function passphraseFrom(args: ParsedCommand, env: NodeJS.ProcessEnv): string | null {
  const file = args.values['passphrase-file'];
  if (typeof file === 'string') return checkPassphrase(readOptionFile('passphrase-file', file), `--passphrase-file ${file}`);
  const fromEnv = env[PASSPHRASE_ENV];
  if (typeof fromEnv === 'string' && fromEnv.length > 0) return checkPassphrase(fromEnv, `环境变量 ${PASSPHRASE_ENV} (env ${PASSPHRASE_ENV})`);
  return null;
}

function readX25519(option: string, path: string, want: 'public' | 'private'): KeyObject {
  const pem = readOptionFile(option, path);
  if (want === 'public' && /PRIVATE KEY/.test(pem)) {
    throw new UsageError(`--${option} ${path}: 这是私钥，请使用对方的公钥 (this is a private key; give the recipient's public key)`);
  }
  let key: KeyObject;
  try {
    key = want === 'public' ? createPublicKey(pem) : createPrivateKey(pem);
  } catch (error) {
    throw new UsageError(`--${option} ${path}: 不是有效的 PEM ${want === 'public' ? '公钥' : '私钥'} (not a valid PEM ${want} key): ${(error as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'x25519') {
    throw new UsageError(`--${option} ${path}: 密钥类型为 ${key.asymmetricKeyType ?? '?'}，应为 X25519 (key type must be X25519; openssl genpkey -algorithm X25519)`);
  }
  return key;
}

/**
 * The key to seal a package with: exactly one of --passphrase-file / --recipient-key, or the passphrase in
 * WUMA_PACKAGE_PASSPHRASE. Usage error when none, both, or a bad one is given.
 */
export function sealKeyFromArgs(args: ParsedCommand, env: NodeJS.ProcessEnv): SealKey {
  const hasFile = typeof args.values['passphrase-file'] === 'string';
  const recipient = args.values['recipient-key'];
  if (hasFile && typeof recipient === 'string') {
    throw new UsageError('--passphrase-file 与 --recipient-key 只能选一个 (give either --passphrase-file or --recipient-key, not both)');
  }
  if (typeof recipient === 'string') return { type: 'recipient', publicKey: readX25519('recipient-key', recipient, 'public') };
  const passphrase = passphraseFrom(args, env);
  if (passphrase === null) {
    throw new UsageError(`需要加密密钥：--passphrase-file FILE、--recipient-key FILE.pem 或环境变量 ${PASSPHRASE_ENV} (an encryption key is required)`);
  }
  return { type: 'passphrase', passphrase };
}

/**
 * The key to open a sealed package with, or null when none is given (a plain text import needs none).
 * Usage error when both or a bad one is given.
 */
export function openKeyFromArgs(args: ParsedCommand, env: NodeJS.ProcessEnv): OpenKey | null {
  const hasFile = typeof args.values['passphrase-file'] === 'string';
  const privateKey = args.values['private-key'];
  if (hasFile && typeof privateKey === 'string') {
    throw new UsageError('--passphrase-file 与 --private-key 只能选一个 (give either --passphrase-file or --private-key, not both)');
  }
  if (typeof privateKey === 'string') return { type: 'private-key', privateKey: readX25519('private-key', privateKey, 'private') };
  const passphrase = passphraseFrom(args, env);
  return passphrase === null ? null : { type: 'passphrase', passphrase };
}
