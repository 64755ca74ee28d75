import { describe, expect, it } from 'vitest';
import { drawSymbols } from './draw-symbols.ts';
import { RandomSourceError } from './errors.ts';
import { WEB_CRYPTO_MAX_BYTES, webCryptoRandom, type RandomSource } from './random-source.ts';
import { seededBytes } from '../../test/support/seeded-bytes.ts';

/**
 * Reference: read the byte stream as big-endian bits, k = ⌈log2 size⌉ bits at a time, keep values < size.
 * Slow and obvious; the fast paths must produce exactly this for a single block of random bytes.
 */
function reference(size: number, n: number, bytes: Uint8Array): number[] {
  let k = 1;
  while (2 ** k < size) k += 1;
  const bits: number[] = [];
  for (const b of bytes) for (let i = 7; i >= 0; i -= 1) bits.push((b >> i) & 1);
  const out: number[] = [];
  for (let i = 0; i + k <= bits.length && out.length < n; i += k) {
    const v = bits.slice(i, i + k).reduce((acc, bit) => acc * 2 + bit, 0);
    if (v < size) out.push(v);
  }
  return out;
}

/** Records every byte the source hands out, in order. */
function recording(source: RandomSource): { source: RandomSource; bytes: () => Uint8Array } {
  const chunks: Uint8Array[] = [];
  return {
    source: (t) => { source(t); chunks.push(t.slice()); },
    bytes: () => Uint8Array.from(chunks.flatMap((c) => [...c])),
  };
}

describe('drawSymbols', () => {
  it.each([2, 3, 10, 32, 36, 64, 82, 200, 256])('alphabet size %d: exactly the reference bit-stream reading, any length', (size) => {
    for (const n of [1, 3, 4, 7, 8, 9, 12, 17, 63, 64, 65, 1000]) {
      const rec = recording(seededBytes(size * 1000 + n));
      const target = new Uint8Array(n);
      drawSymbols(size, target, rec.source);
      expect([...target], `size ${size}, n ${n}`).toEqual(reference(size, n, rec.bytes()));
    }
  });

  it('fills large targets across many random blocks with in-range symbols only', () => {
    for (const size of [10, 32, 64]) {
      const target = new Uint8Array(300_001).fill(255);
      drawSymbols(size, target, webCryptoRandom);
      expect(target.every((v) => v < size)).toBe(true);
      const seen = new Set(target);
      expect(seen.size).toBe(size);
    }
  });

  it('refuses impossible alphabet sizes', () => {
    for (const size of [0, 1, 257, 2.5]) expect(() => drawSymbols(size, new Uint8Array(4), webCryptoRandom)).toThrow(/alphabet size/);
  });

  it('wraps a failing source in RandomSourceError with the cause', () => {
    const cause = new Error('no entropy');
    expect(() => drawSymbols(32, new Uint8Array(8), () => { throw cause; })).toThrow(RandomSourceError);
  });
});

describe('webCryptoRandom', () => {
  it('fills targets larger than the 65,536-byte Web Crypto limit completely', () => {
    const target = new Uint8Array(3 * WEB_CRYPTO_MAX_BYTES + 17);
    webCryptoRandom(target);
    // Each 4 KiB slice of CSPRNG output is all zero with probability 2^-32768: any such slice means a gap.
    for (let offset = 0; offset < target.length; offset += 4096) {
      expect(target.subarray(offset, offset + 4096).some((b) => b !== 0), `slice at ${offset}`).toBe(true);
    }
    expect(target.subarray(-17).some((b) => b !== 0)).toBe(true);
  });
});
