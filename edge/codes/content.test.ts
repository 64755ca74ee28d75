import { describe, expect, it } from 'vitest';
import { symbolContent } from './content.ts';
import { parseDigitalLink } from './gs1/digital-link.ts';
import { parseElementString } from './gs1/element-string.ts';
import { Gs1Error } from './gs1/errors.ts';
import type { CodeProfile, ProfileContent } from './profile.ts';

const random = (content: ProfileContent, kind: CodeProfile['kind'] = 'cap-outer'): CodeProfile =>
  ({ scheme: 'random', kind, alphabet: 'crockford32', length: 12, prefix: '', check: true, content });
const sscc = (content: ProfileContent): CodeProfile => ({ scheme: 'sscc', kind: 'pallet', extensionDigit: 1, companyPrefix: '0614141', content });
const sgtin = (content: ProfileContent): CodeProfile => ({ scheme: 'sgtin', kind: 'cap-outer', gtin: '09501101530003', length: 10, content });

function thrown(run: () => unknown): Gs1Error {
  try { run(); } catch (error) { if (error instanceof Gs1Error) return error; throw error; }
  throw new Error('did not throw');
}

describe('symbolContent', () => {
  it('plain: the bare code, no element string for non-GS1 codes', () => {
    expect(symbolContent(random({ type: 'plain' }), 'N7K2ABCD1234', { kind: 'cap-outer' })).toEqual({ text: 'N7K2ABCD1234', elementString: null });
  });

  it('URL template: placeholders filled, the code percent-encoded', () => {
    const p = random({ type: 'url', template: 'https://m.brand.cn/s?c={code}&k={kind}&g={gtin}' });
    expect(symbolContent(p, 'AB+/C', { kind: 'cap-inner', gtin: '06901234567892' }).text)
      .toBe('https://m.brand.cn/s?c=AB%2B%2FC&k=cap-inner&g=06901234567892');
    const e = thrown(() => symbolContent(p, 'N7K2ABCDEFGHJKQ9', { kind: 'cap-inner' }));
    expect(e.code).toBe('CONTENT_UNSUPPORTED');
    expect(e.message).toContain('{gtin}');
    expect(e.message).not.toContain('N7K2ABCDEFGHJKQ9');
    expect(e.message).toContain('N7K2…Q9');
  });

  it('Digital Link: SSCC → /00/…, SGTIN → /01/…/21/…, and element strings that parse back', () => {
    const pallet = symbolContent(sscc({ type: 'digital-link', domain: 'https://id.brand.cn' }), '106141412345678908', { kind: 'pallet' });
    expect(pallet).toEqual({ text: 'https://id.brand.cn/00/106141412345678908', elementString: '(00)106141412345678908' });
    const item = symbolContent(sgtin({ type: 'digital-link', domain: 'https://id.brand.cn/q' }), 'Ab3xY9', { kind: 'cap-outer' });
    expect(item.text).toBe('https://id.brand.cn/q/01/09501101530003/21/Ab3xY9');
    expect(item.elementString).toBe('(01)09501101530003(21)Ab3xY9');
    const dl = parseDigitalLink(item.text);
    const es = parseElementString(item.elementString ?? '');
    expect(dl.ok && es.ok && dl.elements).toEqual(es.ok ? es.elements : null);
    expect(symbolContent(sgtin({ type: 'plain' }), 'Ab3xY9', { kind: 'cap-outer' }).text).toBe('Ab3xY9');
  });

  it('refuses what a profile cannot express, masking secret codes', () => {
    const e1 = thrown(() => symbolContent(random({ type: 'digital-link', domain: 'https://id.brand.cn' }, 'cap-inner'), 'N7K2ABCDEFGHJKQ9', { kind: 'cap-inner' }));
    expect(e1.code).toBe('CONTENT_UNSUPPORTED');
    expect(e1.message).not.toContain('N7K2ABCDEFGHJKQ9');
    expect(thrown(() => symbolContent(sscc({ type: 'plain' }), '106141412345678909', { kind: 'pallet' })).code).toBe('CONTENT_UNSUPPORTED');
    expect(thrown(() => symbolContent(sgtin({ type: 'digital-link', domain: 'ftp://x' }), 'Ab3', { kind: 'cap-outer' })).code).toBe('INVALID_URI_STEM');
  });
});
