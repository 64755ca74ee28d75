import { describe, expect, it } from 'vitest';
import { advanceCheck } from './check-table.ts';
import { gs1CheckDigit, gs1CheckTable, hasValidGs1CheckDigit } from './gs1-check-digit.ts';

describe('GS1 mod-10 check digit', () => {
  // Keys from notes/standards.md §2.1 (EPC TDS URN ↔ Digital Link pairs, verified there against GS1 vectors).
  it.each([
    '80614141123458', // GTIN-14 of urn:epc:id:sgtin:0614141.812345.6789
    '10614141073464', // GTIN-14 of urn:epc:id:sgtin:0614141.107346.2017
    '106141412345678908', // SSCC of urn:epc:id:sscc:0614141.1234567890
    '0614141007776', // GLN of urn:epc:id:sgln:0614141.00777.0
    '4012345002256', // PGLN of urn:epc:id:pgln:4012345.00225
    '04012345123456', // GTIN of urn:epc:id:lgtin:4012345.012345.998877
  ])('%s is valid and every other last digit is not', (key) => {
    expect(hasValidGs1CheckDigit(key)).toBe(true);
    expect(gs1CheckDigit(key.slice(0, -1))).toBe(Number(key.slice(-1)));
    for (let d = 0; d < 10; d += 1) {
      if (String(d) !== key.slice(-1)) expect(hasValidGs1CheckDigit(key.slice(0, -1) + d)).toBe(false);
    }
  });

  it('refuses non-digits and too-short keys', () => {
    expect(hasValidGs1CheckDigit('8061414112345X')).toBe(false);
    expect(hasValidGs1CheckDigit('5')).toBe(false);
    expect(() => gs1CheckDigit('12a')).toThrow(RangeError);
  });

  it('the compiled state table agrees with the direct computation for every key length in use', () => {
    for (const length of [7, 11, 12, 13, 17]) {
      const table = gs1CheckTable(length);
      for (let n = 0; n < 300; n += 1) {
        const digits = Array.from({ length }, (_, i) => (n * 7919 + i * 104729 + (n >> 3) * i) % 10);
        const state = advanceCheck(table, digits);
        expect(String.fromCharCode(table.checkByte[state]!)).toBe(String(gs1CheckDigit(digits.join(''))));
      }
    }
  });
});
