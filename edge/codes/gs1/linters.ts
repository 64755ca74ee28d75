import { CSET82 } from './charsets.ts';
import { hasValidGs1CheckDigit } from '../../domain/gs1-check-digit.ts';

/**
 * GS1 Barcode Syntax Tests ("linters") named in the syntax dictionary, applied to one component's data.
 * Each returns null when the data passes, else the failure. Linters not listed in `LINTERS` (country,
 * currency and IBAN tables, coupon structures, geo coordinates, importer index, package type, media type,
 * birth sequence) are not checked here: the syntax (length, character set) still is.
 */
export type LintReason = 'bad-check-digit' | 'bad-date' | 'bad-time' | 'bad-key' | 'bad-value';

export interface LintFailure {
  readonly reason: LintReason;
  /** Offset within the component where the problem is. */
  readonly offset: number;
  readonly message: string;
}

type Linter = (data: string) => LintFailure | null;

const fail = (reason: LintReason, offset: number, message: string): LintFailure => ({ reason, offset, message });

/** CSET 32, the alphabet of the two check characters of csumalpha (GS1 General Specifications §7.9.5). */
const CSET32 = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113];

/**
 * The check-character pair of a GMN (AI 8013) or MUDI (AI 8014), GS1 General Specifications §7.9.5: each data
 * character's CSET 82 index times a prime weight (2 for the rightmost data character, then 3, 5, …), summed
 * mod 1021; the pair is CSET32[sum >> 5], CSET32[sum & 31].
 */
export function csumAlphaPair(data: string): string {
  let sum = 0;
  for (let i = 0; i < data.length; i += 1) {
    const value = CSET82.indexOf(data[data.length - 1 - i] ?? '');
    const weight = PRIMES[i];
    if (value < 0 || weight === undefined) throw new RangeError('csumAlphaPair takes up to 30 CSET 82 characters');
    sum += value * weight;
  }
  sum %= 1021;
  return `${CSET32[sum >> 5] ?? ''}${CSET32[sum & 31] ?? ''}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * YYMMDD dates. GS1 General Specifications §7.12 resolves the century with a window around today; for the
 * day-of-month check only leap years matter, and every YY divisible by 4 is a leap year in that window
 * (2000 is one), so no clock is needed.
 */
function date(allowZeroDay: boolean, fullYear: boolean): Linter {
  return (data) => {
    const yearDigits = fullYear ? 4 : 2;
    const year = Number(data.slice(0, yearDigits)) + (fullYear ? 0 : 2000);
    const month = Number(data.slice(yearDigits, yearDigits + 2));
    const day = Number(data.slice(yearDigits + 2, yearDigits + 4));
    if (month < 1 || month > 12) return fail('bad-date', yearDigits, `月份 ${data.slice(yearDigits, yearDigits + 2)} 无效 (invalid month)`);
    if (day === 0 && allowZeroDay) return null;
    if (day < 1 || day > daysInMonth(year, month)) return fail('bad-date', yearDigits + 2, `日期 ${data.slice(yearDigits + 2, yearDigits + 4)} 无效 (invalid day)`);
    return null;
  };
}

function range(reason: LintReason, max: number, what: string): Linter {
  return (data) => (Number(data) <= max ? null : fail(reason, 0, `${what} ${data} 超出范围 (out of range)`));
}

/** A GS1 company prefix starts at `pos` (1-based): basic check that at least 4 digits are there. */
function gcpAt(pos: number): Linter {
  return (data) => (/^\d{4}/.test(data.slice(pos - 1)) ? null
    : fail('bad-key', pos - 1, `位置 ${pos} 起应为厂商识别代码 (a GS1 company prefix must start at position ${pos})`));
}

export const LINTERS: Readonly<Record<string, Linter>> = {
  csum: (data) => (hasValidGs1CheckDigit(data) ? null
    : fail('bad-check-digit', data.length - 1, `校验位错误 (bad check digit)`)),
  csumalpha: (data) => {
    if (data.length < 3) return fail('bad-check-digit', 0, '太短，无法携带校验字符对 (too short for its check characters)');
    const body = data.slice(0, -2);
    if ([...body].some((c) => !CSET82.includes(c))) return null;
    return csumAlphaPair(body) === data.slice(-2) ? null
      : fail('bad-check-digit', data.length - 2, '校验字符对错误 (bad check character pair)');
  },
  key: gcpAt(1),
  gcppos1: gcpAt(1),
  gcppos2: gcpAt(2),
  yymmd0: date(true, false),
  yymmdd: date(false, false),
  yyyymmdd: date(false, true),
  hhmi: (data) => (Number(data.slice(0, 2)) <= 23 && Number(data.slice(2, 4)) <= 59 ? null : fail('bad-time', 0, `时间 ${data} 无效 (invalid time)`)),
  hh: range('bad-time', 23, '小时 (hour)'),
  mi: range('bad-time', 59, '分钟 (minute)'),
  ss: range('bad-time', 59, '秒 (second)'),
  zero: (data) => (data === '0' ? null : fail('bad-value', 0, '应为 0 (must be 0)')),
  nonzero: (data) => (/^0+$/.test(data) ? fail('bad-value', 0, '不能全为 0 (must not be zero)') : null),
  yesno: (data) => (data === '0' || data === '1' ? null : fail('bad-value', 0, '应为 0 或 1 (must be 0 or 1)')),
  winding: (data) => (['0', '1', '9'].includes(data) ? null : fail('bad-value', 0, '应为 0、1 或 9 (must be 0, 1 or 9)')),
  iso5218: (data) => (['0', '1', '2', '9'].includes(data) ? null : fail('bad-value', 0, '应为 0、1、2 或 9 (must be 0, 1, 2 or 9)')),
  hyphen: (data) => (/^-*$/.test(data) ? null : fail('bad-value', 0, '应为连字符 - (must be a hyphen)')),
  nozeroprefix: (data) => (data.length > 1 && data.startsWith('0') ? fail('bad-value', 0, '不能以 0 开头 (must not start with 0)') : null),
  hasnondigit: (data) => (/\D/.test(data) ? null : fail('bad-value', 0, '须含非数字字符 (must contain a non-digit)')),
  pcenc: (data) => {
    const at = data.search(/%(?![0-9A-Fa-f]{2})/);
    return at < 0 ? null : fail('bad-value', at, '百分号编码无效 (bad percent-encoding)');
  },
  pieceoftotal: (data) => {
    const piece = Number(data.slice(0, 2));
    const total = Number(data.slice(2, 4));
    return piece >= 1 && total >= 1 && piece <= total ? null : fail('bad-value', 0, `件号 ${data} 无效 (piece must be 1…total)`);
  },
};
