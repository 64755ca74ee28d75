import type { AlphabetName } from './profile.ts';

/**
 * The code alphabets (DESIGN §5). Symbols are in ASCII order, so the symbol index order is also the byte
 * order of the codes.
 *
 * - `crockford32`: Crockford base32 (https://www.crockford.com/base32.html) — digits and upper-case letters
 *   without I, L, O, U (look-alikes of 1, 1, 0 and V). 32 symbols = exactly 5 random bits per character.
 * - `digits`: 0–9 (SSCC serial references, digit-only customer profiles). log2(10) ≈ 3.32 bits per character,
 *   drawn by rejection sampling.
 * - `cset82-safe`: the GS1 AI (21) serial alphabet (GS1 General Specifications §7.11, CSET 82) reduced to the
 *   characters that need no escaping anywhere a serial travels:
 *   · `% & / < > ?` and `"` must be escaped in an EPC Pure Identity URN (TDS 2.1 §7, notes/standards.md §2.1),
 *     and GB/T 33993 forbids `% & / < > ?` in serials;
 *   · a GS1 Digital Link URI carries the serial as a path segment: only RFC 3986 "unreserved" characters
 *     (`A–Z a–z 0–9 - . _ ~`) pass unescaped, which also removes `! ' ( ) * + , : ; =`;
 *   · `.` is dropped too: a serial "." or ".." is a dot-segment that URI normalisation deletes
 *     (RFC 3986 §5.2.4), and `,` / `'` / `"` would need quoting in supplier CSV files.
 *   What is left is `-`, `0–9`, `A–Z`, `_`, `a–z`: 64 symbols = exactly 6 random bits per character.
 */
export interface Alphabet {
  readonly name: AlphabetName;
  readonly symbols: string;
  /** Number of symbols. */
  readonly size: number;
  /** Random bits carried by one uniformly drawn character: log2(size). */
  readonly bitsPerChar: number;
  /** The symbols as ASCII bytes, indexed by symbol index (for record writers). */
  readonly bytes: Uint8Array;
  /** ASCII byte → symbol index, or -1 for a byte not in the alphabet. */
  readonly indexOfByte: Int16Array;
}

function makeAlphabet(name: AlphabetName, symbols: string): Alphabet {
  const bytes = new Uint8Array(symbols.length);
  const indexOfByte = new Int16Array(256).fill(-1);
  for (let i = 0; i < symbols.length; i += 1) {
    const byte = symbols.charCodeAt(i);
    bytes[i] = byte;
    indexOfByte[byte] = i;
  }
  return Object.freeze({ name, symbols, size: symbols.length, bitsPerChar: Math.log2(symbols.length), bytes, indexOfByte });
}

export const ALPHABETS: Readonly<Record<AlphabetName, Alphabet>> = Object.freeze({
  crockford32: makeAlphabet('crockford32', '0123456789ABCDEFGHJKMNPQRSTVWXYZ'),
  digits: makeAlphabet('digits', '0123456789'),
  'cset82-safe': makeAlphabet('cset82-safe', '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz'),
});

export const ALPHABET_NAMES: readonly AlphabetName[] = Object.freeze(Object.keys(ALPHABETS) as AlphabetName[]);

export function isAlphabetName(value: unknown): value is AlphabetName {
  return typeof value === 'string' && Object.hasOwn(ALPHABETS, value);
}

/** Index of the first character of `text` that is not in `alphabet`, or -1 when all are. */
export function firstForeignChar(text: string, alphabet: Alphabet): number {
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c > 255 || alphabet.indexOfByte[c] === -1) return i;
  }
  return -1;
}
