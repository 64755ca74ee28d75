import { describe, expect, it } from 'vitest';
import { InvalidProfileError } from './errors.ts';
import { generateCode, generateCodes } from './generate.ts';
import { DEFAULT_PROFILES, type CodeProfile, type RandomProfile } from './profile.ts';
import { webCryptoRandom } from './random-source.ts';
import { identifyCode, verifyCode } from './verify-code.ts';

const plain = { type: 'plain' } as const;
const capInner = DEFAULT_PROFILES['cap-inner'];

function replaceAt(code: string, i: number, ch: string): string {
  return code.slice(0, i) + ch + code.slice(i + 1);
}

describe('verifyCode', () => {
  it('accepts what the generator makes, for every scheme', () => {
    const profiles: CodeProfile[] = [
      ...Object.values(DEFAULT_PROFILES),
      { scheme: 'random', kind: 'cap-outer', alphabet: 'digits', length: 12, prefix: '88', check: true, content: plain },
      { scheme: 'sscc', kind: 'pallet', extensionDigit: 1, companyPrefix: '69012345', content: plain },
      { scheme: 'sgtin', kind: 'cap-outer', gtin: '80614141123458', length: 20, content: plain },
    ];
    for (const profile of profiles) {
      for (const code of generateCodes(profile, 200, webCryptoRandom)) expect(verifyCode(code, profile)).toEqual({ ok: true });
    }
  });

  it('names the defect and its position without echoing the code', () => {
    const code = generateCode(capInner, webCryptoRandom);
    const cases: [string, string, number | undefined][] = [
      ['', 'empty', undefined],
      [code.slice(0, 16), 'length', undefined],
      [`${code}Z`, 'length', undefined],
      [replaceAt(code, 4, 'U'), 'alphabet', 5],
      [replaceAt(code, 4, 'a'), 'alphabet', 5],
      [replaceAt(code, 0, '\u00e9'), 'alphabet', 1],
      [replaceAt(code, 16, code[16] === '0' ? '1' : '0'), 'check-char', 17],
    ];
    for (const [bad, reason, position] of cases) {
      const result = verifyCode(bad, capInner);
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.reason).toBe(reason);
      expect(result.position).toBe(position);
      expect(result.message).toMatch(/[\u4e00-\u9fff].*\(.+\)$/);
      expect(result.message).not.toContain(code.slice(0, 8));
    }
  });

  it('checks the station prefix, the SSCC company prefix and the SSCC check digit', () => {
    const prefixed: RandomProfile = { ...(DEFAULT_PROFILES['case-outer'] as RandomProfile), prefix: 'W1' };
    const code = generateCode(prefixed, webCryptoRandom);
    expect(verifyCode(replaceAt(code, 1, '2'), prefixed)).toMatchObject({ ok: false, reason: 'prefix', position: 2 });
    const sscc: CodeProfile = { scheme: 'sscc', kind: 'pallet', extensionDigit: 0, companyPrefix: '6901234', content: plain };
    expect(verifyCode('106141412345678908', sscc)).toMatchObject({ ok: false, reason: 'prefix', position: 1 });
    const ok = { ...sscc, extensionDigit: 1, companyPrefix: '0614141' };
    expect(verifyCode('106141412345678908', ok)).toEqual({ ok: true });
    expect(verifyCode('106141412345678907', ok)).toMatchObject({ ok: false, reason: 'check-digit', position: 18 });
    expect(verifyCode('10614141234567890X', ok)).toMatchObject({ ok: false, reason: 'check-digit' });
  });

  it('throws InvalidProfileError for an invalid profile instead of judging codes by it', () => {
    expect(() => verifyCode('X', { ...(capInner as RandomProfile), length: 8 })).toThrow(InvalidProfileError);
  });
});

describe('identifyCode', () => {
  it('lists every default kind whose format fits', () => {
    expect(identifyCode(generateCode(capInner, webCryptoRandom))).toEqual({ ok: true, kinds: ['cap-inner', 'case-inner'] });
    expect(identifyCode(generateCode(DEFAULT_PROFILES.pallet, webCryptoRandom))).toEqual({ ok: true, kinds: ['cap-outer', 'case-outer', 'pallet', 'box'] });
  });

  it('reports the most specific defect, or the lengths in use', () => {
    const code = generateCode(DEFAULT_PROFILES['cap-outer'], webCryptoRandom);
    expect(identifyCode(replaceAt(code, 12, code[12] === 'A' ? 'B' : 'A'))).toMatchObject({ ok: false, reason: 'check-char' });
    const short = identifyCode('ABC');
    expect(short).toMatchObject({ ok: false, reason: 'length' });
    if (!short.ok) expect(short.message).toContain('13 / 17');
    expect(identifyCode('')).toMatchObject({ ok: false, reason: 'empty' });
  });

  it('uses the profiles it is given', () => {
    const profiles = { ...DEFAULT_PROFILES, pallet: { scheme: 'sscc', kind: 'pallet', extensionDigit: 1, companyPrefix: '0614141', content: plain } as CodeProfile };
    expect(identifyCode('106141412345678908', profiles)).toEqual({ ok: true, kinds: ['pallet'] });
  });
});
