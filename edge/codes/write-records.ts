import { drawSymbols } from './draw-symbols.ts';
import type { RandomSource } from './random-source.ts';
import type { RecordLayout } from './record-layout.ts';

/** Symbols drawn per refill: large enough to amortise the CSPRNG call, small enough to stay in L2. */
const SYMBOL_BLOCK = 65_536;

/**
 * Writes `count` codes of `layout` as fixed-width ASCII records into a new array, or into `into` (its first
 * `count × width` bytes) so bulk callers reuse one buffer instead of leaving one per chunk to the collector
 * (`layout.width` bytes each, no separators). Hot loop: one byte-table lookup per character and one check-table lookup per character;
 * no strings, no per-code allocation.
 */
export function writeRecords(layout: RecordLayout, count: number, random: RandomSource, into?: Uint8Array): Uint8Array {
  const { width, prefix, alphabet, length, check } = layout;
  if (into !== undefined && into.length < width * count) throw new RangeError(`${count} records of ${width} bytes do not fit in ${into.length} bytes`);
  const out = into ?? new Uint8Array(width * count);
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
  // State tables pre-multiplied by the alphabet size, so the hot loop does one add and one load per
  // character: scaled state = state · size.
  const { next, checkByte } = check.table;
  const nextScaled = new Uint16Array(next.length);
  for (let i = 0; i < next.length; i += 1) nextScaled[i] = next[i]! * size;
  const checkByteScaled = new Uint8Array(checkByte.length * size);
  for (let state = 0; state < checkByte.length; state += 1) checkByteScaled[state * size] = checkByte[state]!;
  const start = check.afterPrefix * size;
  for (let r = 0, o = 0; r < count; r += 1) {
    o = r * width + plen;
    let scaled = start;
    if (bi === blockLength) {
      drawSymbols(size, block, random);
      bi = 0;
    }
    for (let j = 0; j < length; j += 1) {
      const v = block[bi + j]!;
      out[o + j] = symbols[v]!;
      scaled = nextScaled[scaled + v]!;
    }
    bi += length;
    out[o + length] = checkByteScaled[scaled]!;
  }
  return out;
}
