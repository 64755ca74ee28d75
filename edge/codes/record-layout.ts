import type { Alphabet } from './alphabet.ts';
import { advanceCheck, type CheckTable } from '../domain/check-table.ts';

/**
 * The byte layout every code of a profile shares: a fixed ASCII `prefix`, `length` random symbols of
 * `alphabet`, then (if `check`) one check byte. All codes of a profile are exactly `width` bytes.
 */
export interface RecordLayout {
  readonly width: number;
  readonly prefix: Uint8Array;
  readonly alphabet: Alphabet;
  readonly length: number;
  /** The check table and its state after the prefix, or null for no check character. */
  readonly check: { readonly table: CheckTable; readonly afterPrefix: number } | null;
}

function indicesOf(text: string, alphabet: Alphabet): number[] {
  return [...text].map((ch) => alphabet.indexOfByte[ch.charCodeAt(0)]!);
}

/** Builds a layout; `prefix` must be in `alphabet` (validated profiles guarantee it). */
export function makeLayout(prefix: string, alphabet: Alphabet, length: number, table: CheckTable | null): RecordLayout {
  const prefixBytes = Uint8Array.from(prefix, (ch) => ch.charCodeAt(0));
  return Object.freeze({
    width: prefix.length + length + (table ? 1 : 0),
    prefix: prefixBytes,
    alphabet,
    length,
    check: table ? Object.freeze({ table, afterPrefix: advanceCheck(table, indicesOf(prefix, alphabet)) }) : null,
  });
}

