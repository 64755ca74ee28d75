import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fill, readFeature, withGs } from '../../../test/fixtures/gs1/feature-file.ts';
import { GS, parseElementString, toBracketedElementString, toRawElementString } from './element-string.ts';
import { Gs1Error } from './errors.ts';
import { csumAlphaPair } from './linters.ts';
import { gs1CheckDigit } from '../../domain/gs1-check-digit.ts';

const reasons = (input: string): string[] => {
  const r = parseElementString(input);
  return r.ok ? [] : r.issues.map((i) => `${i.ai ?? '-'}@${i.position}:${i.reason}`);
};

describe('ExtractFromGs1ElementStrings.feature', () => {
  const scenarios = readFeature('ExtractFromGs1ElementStrings.feature');
  it('drives every scenario of the file', () => { expect(scenarios.length).toBe(10); });
  for (const s of scenarios) {
    it(`${s.title} (line ${s.line})`, () => {
      const given = s.steps.find((st) => st.startsWith('Given')) ?? '';
      const when = s.steps.find((st) => st.startsWith('When')) ?? '';
      const then = s.steps.find((st) => st.startsWith('Then')) ?? '';
      const rows = s.examples.length > 0 ? s.examples : [{}];
      for (const row of rows) {
        const input = withGs(/"(.*)"/.exec(fill(given, row))?.[1] ?? '');
        const result = parseElementString(input, { validate: !/without validation/.test(when) });
        if (/exception/.test(then)) {
          expect(result.ok, input).toBe(false);
          const ai = /AI (\d+)|identifier (\d+)/.exec(then);
          if (!result.ok) expect(result.issues.map((i) => i.ai)).toContain(ai?.[1] ?? ai?.[2]);
          continue;
        }
        const table = s.stepTable.slice(1).map(([ai = '', value = '']) => [fill(ai, row), fill(value, row)]);
        expect(result.ok, JSON.stringify(result)).toBe(true);
        if (result.ok) expect(result.elements.map((e) => [e.ai, e.value])).toEqual(expect.arrayContaining(table));
      }
    });
  }
});

describe('parseElementString', () => {
  it('reads bracketed, raw, and AIM-prefixed scan data alike', () => {
    const expected = [{ ai: '01', value: '12312312312333' }, { ai: '10', value: 'ABC123' }, { ai: '99', value: 'TESTING' }];
    for (const input of ['(01)12312312312333(10)ABC123(99)TESTING', `011231231231233310ABC123${GS}99TESTING`,
      `]d2011231231231233310ABC123${GS}99TESTING`, `]C1${GS}011231231231233310ABC123${GS}99TESTING`,
      `]Q3011231231231233310ABC123${GS}99TESTING`, `]e0011231231231233310ABC123${GS}99TESTING`]) {
      const r = parseElementString(input);
      expect(r.ok && r.elements, input).toEqual(expected);
    }
    const r = parseElementString(`]C10112312312312333235XYZ${GS}10ABC`);
    expect(r).toEqual({ ok: true, symbologyId: ']C1', elements: [{ ai: '01', value: '12312312312333' }, { ai: '235', value: 'XYZ' }, { ai: '10', value: 'ABC' }] });
  });

  it('names AI, position and reason for each kind of bad input', () => {
    expect(reasons('(01)12312312312334')).toEqual(['01@17:bad-check-digit']);
    expect(reasons('(00)106141412345678908(21)' + 'A'.repeat(21))).toEqual(['21@46:too-long']);
    expect(reasons('(21)AB C')).toEqual(['21@6:bad-charset']);
    expect(reasons('(21)中文')).toEqual(['21@4:bad-charset']);
    expect(reasons('(17)291301')).toEqual(['17@6:bad-date']);
    expect(reasons('(17)290230')).toEqual(['17@8:bad-date']);
    expect(reasons('(17)290200')).toEqual([]);
    expect(reasons('(17)280229')).toEqual([]);
    expect(reasons('(11)290231')).toEqual(['11@8:bad-date']);
    expect(reasons('(49)991234567890')).toEqual(['49@1:unknown-ai']);
    expect(reasons('49991234567890')).toEqual(['49@0:unknown-ai']);
    expect(reasons('(01)1231231231233')).toEqual(['01@17:too-short']);
    expect(reasons('0112312312312333' + '10' + 'L'.repeat(20) + '21SER')).toEqual(['10@38:missing-separator']);
    expect(reasons('0112312312312333' + '10' + 'L'.repeat(20) + 'xyz')).toEqual(['10@38:too-long']);
    expect(reasons('(01)12312312312333(10)A(10)B')).toEqual(['10@27:duplicate-ai']);
    expect(reasons('(01123')).toEqual(['-@0:bad-syntax']);
    expect(reasons('(01)12312312312333x(10)A')).toEqual(['01@18:too-long']);
    expect(reasons(']d1HELLO')).toEqual(['-@0:not-gs1']);
    expect(reasons('')).toEqual(['-@0:empty']);
    expect(reasons('(8013)1987654Ad4X4bL5ttr2310c2K')).toEqual([]);
    expect(reasons('(8013)1987654Ad4X4bL5ttr2310c2L')).toEqual(['8013@29:bad-check-digit']);
    expect(reasons('(8006)054123450000130201')).toEqual(['8006@20:bad-value']);
  });

  it('messages are Chinese first and never repeat the value', () => {
    const r = parseElementString('(21)SECRETVALUE 1');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues[0]?.message).toMatch(/^[\u4e00-\u9fff]/);
      expect(r.issues[0]?.message).not.toContain('SECRETVALUE');
    }
  });
});

describe('building element strings', () => {
  it('puts GS only after FNC1-requiring AIs that are not last', () => {
    const els = [{ ai: '10', value: 'L1' }, { ai: '01', value: '12312312312333' }, { ai: '7001', value: '1234567890123' }, { ai: '21', value: 'S/1' }];
    expect(toRawElementString(els)).toBe(`10L1${GS}01123123123123337001123456789012 3${GS}21S/1`.replace(' ', ''));
    expect(toRawElementString([{ ai: '00', value: '106141412345678908' }])).toBe('00106141412345678908');
    expect(toBracketedElementString([{ ai: '01', value: '12312312312333' }, { ai: '21', value: 'A(1)' }])).toBe('(01)12312312312333(21)A\\(1)');
    expect(() => toRawElementString([{ ai: '01', value: '12312312312334' }])).toThrow(Gs1Error);
  });

  it('round-trips random valid element strings through raw and bracketed forms', () => {
    const cset82 = fc.constantFrom(...'!"%&\'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz');
    const x20 = fc.array(cset82, { minLength: 1, maxLength: 20 }).map((a) => a.join(''));
    const gtin = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 13, maxLength: 13 }).map((d) => d.join('')).map((d) => d + String(gs1CheckDigit(d)));
    const gmnBody = fc.array(fc.constantFrom(...'0123456789ABCXYZabc-'), { minLength: 6, maxLength: 23 }).map((a) => `1234${a.join('')}`.slice(0, 23));
    fc.assert(fc.property(gtin, x20, x20, gmnBody, fc.boolean(), (g, lot, serial, gmn, shuffle) => {
      const base = [{ ai: '01', value: g }, { ai: '10', value: lot }, { ai: '17', value: '291231' }, { ai: '21', value: serial }, { ai: '8013', value: gmn + csumAlphaPair(gmn) }];
      const els = shuffle ? [...base].reverse() : base;
      const raw = parseElementString(toRawElementString(els));
      const bracketed = parseElementString(toBracketedElementString(els));
      expect(raw.ok && raw.elements).toEqual(els);
      expect(bracketed.ok && bracketed.elements).toEqual(els);
    }), { numRuns: 300 });
  });
});
