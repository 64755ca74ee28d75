import { describe, expect, it } from 'vitest';
import { checkCase, type CaseRules, type CodeFacts, type CodeLookup } from './check-case.ts';

function lookupOf(entries: Record<string, Partial<CodeFacts>>): CodeLookup {
  const base: CodeFacts = { kind: 'cap-outer', status: 'printed', packageId: 1, productId: 'beer', pair: 'INNER', parent: null };
  const map = new Map(Object.entries(entries).map(([k, v]) => [k, { ...base, ...v }]));
  return { get: (code) => map.get(code) ?? null };
}

const rules: CaseRules = { productId: 'beer', unitsPerCase: 3, pairChildren: true, pairCase: false, packageIds: new Set([1, 2]), childKind: 'cap-outer' };
const good = { B1: {}, B2: {}, B3: { packageId: 2 }, C1: { kind: 'case-outer' as const, pair: null } };

describe('checkCase', () => {
  it('accepts a full case of known, paired, unused codes of this batch', () => {
    const d = checkCase({ childCodes: ['B1', 'B2', 'B3'], caseCode: 'C1', noRead: false }, rules, lookupOf(good));
    expect(d).toEqual({ kind: 'accept', caseCode: 'C1', children: ['B1', 'B2', 'B3'] });
  });

  const cases: Array<[string, { childCodes: string[]; caseCode: string | null; noRead?: boolean }, Record<string, Partial<CodeFacts>>, string[]]> = [
    ['缺码 missing', { childCodes: ['B1', 'B2'], caseCode: 'C1' }, good, ['missing']],
    ['超码 excess', { childCodes: ['B1', 'B2', 'B3', 'B4'], caseCode: 'C1' }, { ...good, B4: {} }, ['excess']],
    ['码包外 unknown', { childCodes: ['B1', 'B2', 'X9'], caseCode: 'C1' }, good, ['foreign']],
    ['码包外 other package', { childCodes: ['B1', 'B2', 'B3'], caseCode: 'C1' }, { ...good, B3: { packageId: 7 } }, ['foreign']],
    ['错码 wrong kind', { childCodes: ['B1', 'B2', 'B3'], caseCode: 'C1' }, { ...good, B3: { kind: 'cap-inner' } }, ['wrong']],
    ['错码 wrong product', { childCodes: ['B1', 'B2', 'B3'], caseCode: 'C1' }, { ...good, B3: { productId: 'cola' } }, ['wrong']],
    ['重码 within the read', { childCodes: ['B1', 'B2', 'B2'], caseCode: 'C1' }, good, ['duplicate', 'missing']],
    ['重码 already packed', { childCodes: ['B1', 'B2', 'B3'], caseCode: 'C1' }, { ...good, B3: { parent: 'C0', status: 'aggregated' } }, ['duplicate']],
    ['未关联 unpaired', { childCodes: ['B1', 'B2', 'B3'], caseCode: 'C1' }, { ...good, B2: { pair: null } }, ['unpaired']],
    ['voided code', { childCodes: ['B1', 'B2', 'B3'], caseCode: 'C1' }, { ...good, B1: { status: 'voided' } }, ['unusable']],
    ['无读 no-read', { childCodes: [], caseCode: 'C1', noRead: true }, good, ['no-read']],
    ['case code not read', { childCodes: ['B1', 'B2', 'B3'], caseCode: null }, good, ['case-code']],
    ['case code already used', { childCodes: ['B1', 'B2', 'B3'], caseCode: 'C1' }, { ...good, C1: { kind: 'case-outer', status: 'commissioned', parent: 'P1' } }, ['case-code']],
    ['case code is a cap', { childCodes: ['B1', 'B2', 'B3'], caseCode: 'B4' }, { ...good, B4: {} }, ['case-code']],
    ['case code names a committed case (not yet on a pallet)', { childCodes: ['B1', 'B2', 'B3'], caseCode: 'C1' }, { ...good, C1: { kind: 'case-outer', status: 'commissioned', pair: null } }, ['case-code']],
  ];
  for (const [name, read, entries, reasons] of cases) {
    it(`rejects: ${name}`, () => {
      const d = checkCase({ noRead: false, ...read }, rules, lookupOf(entries));
      expect(d.kind).toBe('reject');
      if (d.kind === 'reject') expect(d.findings.map((f) => f.reason)).toEqual(reasons);
    });
  }

  it('requires the case pair only when the product pairs cases', () => {
    const read = { childCodes: ['B1', 'B2', 'B3'], caseCode: 'C1', noRead: false };
    const d = checkCase(read, { ...rules, pairCase: true }, lookupOf(good));
    expect(d.kind === 'reject' && d.findings.map((f) => f.reason)).toEqual(['unpaired']);
  });
});
