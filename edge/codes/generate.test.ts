import { describe, expect, it } from 'vitest';
import { ALPHABETS } from './alphabet.ts';
import { computeCheckChar, hasValidCheckChar } from './check-char.ts';
import { InvalidProfileError, RandomSourceError } from './errors.ts';
import { generateCode, generateCodes, generateRecords, recordAt } from './generate.ts';
import { hasValidGs1CheckDigit } from '../domain/gs1-check-digit.ts';
import { DEFAULT_PROFILES, type CodeProfile, type RandomProfile } from './profile.ts';
import { webCryptoRandom, type RandomSource } from './random-source.ts';
import { seededBytes } from '../../test/support/seeded-bytes.ts';

const plain = { type: 'plain' } as const;

/** Fills every byte with `byte`. */
const constant = (byte: number): RandomSource => (t) => { t.fill(byte); };

describe('generateRecords', () => {
  it('writes into a caller\'s buffer when given one: the same records as a new array, nothing past them touched', () => {
    const profile = DEFAULT_PROFILES['cap-inner'];
    const fresh = generateRecords(profile, 100, seededBytes(3));
    const into = new Uint8Array(fresh.width * 120).fill(0x2a);
    const reused = generateRecords(profile, 100, seededBytes(3), into);
    expect(reused.bytes).toBe(into);
    expect(Buffer.from(into.subarray(0, fresh.width * 100)).equals(Buffer.from(fresh.bytes))).toBe(true);
    expect(into.subarray(fresh.width * 100).every((b) => b === 0x2a)).toBe(true);
    expect(() => generateRecords(profile, 100, seededBytes(3), new Uint8Array(fresh.width * 99))).toThrow(RangeError);
  });

  it('writes fixed-width records with no separators: 16 Crockford characters + MOD 37,36 check', () => {
    const records = generateRecords(DEFAULT_PROFILES['cap-inner'], 1000, webCryptoRandom);
    expect(records.width).toBe(17);
    expect(records.bytes.length).toBe(17 * 1000);
    for (let i = 0; i < 1000; i += 1) {
      const code = recordAt(records, i);
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{16}[0-9A-Z]$/);
      expect(hasValidCheckChar(code, 'mod37-36')).toBe(true);
    }
  });

  it('maps random bits to symbols exactly: zero bits → "0", one bits → "Z"', () => {
    const zeros = '0'.repeat(16);
    expect(generateCode(DEFAULT_PROFILES['cap-inner'], constant(0))).toBe(zeros + computeCheckChar(zeros, 'mod37-36'));
    const zs = 'Z'.repeat(16);
    expect(generateCode(DEFAULT_PROFILES['cap-inner'], constant(0xff))).toBe(zs + computeCheckChar(zs, 'mod37-36'));
    // 0b00001_000 10_00011_0 0100_0010 1_00101_00 110_00111 → 1 2 3 4 5 6 7 (big-endian 5-bit groups)
    const bytes = [0b00000000, 0b01000100, 0b00110010, 0b00010100, 0b11000111];
    const src: RandomSource = (t) => { for (let i = 0; i < t.length; i += 1) t[i] = bytes[i % 5]!; };
    expect(generateCode({ ...DEFAULT_PROFILES['cap-outer'], check: false } as RandomProfile, src).slice(0, 8)).toBe('01234567');
  });

  it('draws digits by rejection: 4-bit groups 10–15 are skipped, not folded', () => {
    let calls = 0;
    // First block: every nibble is A or B (10, 11) → all rejected; afterwards nibbles 1 and 2.
    const src: RandomSource = (t) => { t.fill(calls === 0 ? 0xab : 0x12); calls += 1; };
    const profile: RandomProfile = { scheme: 'random', kind: 'cap-outer', alphabet: 'digits', length: 12, prefix: '', check: true, content: plain };
    const code = generateCode(profile, src);
    expect(code.slice(0, 12)).toBe('121212121212');
    expect(hasValidCheckChar(code, 'mod11-10')).toBe(true);
    expect(calls).toBeGreaterThanOrEqual(2);
  });

  it('refuses a stuck random source instead of looping forever', () => {
    const profile: RandomProfile = { scheme: 'random', kind: 'cap-outer', alphabet: 'digits', length: 12, prefix: '', check: true, content: plain };
    expect(() => generateCode(profile, constant(0xff))).toThrow(RandomSourceError);
  });

  it('wraps a throwing random source in RandomSourceError', () => {
    const broken: RandomSource = () => { throw new Error('entropy unavailable'); };
    const error = (() => { try { generateCode(DEFAULT_PROFILES.pallet, broken); } catch (e) { return e; } return null; })();
    expect(error).toBeInstanceOf(RandomSourceError);
    expect((error as RandomSourceError).code).toBe('RANDOM_SOURCE');
    expect((error as RandomSourceError).cause).toBeInstanceOf(Error);
  });

  it('puts the station prefix first and covers it with the check character', () => {
    const profile: RandomProfile = { ...(DEFAULT_PROFILES['cap-inner'] as RandomProfile), prefix: 'K7' };
    const codes = generateCodes(profile, 200, seededBytes(7));
    for (const code of codes) {
      expect(code).toHaveLength(19);
      expect(code.startsWith('K7')).toBe(true);
      expect(hasValidCheckChar(code, 'mod37-36')).toBe(true);
    }
  });

  it('makes 18-digit SSCCs: extension digit + company prefix + random serial reference + GS1 check digit', () => {
    for (const companyPrefix of ['0614141', '123456789012']) {
      const profile: CodeProfile = { scheme: 'sscc', kind: 'pallet', extensionDigit: 3, companyPrefix, content: plain };
      const codes = generateCodes(profile, 500, seededBytes(11));
      const serials = new Set<string>();
      for (const code of codes) {
        expect(code).toMatch(/^\d{18}$/);
        expect(code.startsWith(`3${companyPrefix}`)).toBe(true);
        expect(hasValidGs1CheckDigit(code)).toBe(true);
        serials.add(code.slice(1 + companyPrefix.length, 17));
      }
      expect(serials.size).toBeGreaterThan(companyPrefix.length === 7 ? 490 : 1);
    }
  });

  it('makes SGTIN AI (21) serials of exactly `length` cset82-safe characters', () => {
    const profile: CodeProfile = { scheme: 'sgtin', kind: 'cap-outer', gtin: '80614141123458', length: 20, content: plain };
    const records = generateRecords(profile, 300, seededBytes(3));
    expect(records.width).toBe(20);
    for (let i = 0; i < 300; i += 1) expect(recordAt(records, i)).toMatch(/^[-0-9A-Z_a-z]{20}$/);
    expect(ALPHABETS['cset82-safe'].size).toBe(64);
  });

  it('is reproducible for a reproducible source and spans block boundaries without gaps', () => {
    const profile = DEFAULT_PROFILES['cap-outer'];
    const big = generateRecords(profile, 20_000, seededBytes(5));
    const again = generateRecords(profile, 20_000, seededBytes(5));
    expect(Buffer.from(big.bytes).equals(Buffer.from(again.bytes))).toBe(true);
    // Every byte of every record is written (no zero bytes left from allocation).
    expect(big.bytes.includes(0)).toBe(false);
  });

  it('handles count 0 and rejects bad counts and invalid profiles before drawing', () => {
    expect(generateRecords(DEFAULT_PROFILES.pallet, 0, webCryptoRandom).bytes.length).toBe(0);
    expect(() => generateRecords(DEFAULT_PROFILES.pallet, -1, webCryptoRandom)).toThrow(RangeError);
    expect(() => generateRecords(DEFAULT_PROFILES.pallet, 1.5, webCryptoRandom)).toThrow(RangeError);
    // 40M × 48-byte codes would be 1.9 GB in one array: refused before allocating.
    const wide: RandomProfile = { ...(DEFAULT_PROFILES.pallet as RandomProfile), length: 40, prefix: 'ABCDEFG' };
    expect(() => generateRecords(wide, 40_000_000, webCryptoRandom)).toThrow(/generate in chunks/);
    let drew = false;
    const watch: RandomSource = (t) => { drew = true; webCryptoRandom(t); };
    const weak: RandomProfile = { ...(DEFAULT_PROFILES['cap-inner'] as RandomProfile), length: 12 };
    expect(() => generateRecords(weak, 10, watch)).toThrow(InvalidProfileError);
    expect(drew).toBe(false);
  });
});
