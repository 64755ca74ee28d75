import type { Alphabet } from './alphabet.ts';
import type { CheckTable } from '../domain/check-table.ts';
import { CodesBug } from './errors.ts';

/**
 * ISO/IEC 7064:2003 hybrid check-character systems ("MOD M+1,M", §5.2 of the standard; the algorithm is
 * the "pure/hybrid system" recurrence also used by ISO 6346 relatives and published in python-stdnum
 * `stdnum.iso7064`):
 *
 *   P₀ = M;  for each character value a:  S = (P + a) mod M, with S = M when that is 0;  P = 2·S mod (M+1).
 *   The check character c makes (P + c) mod M = 1, i.e. c = (M + 1 − P) mod M.
 *
 * - `mod37-36`: M = 36 over `0–9A–Z` with values 0–35 (A = 10 … Z = 35). Used for alphanumeric codes. The
 *   Crockford alphabet is a subset, so a Crockford code takes a check character from `0–9A–Z`: it may be one
 *   of I, L, O, U. That is deliberate (the standard's character set); a reader that confuses O and 0 there
 *   produces a code that fails the check, which is what the check is for.
 * - `mod11-10`: M = 10 over `0–9`. Used for digit codes.
 *
 * Both detect every single substitution (check character included). They do NOT detect every adjacent
 * transposition: when P + a ≡ M/2 (mod M) and b = a + 1, "ab" and "ba" reach the same state. Counted
 * exhaustively over all states and pairs: 72 of 45,360 (1/630) for MOD 37,36 and 20 of 900 (1/45) for
 * MOD 11,10 escape (check-char.test.ts). The pure systems MOD 37,2 / MOD 11,2 catch all of them but need
 * `*` / `X` as check characters. A check character catches misreads offline and adds no security.
 *
 * The `%` here is checksum arithmetic over code characters, never over random bytes.
 */
export type CheckSystem = 'mod37-36' | 'mod11-10';

interface SystemDef {
  readonly modulus: number;
  readonly charset: string;
}

const SYSTEMS: Readonly<Record<CheckSystem, SystemDef>> = {
  'mod37-36': { modulus: 36, charset: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ' },
  'mod11-10': { modulus: 10, charset: '0123456789' },
};

/** The characters a check system is defined over (its data and check characters). */
export function checkSystemCharset(system: CheckSystem): string {
  return SYSTEMS[system].charset;
}

function step(p: number, value: number, m: number): number {
  const s = (p + value) % m || m;
  return (s * 2) % (m + 1);
}

function finalP(data: string, system: CheckSystem): number | null {
  const { modulus, charset } = SYSTEMS[system];
  let p = modulus;
  for (const ch of data) {
    const value = charset.indexOf(ch);
    if (value < 0) return null;
    p = step(p, value, modulus);
  }
  return p;
}

/** The check character for `data`; throws when `data` has a character outside the system's charset. */
export function computeCheckChar(data: string, system: CheckSystem): string {
  const p = finalP(data, system);
  if (p === null) throw new CodesBug(`check system ${system} is not defined for a character of the data`);
  const { modulus, charset } = SYSTEMS[system];
  return charset[(modulus + 1 - p) % modulus]!;
}

/** Whether the last character of `code` is the correct check character for the rest. */
export function hasValidCheckChar(code: string, system: CheckSystem): boolean {
  if (code.length < 2) return false;
  const p = finalP(code.slice(0, -1), system);
  if (p === null) return false;
  const { modulus, charset } = SYSTEMS[system];
  const c = charset.indexOf(code.slice(-1));
  return c >= 0 && (p + c) % modulus === 1;
}

/** The check system that covers `alphabet`, or null when none does (cset82-safe has lower-case and `-_`). */
export function checkSystemFor(alphabet: Alphabet): CheckSystem | null {
  for (const system of ['mod11-10', 'mod37-36'] as const) {
    const charset = SYSTEMS[system].charset;
    if ([...alphabet.symbols].every((ch) => charset.includes(ch))) return system;
  }
  return null;
}

const tables = new Map<string, CheckTable>();

/** `system` compiled to a state machine over `alphabet`'s symbol indices (states are P = 1…M). */
export function iso7064CheckTable(system: CheckSystem, alphabet: Alphabet): CheckTable {
  const key = `${system}/${alphabet.name}`;
  const cached = tables.get(key);
  if (cached) return cached;
  const { modulus, charset } = SYSTEMS[system];
  const size = alphabet.size;
  const next = new Uint8Array((modulus + 1) * size);
  const checkByte = new Uint8Array(modulus + 1);
  for (let p = 1; p <= modulus; p += 1) {
    for (let i = 0; i < size; i += 1) {
      const value = charset.indexOf(alphabet.symbols[i]!);
      if (value < 0) throw new CodesBug(`check system ${system} does not cover alphabet ${alphabet.name}`);
      next[p * size + i] = step(p, value, modulus);
    }
    checkByte[p] = charset.charCodeAt((modulus + 1 - p) % modulus);
  }
  const table: CheckTable = Object.freeze({ alphabetSize: size, initial: modulus, next, checkByte });
  tables.set(key, table);
  return table;
}
