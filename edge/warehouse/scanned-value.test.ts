import { describe, expect, it } from 'vitest';
import { scannedCandidates } from './scanned-value.ts';

describe('scannedCandidates', () => {
  const SSCC = '106141412345678908';
  it('finds the SSCC of a GS1-128 pallet label in every form a reader hands over', () => {
    for (const scan of [`]C100${SSCC}`, `(00)${SSCC}`, `00${SSCC}`, `https://id.gs1.org/00/${SSCC}`, `  ${SSCC}\r\n`]) {
      expect(scannedCandidates(scan), scan).toContain(SSCC);
    }
  });
  it('finds an SGTIN as the station stores it, and the code of a brand code URL', () => {
    expect(scannedCandidates('https://brand.example/01/09501101530003/21/ABC')).toContain('010950110153000321ABC');
    expect(scannedCandidates('(01)09501101530003(21)ABC')).toContain('010950110153000321ABC');
    expect(scannedCandidates('https://c.brand.example/case-outer/CASE%2F7?x=1')).toEqual(['https://c.brand.example/case-outer/CASE%2F7?x=1', 'CASE/7']);
  });
  it('keeps a plain code as it is, first', () => {
    expect(scannedCandidates('6CE1A2B3C4D5')).toEqual(['6CE1A2B3C4D5']);
    expect(scannedCandidates('')).toEqual([]);
  });
});
