import { afterAll, describe, expect, it } from 'vitest';
import { fill, readFeature, withGs } from '../../../test/fixtures/gs1/feature-file.ts';
import { buildDigitalLink, parseDigitalLink, percentEncodeDl } from './digital-link.ts';
import { parseElementString, toRawElementString } from './element-string.ts';
import { Gs1Error } from './errors.ts';
import type { Gs1Element, Gs1Issue } from './issue.ts';
import { lookupAi } from './ai-table.ts';

/**
 * Driven by Solidsoft's Gs1DigitalLinkLib feature files. Scenarios on short names (`/gtin/…`, legacy, off by
 * default in GS1's syntax engine) and compressed links (DL compression is not used by wuma) are out of scope;
 * the counts below make sure that is all that is left out.
 */
const asSet = (elements: readonly Gs1Element[]): string[] => elements.map((e) => `(${e.ai})${e.value}`).sort();
const outOfScope = (title: string): boolean => /short (names|text)|compressed/i.test(title);

/** The vectors' data read structurally (no value checks), to compare against and to find known disagreements. */
function elementsOf(text: string): readonly Gs1Element[] {
  const parsed = parseElementString(withGs(text), { validate: false });
  if (!parsed.ok) throw new Error(`vector does not parse: ${text}: ${JSON.stringify(parsed.issues)}`);
  return parsed.elements;
}

/**
 * Where the vectors and GS1's own syntax dictionary disagree, wuma follows the dictionary; each such row must
 * be rejected for exactly that reason:
 * - ITIP (8006/8026) values ending `0201` say "piece 2 of 1", which the GS1 `pieceoftotal` linter rejects;
 * - AIs 410–413 and 416 carry no `dlpkey` attribute in the dictionary, so they cannot start a Digital Link.
 */
function knownDisagreement(elements: readonly Gs1Element[]): 'piece-of-total' | 'not-a-key' | null {
  const itip = elements.find((e) => e.ai === '8006' || e.ai === '8026');
  if (itip && Number(itip.value.slice(14, 16)) > Number(itip.value.slice(16, 18))) return 'piece-of-total';
  if (!elements.some((e) => lookupAi(e.ai)?.dlPrimaryKey)) return 'not-a-key';
  return null;
}

function expectRejectedFor(why: 'piece-of-total' | 'not-a-key', run: () => unknown): void {
  let outcome: unknown;
  try { outcome = run(); } catch (error) { outcome = error; }
  const issues: readonly Gs1Issue[] = outcome instanceof Gs1Error ? outcome.issues
    : (outcome as { ok?: boolean; issues?: Gs1Issue[] }).ok === false ? (outcome as { issues: Gs1Issue[] }).issues : [];
  expect(issues.length, 'must be rejected').toBeGreaterThan(0);
  if (why === 'piece-of-total') expect(issues.map((i) => `${i.ai}:${i.reason}`)).toEqual(expect.arrayContaining([expect.stringMatching(/^80(06|26):bad-value$/)]));
  else expect(issues.map((i) => i.reason)).toEqual(expect.arrayContaining([expect.stringMatching(/^(bad-syntax|not-allowed-in-link)$/)]));
}

let disagreements = 0;
let agreements = 0;
afterAll(() => {
  // Keeps the exclusions honest: most rows must match the vectors exactly (measured: 352 match, 147 are
  // known disagreements, nearly all of them the 8006 "piece 2 of 1" rows).
  expect(agreements).toBeGreaterThan(340);
  expect(disagreements).toBeLessThan(agreements);
});

describe('element strings → Digital Link (Gs1ElementStringsToGs1DigitalLink.feature)', () => {
  const scenarios = readFeature('Gs1ElementStringsToGs1DigitalLink.feature');
  const inScope = scenarios.filter((s) => !outOfScope(s.title) && !s.steps.some((st) => /short text/.test(st)));
  it('reads the vector file', () => {
    expect(scenarios.length).toBe(16);
    expect(inScope.reduce((n, s) => n + s.examples.length, 0)).toBeGreaterThan(300);
  });
  for (const scenario of inScope) {
    it(`${scenario.title} (line ${scenario.line}, ${scenario.examples.length} rows)`, () => {
      const when = scenario.steps.find((s) => s.startsWith('When')) ?? '';
      const then = scenario.steps.find((s) => s.startsWith('Then')) ?? '';
      expect(scenario.examples.length).toBeGreaterThan(0);
      for (const row of scenario.examples) {
        const elements = elementsOf(row['elementString'] ?? '');
        let stem: string | undefined;
        if (/set to <uriStem>/.test(when)) stem = row['uriStem'];
        else if (/with a URI stem/.test(when)) stem = new URL(row['digitalLink'] ?? '').origin;
        const build = (): string => buildDigitalLink(elements, stem === undefined ? {} : { stem });
        const why = knownDisagreement(elements);
        if (/exception/.test(then)) {
          let thrown: unknown;
          try { build(); } catch (error) { thrown = error; }
          expect(thrown, `stem ${stem ?? ''}`).toBeInstanceOf(Gs1Error);
          expect((thrown as Gs1Error).code).toBe('INVALID_URI_STEM');
          expect((thrown as Gs1Error).message).toContain(fill("'<uriStem>'", row));
        } else if (why) {
          disagreements += 1;
          expectRejectedFor(why, build);
        } else {
          expect(build(), row['elementString']).toBe(row['digitalLink']);
          agreements += 1;
        }
      }
    });
  }
});

describe('Digital Link → element string (Gs1DigitalLinkToGs1ElementStrings.feature)', () => {
  const scenarios = readFeature('Gs1DigitalLinkToGs1ElementStrings.feature').filter((s) => !outOfScope(s.title));
  it('has in-scope scenarios', () => { expect(scenarios.length).toBe(4); });
  for (const scenario of scenarios) {
    it(`${scenario.title} (line ${scenario.line})`, () => {
      for (const row of scenario.examples) {
        const expected = elementsOf(row['elementStrings'] ?? '');
        const why = knownDisagreement(expected);
        const parsed = parseDigitalLink(row['digitalLink'] ?? '');
        if (why) {
          disagreements += 1;
          expectRejectedFor(why, () => parsed);
          continue;
        }
        if (!parsed.ok) throw new Error(`${row['digitalLink']}: ${JSON.stringify(parsed.issues)}`);
        // AI order of the expected element string is the library's own choice: compare as sets.
        expect(asSet(parsed.elements), row['digitalLink']).toEqual(asSet(expected));
        const again = parseElementString(toRawElementString(parsed.elements));
        expect(again.ok && asSet(again.elements)).toEqual(asSet(parsed.elements));
        agreements += 1;
      }
    });
  }
});

describe('extract AIs from a Digital Link (ExtractFromGs1DigitalLink.feature)', () => {
  const scenarios = readFeature('ExtractFromGs1DigitalLink.feature').filter((s) => !outOfScope(s.title));
  it('has the plain scenario', () => { expect(scenarios.map((s) => s.examples.length)).toEqual([41]); });
  for (const scenario of scenarios) {
    it(`${scenario.title} (line ${scenario.line})`, () => {
      for (const row of scenario.examples) {
        const pairs = [1, 2, 3, 4].filter((k) => (row[`AI${k}`] ?? '') !== '').map((k) => ({ ai: row[`AI${k}`] ?? '', value: row[`Value${k}`] ?? '' }));
        const parsed = parseDigitalLink(row['digitalLink'] ?? '');
        const why = knownDisagreement(pairs);
        if (why) {
          disagreements += 1;
          expectRejectedFor(why, () => parsed);
          continue;
        }
        expect(parsed.ok && asSet(parsed.elements), row['digitalLink']).toEqual(asSet(pairs));
        agreements += 1;
      }
    });
  }
});

describe('Digital Link details', () => {
  it('percent-encodes everything outside the unreserved set', () => {
    expect(percentEncodeDl('AB-._~09')).toBe('AB-._~09');
    expect(percentEncodeDl('a+b&c/d?e#f%g h')).toBe('a%2Bb%26c%2Fd%3Fe%23f%25g%20h');
    expect(percentEncodeDl("!\"'()*,:;<=>")).toBe('%21%22%27%28%29%2A%2C%3A%3B%3C%3D%3E');
  });

  it('builds SGTIN and SSCC links and reads them back', () => {
    const sgtin = [{ ai: '01', value: '09501101530003' }, { ai: '21', value: 'A+B/7' }];
    const uri = buildDigitalLink(sgtin, { stem: 'https://q.brand.cn/' });
    expect(uri).toBe('https://q.brand.cn/01/09501101530003/21/A%2BB%2F7');
    const back = parseDigitalLink(uri);
    expect(back).toEqual({ ok: true, stem: 'https://q.brand.cn', elements: sgtin, otherParams: [] });
    expect(buildDigitalLink([{ ai: '00', value: '106141412345678908' }])).toBe('https://id.gs1.org/00/106141412345678908');
  });

  it('keeps a path stem and non-AI query parameters apart from the data', () => {
    const parsed = parseDigitalLink('https://example.com/some/stem/01/09501101530003/10/L1?17=290331&linkType=gs1:pip#frag');
    expect(parsed).toEqual({
      ok: true, stem: 'https://example.com/some/stem',
      elements: [{ ai: '01', value: '09501101530003' }, { ai: '10', value: 'L1' }, { ai: '17', value: '290331' }],
      otherParams: [['linkType', 'gs1:pip']],
    });
  });

  it.each([
    ['HtTps://id.gs1.org/01/09501101530003', 'bad-syntax'],
    ['ftp://id.gs1.org/01/09501101530003', 'bad-syntax'],
    ['https://id.gs1.org/01/09501101530004', 'bad-check-digit'],
    ['https://id.gs1.org/01/09501101530003/21/ABC/10/L1', 'bad-qualifier-order'],
    ['https://id.gs1.org/01/09501101530003/10/L1/235/X', 'bad-qualifier-order'],
    ['https://id.gs1.org/foo/bar', 'bad-syntax'],
    ['https://id.gs1.org/01/09501101530003?17=291331', 'bad-date'],
    ['https://id.gs1.org/01/09501101530003?21=ABC', 'not-allowed-in-link'],
    ['https://id.gs1.org/01/09501101530003?98=X&98=Y', 'duplicate-ai'],
    ['https://id.gs1.org/01/09501101530003/21/AB%2', 'bad-syntax'],
    ['https://id.gs1.org/01/09501101530003/21/A%20B', 'bad-charset'],
  ])('rejects %s (%s)', (uri, reason) => {
    const parsed = parseDigitalLink(uri);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issues.map((i) => i.reason)).toContain(reason);
  });

  it('refuses to build links without exactly one key or with AIs that may not be attributes', () => {
    const codeOf = (elements: Gs1Element[]): string | undefined => {
      try { buildDigitalLink(elements); return undefined; } catch (error) { return (error as Gs1Error).code; }
    };
    expect(codeOf([{ ai: '10', value: 'L1' }])).toBe('INVALID_DIGITAL_LINK');
    expect(codeOf([{ ai: '00', value: '106141412345678908' }, { ai: '01', value: '09501101530003' }])).toBe('INVALID_DIGITAL_LINK');
    expect(codeOf([{ ai: '01', value: '09501101530003' }, { ai: '8200', value: 'x' }])).toBe('INVALID_DIGITAL_LINK');
    expect(codeOf([{ ai: '01', value: '09501101530003' }, { ai: '21', value: 'S' }, { ai: '235', value: 'T' }])).toBe('INVALID_DIGITAL_LINK');
  });
});
