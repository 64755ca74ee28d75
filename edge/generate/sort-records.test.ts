import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sortRecords } from './sort-records.ts';

/** Reference: split, sort with Buffer.compare, drop repeats. */
function reference(bytes: Uint8Array, width: number, count: number): string[] {
  const recs: Buffer[] = [];
  for (let i = 0; i < count; i += 1) recs.push(Buffer.from(bytes.subarray(i * width, (i + 1) * width)));
  recs.sort(Buffer.compare);
  return recs.filter((r, i) => i === 0 || !r.equals(recs[i - 1] as Buffer)).map((r) => r.toString('hex'));
}
function split(bytes: Uint8Array, width: number, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i += 1) out.push(Buffer.from(bytes.subarray(i * width, (i + 1) * width)).toString('hex'));
  return out;
}

describe('sortRecords', () => {
  it('sorts 200k random 17-byte records in byte order, as Buffer.compare does', () => {
    const width = 17;
    const count = 200_000;
    const bytes = new Uint8Array(randomBytes(width * count));
    const want = reference(bytes, width, count);
    const n = sortRecords(bytes, width, count);
    expect(n).toBe(want.length);
    expect(split(bytes, width, n)).toEqual(want);
  });

  it('removes duplicates and handles a constant prefix and a tiny alphabet', () => {
    const width = 8;
    const count = 50_000;
    const bytes = new Uint8Array(width * count);
    const noise = randomBytes(width * count);
    for (let i = 0; i < bytes.length; i += 1) {
      const pos = i % width;
      // "ZX" prefix, then 6 characters from a 3-letter alphabet: only 729 distinct values, so many repeats.
      bytes[i] = pos === 0 ? 0x5a : pos === 1 ? 0x58 : 0x41 + ((noise[i] as number) % 3);
    }
    const want = reference(bytes, width, count);
    expect(want.length).toBeLessThanOrEqual(729);
    const n = sortRecords(bytes, width, count);
    expect(split(bytes, width, n)).toEqual(want);
  });

  it('agrees with the reference on arbitrary inputs (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.uint8Array({ maxLength: 600 }), (width, raw) => {
      const count = Math.floor(raw.length / width);
      const bytes = Uint8Array.from(raw);
      const want = reference(bytes, width, count);
      const n = sortRecords(bytes, width, count);
      return JSON.stringify(split(bytes, width, n)) === JSON.stringify(want);
    }), { numRuns: 300 });
  });

  it('rejects a count that does not fit and a bad width', () => {
    expect(() => sortRecords(new Uint8Array(10), 3, 4)).toThrow(RangeError);
    expect(() => sortRecords(new Uint8Array(10), 0, 1)).toThrow(RangeError);
    expect(sortRecords(new Uint8Array(3), 3, 1)).toBe(1);
    expect(sortRecords(new Uint8Array(0), 3, 0)).toBe(0);
  });
});
