import { CODE_KINDS, CODE_KIND_LABEL_ZH, SECRET_KINDS, isCodeKind } from '../domain/kinds.ts';
import { ALPHABETS, ALPHABET_NAMES, firstForeignChar, isAlphabetName } from './alphabet.ts';
import { checkSystemFor } from './check-char.ts';
import type { ProfileIssue } from './errors.ts';
import { hasValidGs1CheckDigit } from '../domain/gs1-check-digit.ts';

/** Secret kinds (cap-inner, case-inner) pay out money: at least this many CSPRNG bits (DESIGN §5). */
export const MIN_SECRET_BITS = 80;
/** Random characters of a `random` profile (without prefix and check character). */
export const RANDOM_LENGTH_RANGE = { min: 4, max: 40 } as const;
/** Station/range prefix length. */
export const MAX_PREFIX_LENGTH = 16;
/** Whole code (prefix + random + check): keeps DB keys small and symbols printable on a cap. */
export const MAX_CODE_WIDTH = 48;
/** GS1 AI (21) serial: up to 20 characters (GS1 General Specifications §3.5.2). */
export const SGTIN_SERIAL_RANGE = { min: 1, max: 20 } as const;
/** GS1 company prefixes are 7 to 12 digits for SSCC (GS1 General Specifications §2.2.1). */
export const COMPANY_PREFIX_RANGE = { min: 7, max: 12 } as const;

const SCHEMES = ['random', 'sscc', 'sgtin'] as const;
const CONTENT_TYPES = ['plain', 'url', 'digital-link'] as const;

/** Random bits carried by the codes of a (valid) profile. */
export function profileRandomBits(profile: { scheme: string; alphabet?: unknown; length?: unknown; companyPrefix?: unknown }): number {
  if (profile.scheme === 'sscc') {
    const gcp = typeof profile.companyPrefix === 'string' ? profile.companyPrefix.length : COMPANY_PREFIX_RANGE.min;
    return (16 - gcp) * ALPHABETS.digits.bitsPerChar;
  }
  const alphabet = profile.scheme === 'sgtin' ? ALPHABETS['cset82-safe'] : isAlphabetName(profile.alphabet) ? ALPHABETS[profile.alphabet] : null;
  const length = typeof profile.length === 'number' ? profile.length : 0;
  return alphabet ? length * alphabet.bitsPerChar : 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIntIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value) ?? String(value);
}

/**
 * Every problem of a code profile, as field paths under `path` with Chinese-first messages (empty = valid).
 * Accepts any value (profiles arrive from config files, import files and API bodies). Messages name the
 * field and the bad value; they never contain a generated code.
 *
 * `content` is checked only for its `type` here; URL templates and Digital Link domains are validated by
 * the content module.
 */
export function validateProfile(profile: unknown, path = 'profile'): ProfileIssue[] {
  const issues: ProfileIssue[] = [];
  const add = (field: string, message: string): void => { issues.push({ path: `${path}.${field}`, message }); };
  if (!isRecord(profile)) return [{ path, message: `码规则应为对象，收到 ${show(profile)} (a code profile must be an object)` }];

  const { scheme, kind } = profile;
  if (!isCodeKind(kind)) add('kind', `未知码类型 ${show(kind)}，可选: ${CODE_KINDS.join(' | ')} (unknown code kind)`);
  const content = profile['content'];
  if (!isRecord(content) || !(CONTENT_TYPES as readonly unknown[]).includes(content['type'])) {
    add('content.type', `内容类型应为 ${CONTENT_TYPES.join(' | ')}，收到 ${show(isRecord(content) ? content['type'] : content)} (unknown content type)`);
  }
  const secret = isCodeKind(kind) && SECRET_KINDS.has(kind);
  const kindLabel = isCodeKind(kind) ? `${CODE_KIND_LABEL_ZH[kind]} ${kind}` : '';

  if (scheme === 'random') {
    const { alphabet, length, prefix, check } = profile;
    if (!isAlphabetName(alphabet)) add('alphabet', `未知字符集 ${show(alphabet)}，可选: ${ALPHABET_NAMES.join(' | ')} (unknown alphabet)`);
    if (!isIntIn(length, RANDOM_LENGTH_RANGE.min, RANDOM_LENGTH_RANGE.max)) {
      add('length', `随机位数应为 ${RANDOM_LENGTH_RANGE.min}–${RANDOM_LENGTH_RANGE.max} 的整数，收到 ${show(length)} (length must be a whole number from ${RANDOM_LENGTH_RANGE.min} to ${RANDOM_LENGTH_RANGE.max})`);
    }
    if (typeof check !== 'boolean') add('check', `check 应为 true 或 false，收到 ${show(check)} (check must be a boolean)`);
    if (typeof prefix !== 'string') {
      add('prefix', `前缀应为字符串，收到 ${show(prefix)} (prefix must be a string)`);
    } else if (prefix.length > MAX_PREFIX_LENGTH) {
      add('prefix', `前缀最多 ${MAX_PREFIX_LENGTH} 个字符，收到 ${prefix.length} 个 (prefix is longer than ${MAX_PREFIX_LENGTH} characters)`);
    } else if (isAlphabetName(alphabet)) {
      const bad = firstForeignChar(prefix, ALPHABETS[alphabet]);
      if (bad >= 0) {
        add('prefix', `前缀第 ${bad + 1} 个字符 ${show(prefix[bad])} 不在字符集 ${alphabet} 中 (prefix character ${bad + 1} is not in alphabet ${alphabet}: ${ALPHABETS[alphabet].symbols})`);
      }
    }
    if (isAlphabetName(alphabet) && check === true && checkSystemFor(ALPHABETS[alphabet]) === null) {
      add('check', `字符集 ${alphabet} 没有 ISO/IEC 7064 校验字符，请设 check: false (alphabet ${alphabet} has no ISO/IEC 7064 check system; set check to false)`);
    }
    if (typeof prefix === 'string' && isIntIn(length, RANDOM_LENGTH_RANGE.min, RANDOM_LENGTH_RANGE.max)) {
      const width = prefix.length + length + (check === true ? 1 : 0);
      if (width > MAX_CODE_WIDTH) add('length', `码总长 ${width} 超过 ${MAX_CODE_WIDTH} (code width ${width} exceeds ${MAX_CODE_WIDTH})`);
    }
    if (secret && isAlphabetName(alphabet) && isIntIn(length, RANDOM_LENGTH_RANGE.min, RANDOM_LENGTH_RANGE.max)) {
      const bits = length * ALPHABETS[alphabet].bitsPerChar;
      if (bits < MIN_SECRET_BITS) {
        const need = Math.ceil(MIN_SECRET_BITS / ALPHABETS[alphabet].bitsPerChar);
        add('length', `${kindLabel} 是兑奖码，至少需要 ${MIN_SECRET_BITS} 位随机量，${length} 位 ${alphabet} 只有 ${bits.toFixed(1)} 位，至少 ${need} 位 (a secret kind needs ≥ ${MIN_SECRET_BITS} random bits; ${length} × ${alphabet} gives ${bits.toFixed(1)}; use length ≥ ${need})`);
      }
    }
  } else if (scheme === 'sscc') {
    const { extensionDigit, companyPrefix } = profile;
    if (!isIntIn(extensionDigit, 0, 9)) add('extensionDigit', `扩展位应为 0–9 的整数，收到 ${show(extensionDigit)} (extension digit must be 0–9)`);
    if (typeof companyPrefix !== 'string' || !new RegExp(`^\\d{${COMPANY_PREFIX_RANGE.min},${COMPANY_PREFIX_RANGE.max}}$`).test(companyPrefix)) {
      add('companyPrefix', `厂商识别代码应为 ${COMPANY_PREFIX_RANGE.min}–${COMPANY_PREFIX_RANGE.max} 位数字，收到 ${show(companyPrefix)} (GS1 company prefix must be ${COMPANY_PREFIX_RANGE.min}–${COMPANY_PREFIX_RANGE.max} digits)`);
    }
    if (secret) add('scheme', `${kindLabel} 是兑奖码，SSCC 最多 ${profileRandomBits({ scheme: 'sscc' }).toFixed(1)} 位随机量，不足 ${MIN_SECRET_BITS} 位 (SSCC carries too few random bits for a secret kind)`);
  } else if (scheme === 'sgtin') {
    const { gtin, length } = profile;
    if (typeof gtin !== 'string' || !/^\d{14}$/.test(gtin)) {
      add('gtin', `GTIN 应为 14 位数字 (GTIN-14)，收到 ${show(gtin)} (gtin must be 14 digits; pad GTIN-8/12/13 with leading zeros)`);
    } else if (!hasValidGs1CheckDigit(gtin)) {
      add('gtin', `GTIN ${gtin} 校验位错误 (GTIN check digit is wrong)`);
    }
    if (!isIntIn(length, SGTIN_SERIAL_RANGE.min, SGTIN_SERIAL_RANGE.max)) {
      add('length', `序列号 (AI 21) 长度应为 ${SGTIN_SERIAL_RANGE.min}–${SGTIN_SERIAL_RANGE.max}，收到 ${show(length)} (AI 21 serial length must be ${SGTIN_SERIAL_RANGE.min}–${SGTIN_SERIAL_RANGE.max})`);
    } else if (secret && length * ALPHABETS['cset82-safe'].bitsPerChar < MIN_SECRET_BITS) {
      const need = Math.ceil(MIN_SECRET_BITS / ALPHABETS['cset82-safe'].bitsPerChar);
      add('length', `${kindLabel} 是兑奖码，至少需要 ${MIN_SECRET_BITS} 位随机量，序列号至少 ${need} 位 (a secret kind needs ≥ ${MIN_SECRET_BITS} random bits; use length ≥ ${need})`);
    }
  } else {
    add('scheme', `未知编码方案 ${show(scheme)}，可选: ${SCHEMES.join(' | ')} (unknown scheme)`);
  }
  return issues;
}
