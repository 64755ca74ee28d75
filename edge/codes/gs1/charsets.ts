import type { AiCharset } from './ai-entry.ts';

/**
 * Character sets of GS1 AI data (GS1 General Specifications §7.11, Figures 7.11-1 to 7.11-3):
 * CSET 82 (X), CSET 39 (Y), CSET 64 = base64url (Z, `=` padding only at the end).
 */
export const CSET82 = '!"%&\'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
export const CSET39 = '#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const CSET64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const SETS: Readonly<Record<AiCharset, string>> = { N: '0123456789', X: CSET82, Y: CSET39, Z: CSET64 };

/** Index of the first character of `value` outside `cset`, or -1 when every character belongs to it. */
export function charsetViolation(cset: AiCharset, value: string): number {
  const allowed = SETS[cset];
  const end = cset === 'Z' ? value.replace(/={1,2}$/, '').length : value.length;
  for (let i = 0; i < value.length; i += 1) {
    if (i >= end) return -1;
    if (!allowed.includes(value[i] ?? '')) return i;
  }
  return -1;
}
