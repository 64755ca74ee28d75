import { describe, expect, it } from 'vitest';
import { ALPHABETS } from './alphabet.ts';
import { generateRecords } from './generate.ts';
import { DEFAULT_PROFILES, type RandomProfile } from './profile.ts';
import { webCryptoRandom, type RandomSource } from './random-source.ts';

/**
 * Statistical checks of the generator on the real OS CSPRNG (reliability-security.md §1, test C1).
 *
 * Per-position χ² goodness of fit against the uniform distribution over the alphabet. The bar is
 * the p = 0.001 critical value (df 31 → 61.098). Testing 16 positions at p = 0.001 each would fail a correct
 * generator in 1.6 % of runs, so the per-position threshold is Bonferroni-corrected to a family-wise
 * p = 0.001 (p = 0.001/16 per position, χ² ≈ 72.8 at df 31), and additionally at most one position may
 * exceed 61.098 (P ≈ 1.2e-4 for a correct generator). The check character is not uniform by construction
 * (ISO 7064 maps 32 symbols into 36 states) and is not tested here.
 */

/** Regularised upper incomplete gamma Q(a, x) (Numerical Recipes §6.2: series below a+1, Lentz CF above). */
function gammaQ(a: number, x: number): number {
  const lnGammaA = lnGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000; n += 1) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return 1 - sum * Math.exp(-x + a * Math.log(x) - lnGammaA);
  }
  let b = x + 1 - a;
  let c = 1 / 1e-300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i += 1) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.exp(-x + a * Math.log(x) - lnGammaA) * h;
}

/** ln Γ(z), Lanczos approximation (g = 7, n = 9). */
function lnGamma(z: number): number {
  const g = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  const zz = z - 1;
  let x = g[0]!;
  for (let i = 1; i < 9; i += 1) x += g[i]! / (zz + i);
  const t = zz + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (zz + 0.5) * Math.log(t) - t + Math.log(x);
}

/** P(χ²_df ≥ x). */
function chiSquareSurvival(x: number, df: number): number {
  return gammaQ(df / 2, x / 2);
}

/** χ² statistic per random position of fixed-width records (prefix and check character excluded). */
function positionChiSquares(records: { width: number; bytes: Uint8Array }, profile: RandomProfile): number[] {
  const alphabet = ALPHABETS[profile.alphabet];
  const n = records.bytes.length / records.width;
  const stats: number[] = [];
  for (let pos = profile.prefix.length; pos < profile.prefix.length + profile.length; pos += 1) {
    const counts = new Float64Array(alphabet.size);
    for (let r = 0; r < n; r += 1) counts[alphabet.indexOfByte[records.bytes[r * records.width + pos]!]!]! += 1;
    const expected = n / alphabet.size;
    let chi = 0;
    for (const c of counts) chi += ((c - expected) * (c - expected)) / expected;
    stats.push(chi);
  }
  return stats;
}

function duplicateCount(records: { width: number; bytes: Uint8Array }): number {
  const decoder = new TextDecoder('latin1');
  const seen = new Set<string>();
  const n = records.bytes.length / records.width;
  for (let r = 0; r < n; r += 1) seen.add(decoder.decode(records.bytes.subarray(r * records.width, (r + 1) * records.width)));
  return n - seen.size;
}

const FAMILY_P = 0.001;
const CRITICAL_DF31_P001 = 61.098;

function assertUniform(stats: number[], df: number, criticalP001: number): void {
  const perPosition = FAMILY_P / stats.length;
  const worst = Math.min(...stats.map((x) => chiSquareSurvival(x, df)));
  expect(worst, `χ² per position ${stats.map((s) => s.toFixed(1)).join(' ')}`).toBeGreaterThan(perPosition);
  expect(stats.filter((x) => x > criticalP001).length).toBeLessThanOrEqual(1);
}

describe('generator statistics', () => {
  it('the χ² survival function reproduces published critical values', () => {
    // NIST/SEMATECH e-Handbook §1.3.6.7.4 (upper critical values of the χ² distribution).
    expect(chiSquareSurvival(61.098, 31)).toBeCloseTo(0.001, 5);
    expect(chiSquareSurvival(27.877, 9)).toBeCloseTo(0.001, 5);
    expect(chiSquareSurvival(44.985, 31)).toBeCloseTo(0.05, 4);
  });

  it('1M cap-inner codes from the OS CSPRNG: 0 duplicates, every position uniform (df 31)', () => {
    const profile = DEFAULT_PROFILES['cap-inner'] as RandomProfile;
    const records = generateRecords(profile, 1_000_000, webCryptoRandom);
    expect(duplicateCount(records)).toBe(0);
    const stats = positionChiSquares(records, profile);
    expect(stats).toHaveLength(16);
    assertUniform(stats, 31, CRITICAL_DF31_P001);
  });

  it('digit codes by rejection sampling are uniform too (df 9, 200k codes)', () => {
    const profile: RandomProfile = { scheme: 'random', kind: 'cap-outer', alphabet: 'digits', length: 12, prefix: '', check: true, content: { type: 'plain' } };
    assertUniform(positionChiSquares(generateRecords(profile, 200_000, webCryptoRandom), profile), 9, 27.877);
  });

  it('the same checks fail a biased or low-entropy source (the test can fail)', () => {
    const profile = DEFAULT_PROFILES['cap-inner'] as RandomProfile;
    // One stuck bit in every byte: some positions lose half their symbols.
    const stuck: RandomSource = (t) => { webCryptoRandom(t); for (let i = 0; i < t.length; i += 1) t[i] = t[i]! & 0xf7; };
    const stats = positionChiSquares(generateRecords(profile, 100_000, stuck), profile);
    expect(Math.max(...stats)).toBeGreaterThan(CRITICAL_DF31_P001);
    // "Modulo folding" of a digit: 0–5 twice as likely as 6–9, as `nibble % 10` would make; rejection
    // sampling exists to avoid exactly this.
    const digitsProfile: RandomProfile = { ...profile, kind: 'cap-outer', alphabet: 'digits', length: 12, check: false };
    const draw = new Uint8Array(12 * 100_000);
    webCryptoRandom(draw);
    const folded = draw.map((byte) => 48 + ((byte & 15) >= 10 ? (byte & 15) - 10 : byte & 15));
    const foldedStats = positionChiSquares({ width: 12, bytes: folded }, digitsProfile);
    expect(Math.min(...foldedStats)).toBeGreaterThan(27.877);
    // 16 random bits per code: the birthday bound makes duplicates certain among 100k codes.
    let counter = 0;
    const lowEntropy: RandomSource = (t) => { for (let i = 0; i < t.length; i += 1) t[i] = (i & 7) < 2 ? (counter++ * 2654435761) >>> 24 : 0; };
    expect(duplicateCount(generateRecords(profile, 100_000, lowEntropy))).toBeGreaterThan(0);
  });
});
