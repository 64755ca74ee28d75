import { drawSymbols } from './draw-symbols.ts';
import type { RandomSource } from './random-source.ts';
import type { RecordLayout } from './record-layout.ts';

/** Symbols drawn per refill: large enough to amortise the CSPRNG call, small enough to stay in L2. */
const SYMBOL_BLOCK = 65_536;

/**
 * Writes `count` codes of `layout` as fixed-width ASCII records into a new array (`layout.width` bytes each,
 * no separators). Hot loop: one byte-table lookup per character and one check-table lookup per character;
 * no strings, no per-code allocation.
 */
export function writeRecords(layout: RecordLayout, count: number, random: RandomSource): Uint8Array {
  const { width, prefix, alphabet, length, check } = layout;
  const out = new Uint8Array(width * count);
  const symbols = alphabet.bytes;
  const size = alphabet.size;
  // A whole number of codes per block, so the refill test runs once per code, not once per character.
  const block = new Uint8Array(Math.max(1, Math.min(Math.floor(SYMBOL_BLOCK / length), count)) * length);
  const blockLength = block.length;
  let bi = blockLength;
  const plen = prefix.length;
  if (plen > 0) {
    for (let r = 0; r < count; r += 1) out.set(prefix, r * width);
  }
  if (check === null) {
    for (let r = 0, o = 0; r < count; r += 1) {
      o = r * width + plen;
      if (bi === blockLength) {
        drawSymbols(size, block, random);
        bi = 0;
      }
      for (let j = 0; j < length; j += 1) {
        out[o + j] = symbols[block[bi + j]!]!;
      }
      bi += length;
    }
    return out;
  }
  const next = check.table.next;
  const checkByte = check.table.checkByte;
  const start = check.afterPrefix;
  for (let r = 0, o = 0; r < count; r += 1) {
    o = r * width + plen;
    let state = start;
    if (bi === blockLength) {
      drawSymbols(size, block, random);
      bi = 0;
    }
    for (let j = 0; j < length; j += 1) {
      const v = block[bi + j]!;
      out[o + j] = symbols[v]!;
      state = next[state * size + v]!;
    }
    bi += length;
    out[o + length] = checkByte[state]!;
  }
  return out;
}
