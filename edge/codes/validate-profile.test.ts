import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILES } from './profile.ts';
import { profileRandomBits, validateProfile } from './validate-profile.ts';
import { CODE_KINDS } from '../domain/kinds.ts';

const plain = { type: 'plain' } as const;
const base = { scheme: 'random', kind: 'cap-inner', alphabet: 'crockford32', length: 16, prefix: '', check: true, content: plain };

function paths(profile: unknown): string[] {
  return validateProfile(profile).map((i) => i.path);
}

describe('validateProfile', () => {
  it('accepts every default profile; secret defaults carry exactly 80 bits', () => {
    for (const kind of CODE_KINDS) expect(validateProfile(DEFAULT_PROFILES[kind])).toEqual([]);
    expect(profileRandomBits(DEFAULT_PROFILES['cap-inner'])).toBe(80);
  });

  it('refuses a secret kind with fewer than 80 random bits, naming the field and the length needed', () => {
    const issues = validateProfile({ ...base, length: 15 });
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('profile.length');
    expect(issues[0]!.message).toContain('盖内码');
    expect(issues[0]!.message).toContain('80');
    expect(issues[0]!.message).toContain('length ≥ 16');
    // 24 digits = 79.7 bits: still short; 25 digits = 83 bits is enough.
    expect(paths({ ...base, kind: 'case-inner', alphabet: 'digits', length: 24 })).toEqual(['profile.length']);
    expect(paths({ ...base, kind: 'case-inner', alphabet: 'digits', length: 25 })).toEqual([]);
    // Visible kinds may be shorter (DESIGN §5: a product profile may say otherwise).
    expect(paths({ ...base, kind: 'cap-outer', length: 8 })).toEqual([]);
  });

  it('refuses prefix characters outside the alphabet and over-long prefixes', () => {
    const [issue] = validateProfile({ ...base, prefix: 'K7O' });
    expect(issue?.path).toBe('profile.prefix');
    expect(issue?.message).toContain('第 3 个字符 "O"');
    expect(paths({ ...base, prefix: 'A'.repeat(17) })).toEqual(['profile.prefix']);
    expect(paths({ ...base, alphabet: 'digits', length: 25, prefix: '12A' })).toEqual(['profile.prefix']);
  });

  it('refuses bad lengths, widths, check flags and unknown alphabets, kinds, schemes and content', () => {
    expect(paths({ ...base, kind: 'pallet', length: 3 })).toEqual(['profile.length']);
    expect(paths({ ...base, length: 41 })).toEqual(['profile.length']);
    expect(paths({ ...base, length: 16.5 })).toContain('profile.length');
    expect(paths({ ...base, length: 40, prefix: 'ABCDEFGH' })).toEqual(['profile.length']);
    expect(paths({ ...base, check: 'yes' })).toEqual(['profile.check']);
    expect(paths({ ...base, alphabet: 'base64' })).toEqual(['profile.alphabet']);
    expect(paths({ ...base, kind: 'bottle' })).toEqual(['profile.kind']);
    expect(paths({ ...base, scheme: 'sequential' })).toEqual(['profile.scheme']);
    expect(paths({ ...base, content: { type: 'html' } })).toEqual(['profile.content.type']);
    expect(paths({ ...base, kind: 'cap-outer', alphabet: 'cset82-safe', length: 12, check: true })).toEqual(['profile.check']);
    expect(paths(null)).toEqual(['profile']);
    expect(validateProfile('x', 'products[2].profiles.cap-inner')[0]?.path).toBe('products[2].profiles.cap-inner');
  });

  it('lists every bad field at once, under the caller\'s path', () => {
    const issues = validateProfile({ ...base, alphabet: 'digits', length: 2, prefix: 'ZZ', check: 1 }, 'products[0].profiles.cap-inner');
    expect(issues.map((i) => i.path).sort()).toEqual([
      'products[0].profiles.cap-inner.check',
      'products[0].profiles.cap-inner.length',
      'products[0].profiles.cap-inner.prefix',
    ]);
    for (const issue of issues) expect(issue.message).toMatch(/[\u4e00-\u9fff].*\(.+\)$/);
  });

  it('SSCC: extension digit 0–9, company prefix 7–12 digits, never for a secret kind', () => {
    const sscc = { scheme: 'sscc', kind: 'pallet', extensionDigit: 0, companyPrefix: '6901234', content: plain };
    expect(paths(sscc)).toEqual([]);
    expect(paths({ ...sscc, extensionDigit: 10 })).toEqual(['profile.extensionDigit']);
    expect(paths({ ...sscc, companyPrefix: '690123' })).toEqual(['profile.companyPrefix']);
    expect(paths({ ...sscc, companyPrefix: '6901234567890' })).toEqual(['profile.companyPrefix']);
    expect(paths({ ...sscc, companyPrefix: 690123456 })).toEqual(['profile.companyPrefix']);
    expect(paths({ ...sscc, kind: 'cap-inner' })).toEqual(['profile.scheme']);
    expect(profileRandomBits({ ...sscc, companyPrefix: '123456789012' })).toBeCloseTo(4 * Math.log2(10));
  });

  it('SGTIN: GTIN-14 with a valid check digit, AI (21) serial of at most 20 characters, ≥ 80 bits for secrets', () => {
    const sgtin = { scheme: 'sgtin', kind: 'cap-outer', gtin: '80614141123458', length: 12, content: plain };
    expect(paths(sgtin)).toEqual([]);
    expect(paths({ ...sgtin, gtin: '80614141123459' })).toEqual(['profile.gtin']);
    expect(validateProfile({ ...sgtin, gtin: '80614141123459' })[0]?.message).toContain('校验位');
    expect(paths({ ...sgtin, gtin: '6901234567892' })).toEqual(['profile.gtin']);
    expect(paths({ ...sgtin, length: 21 })).toEqual(['profile.length']);
    expect(paths({ ...sgtin, length: 0 })).toEqual(['profile.length']);
    expect(paths({ ...sgtin, kind: 'case-inner', length: 13 })).toEqual(['profile.length']);
    expect(paths({ ...sgtin, kind: 'case-inner', length: 14 })).toEqual([]);
  });
});
