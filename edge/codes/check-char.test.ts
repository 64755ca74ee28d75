import { describe, expect, it } from 'vitest';
import { ALPHABETS } from './alphabet.ts';
import { checkSystemCharset, computeCheckChar, hasValidCheckChar, iso7064CheckTable, type CheckSystem } from './check-char.ts';
import { advanceCheck } from '../domain/check-table.ts';
import { generateCodes } from './generate.ts';
import { DEFAULT_PROFILES, type RandomProfile } from './profile.ts';
import { webCryptoRandom } from './random-source.ts';

describe('ISO/IEC 7064 hybrid check characters', () => {
  // Worked examples published with python-stdnum (stdnum/iso7064/mod_37_36.py and mod_11_10.py doctests,
  // https://github.com/arthurdejong/python-stdnum), which implement ISO/IEC 7064:2003 §5.2.
  it.each([
    ['mod37-36', 'A12425GABC1234002', 'M'],
    ['mod11-10', '79462', '3'],
    ['mod11-10', '00200667308', '5'],
  ] as const)('%s of %s is %s', (system, data, check) => {
    expect(computeCheckChar(data, system)).toBe(check);
    expect(hasValidCheckChar(data + check, system)).toBe(true);
  });

  it('rejects every other check character for the worked examples', () => {
    for (const [system, data, check] of [['mod37-36', 'A12425GABC1234002', 'M'], ['mod11-10', '79462', '3']] as const) {
      for (const other of checkSystemCharset(system)) {
        if (other !== check) expect(hasValidCheckChar(data + other, system)).toBe(false);
      }
    }
  });

  it('refuses characters outside the charset instead of guessing', () => {
    expect(hasValidCheckChar('ABC-1', 'mod37-36')).toBe(false);
    expect(hasValidCheckChar('12a4', 'mod11-10')).toBe(false);
    expect(hasValidCheckChar('7', 'mod11-10')).toBe(false);
    expect(() => computeCheckChar('abc', 'mod37-36')).toThrow();
  });

  it('the compiled state table agrees with the direct computation', () => {
    for (const [system, alphabet] of [['mod37-36', ALPHABETS.crockford32], ['mod11-10', ALPHABETS.digits]] as const) {
      const table = iso7064CheckTable(system, alphabet);
      for (const code of generateCodes({ ...(DEFAULT_PROFILES['cap-outer'] as RandomProfile), alphabet: alphabet.name, check: false }, 500, webCryptoRandom)) {
        const state = advanceCheck(table, [...code].map((ch) => alphabet.symbols.indexOf(ch)));
        expect(String.fromCharCode(table.checkByte[state]!)).toBe(computeCheckChar(code, system));
      }
    }
  });

  describe.each([
    ['mod37-36', 'crockford32', 16],
    ['mod11-10', 'digits', 12],
  ] as const)('%s over %s: substitutions and transpositions on sampled codes', (system: CheckSystem, alphabetName, length) => {
    const profile: RandomProfile = { scheme: 'random', kind: 'cap-outer', alphabet: alphabetName, length, prefix: '', check: true, content: { type: 'plain' } };
    const codes = generateCodes(profile, 200, webCryptoRandom);
    const charset = checkSystemCharset(system);

    it('every substitution by any other character of the check charset, at every position (check char included)', () => {
      let tried = 0;
      for (const code of codes) {
        expect(hasValidCheckChar(code, system)).toBe(true);
        for (let i = 0; i < code.length; i += 1) {
          for (const ch of charset) {
            if (ch === code[i]) continue;
            const bad = code.slice(0, i) + ch + code.slice(i + 1);
            tried += 1;
            if (hasValidCheckChar(bad, system)) throw new Error(`substitution at ${i} not detected`);
          }
        }
      }
      expect(tried).toBe(codes.length * (length + 1) * (charset.length - 1));
    });

    it('adjacent transpositions: caught except the rare pairs a hybrid system cannot see', () => {
      let tried = 0;
      let escaped = 0;
      for (const code of codes) {
        for (let i = 0; i + 1 < code.length; i += 1) {
          if (code[i] === code[i + 1]) continue;
          tried += 1;
          if (hasValidCheckChar(code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2), system)) escaped += 1;
        }
      }
      expect(tried).toBeGreaterThan(codes.length * length * 0.8);
      expect(escaped / tried).toBeLessThan(system === 'mod37-36' ? 0.01 : 0.05);
    });
  });

  // ISO/IEC 7064 hybrid systems do NOT catch every adjacent transposition: when P + a ≡ M/2 (mod M) and
  // b = a + 1, both orders reach the same state (e.g. MOD 37,36 with P = 1: "HI" and "IH"). Counted
  // exhaustively over every state P and every pair a ≠ b — this pins the rates quoted in check-char.ts.
  it.each([
    ['mod37-36', 72, 45_360],
    ['mod11-10', 20, 900],
  ] as const)('%s: exactly %d of %d (state, a≠b) transpositions escape', (system, expectedEscapes, expectedTried) => {
    const charset = checkSystemCharset(system);
    let escaped = 0;
    let tried = 0;
    // Prefixes reaching every state P = 1…M: any one-character prefix x does, since x ↦ P is a bijection.
    for (const x of charset) {
      for (const a of charset) {
        for (const b of charset) {
          if (a === b) continue;
          tried += 1;
          if (computeCheckChar(x + a + b, system) === computeCheckChar(x + b + a, system)) escaped += 1;
        }
      }
    }
    expect(tried).toBe(expectedTried);
    expect(escaped).toBe(expectedEscapes);
  });
});
