import { CodesBug, RandomSourceError } from './errors.ts';
import { WEB_CRYPTO_MAX_BYTES, type RandomSource } from './random-source.ts';

/**
 * Fills `target` with symbol indices drawn independently and uniformly from [0, alphabetSize), using random
 * bytes from `random` (DESIGN §5).
 *
 * Method: the random bytes are read as a bit stream in groups of k bits, k = ⌈log2 alphabetSize⌉. Every
 * k-bit group of uniform bytes is uniform on [0, 2^k).
 * - alphabetSize = 2^k (32, 64): every group is a symbol. This is masking, not `% n`: 8 bits split into whole
 *   k-bit fields whose 2^k values are each hit by exactly 2^(8·m − k) of the byte patterns — no value is
 *   favoured. Modulo bias arises only when 2^8 is not a multiple of n and the remainder values wrap around.
 * - otherwise (10 digits): rejection sampling — a group ≥ alphabetSize is discarded and the next one read,
 *   so each accepted value is uniform on [0, alphabetSize) (the expected cost is 2^k / alphabetSize groups
 *   per symbol: 1.6 for digits). There is no `%` on random data anywhere in this file; a test parses the
 *   sources of edge/codes and fails if there is.
 *
 * Random bytes are requested in blocks (≤ 64 KiB) so the per-call cost of the CSPRNG is amortised.
 * Leftover bits of the last block are discarded, never reused in a later call.
 */
export function drawSymbols(alphabetSize: number, target: Uint8Array, random: RandomSource): void {
  if (!Number.isInteger(alphabetSize) || alphabetSize < 2 || alphabetSize > 256) {
    throw new CodesBug(`alphabet size must be an integer in [2, 256], got ${alphabetSize}`);
  }
  if (alphabetSize === 32) drawFiveBitSymbols(target, random);
  else if (alphabetSize === 64) drawSixBitSymbols(target, random);
  else drawRejected(alphabetSize, target, random);
}

function fill(random: RandomSource, bytes: Uint8Array): void {
  try {
    random(bytes);
  } catch (error) {
    throw new RandomSourceError(error);
  }
}

/** 5 bytes = 40 bits = 8 five-bit symbols, big-endian bit order. */
const FIVE_BIT_GROUPS_PER_BLOCK = 8192;

function drawFiveBitSymbols(target: Uint8Array, random: RandomSource): void {
  const n = target.length;
  const block = new Uint8Array(Math.min(FIVE_BIT_GROUPS_PER_BLOCK, Math.ceil(n / 8)) * 5);
  const tail = new Uint8Array(8);
  let t = 0;
  while (t < n) {
    const groups = Math.min(FIVE_BIT_GROUPS_PER_BLOCK, Math.ceil((n - t) / 8));
    const bytes = block.subarray(0, groups * 5);
    fill(random, bytes);
    for (let b = 0; b < bytes.length; b += 5) {
      const out = n - t >= 8 ? target : tail;
      const o = out === target ? t : 0;
      const b0 = bytes[b]!;
      const b1 = bytes[b + 1]!;
      const b2 = bytes[b + 2]!;
      const b3 = bytes[b + 3]!;
      const b4 = bytes[b + 4]!;
      out[o] = b0 >>> 3;
      out[o + 1] = ((b0 & 7) << 2) | (b1 >>> 6);
      out[o + 2] = (b1 >>> 1) & 31;
      out[o + 3] = ((b1 & 1) << 4) | (b2 >>> 4);
      out[o + 4] = ((b2 & 15) << 1) | (b3 >>> 7);
      out[o + 5] = (b3 >>> 2) & 31;
      out[o + 6] = ((b3 & 3) << 3) | (b4 >>> 5);
      out[o + 7] = b4 & 31;
      if (out === tail) {
        target.set(tail.subarray(0, n - t), t);
        t = n;
      } else {
        t += 8;
      }
    }
  }
}

/** 3 bytes = 24 bits = 4 six-bit symbols. */
const SIX_BIT_GROUPS_PER_BLOCK = 16_384;

function drawSixBitSymbols(target: Uint8Array, random: RandomSource): void {
  const n = target.length;
  const block = new Uint8Array(Math.min(SIX_BIT_GROUPS_PER_BLOCK, Math.ceil(n / 4)) * 3);
  const tail = new Uint8Array(4);
  let t = 0;
  while (t < n) {
    const groups = Math.min(SIX_BIT_GROUPS_PER_BLOCK, Math.ceil((n - t) / 4));
    const bytes = block.subarray(0, groups * 3);
    fill(random, bytes);
    for (let b = 0; b < bytes.length; b += 3) {
      const out = n - t >= 4 ? target : tail;
      const o = out === target ? t : 0;
      const b0 = bytes[b]!;
      const b1 = bytes[b + 1]!;
      const b2 = bytes[b + 2]!;
      out[o] = b0 >>> 2;
      out[o + 1] = ((b0 & 3) << 4) | (b1 >>> 4);
      out[o + 2] = ((b1 & 15) << 2) | (b2 >>> 6);
      out[o + 3] = b2 & 63;
      if (out === tail) {
        target.set(tail.subarray(0, n - t), t);
        t = n;
      } else {
        t += 4;
      }
    }
  }
}

/**
 * A CSPRNG rejects a digit group with probability 6/16; 4,096 rejections in a row has probability < 10^-1700.
 * Seeing it means the source is broken (stuck bits), and looping on it forever would hang the station.
 */
const MAX_REJECTED_IN_A_ROW = 4096;

function drawRejected(size: number, target: Uint8Array, random: RandomSource): void {
  let k = 1;
  while (1 << k < size) k += 1;
  const mask = (1 << k) - 1;
  const n = target.length;
  // Expected bytes for the rest: n symbols × k bits × (2^k / size) tries, plus slack; capped per request.
  const wanted = (remaining: number): number => Math.min(WEB_CRYPTO_MAX_BYTES, Math.ceil((remaining * k * (mask + 1)) / size / 8) + 16);
  let block = new Uint8Array(wanted(n));
  let pos = block.length;
  let acc = 0;
  let bits = 0;
  let t = 0;
  let rejectedInARow = 0;
  while (t < n) {
    if (pos === block.length) {
      const size2 = wanted(n - t);
      if (size2 !== block.length) block = new Uint8Array(size2);
      fill(random, block);
      pos = 0;
    }
    // acc holds at most 7 + 8 = 15 unread bits; older bits are masked off.
    acc = ((acc << 8) | block[pos]!) & 0xffff;
    pos += 1;
    bits += 8;
    while (bits >= k && t < n) {
      bits -= k;
      const v = (acc >>> bits) & mask;
      if (v < size) {
        target[t] = v;
        t += 1;
        rejectedInARow = 0;
      } else if (++rejectedInARow > MAX_REJECTED_IN_A_ROW) {
        throw new RandomSourceError(new Error(`${MAX_REJECTED_IN_A_ROW} consecutive out-of-range draws: the random source is stuck`));
      }
    }
  }
}
