import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DICTIONARY_PATH, DictionaryError, TABLE_PATH, generateAiTable, parseDictionary } from './gen-gs1-table.ts';

describe('gen-gs1-table', () => {
  it('the committed AI table is exactly what the syntax dictionary generates (regenerate on drift)', () => {
    const fresh = generateAiTable(readFileSync(DICTIONARY_PATH, 'utf8'));
    expect(readFileSync(TABLE_PATH, 'utf8') === fresh, 'edge/codes/gs1/ai-table.generated.ts is stale: run node_modules/.bin/node scripts/gen-gs1-table.ts').toBe(true);
  });

  it('reads flags, components, linters and attributes of a line', () => {
    const [gtin] = parseDictionary('01         *?  N14,csum,gcppos2                  ex=255,37 dlpkey=22,10,21|235                      # GTIN');
    expect(gtin).toMatchObject({
      ai: '01', title: 'GTIN', fnc1Required: false, dlDataAttribute: true, fixedLength: true, minLength: 14, maxLength: 14,
      components: [{ cset: 'N', min: 14, max: 14, optional: false, linters: ['csum', 'gcppos2'] }],
      ex: ['255', '37'], dlPrimaryKey: [['22', '10', '21'], ['235']],
    });
    const [gdti] = parseDictionary('253         ?  N13,csum,gcppos1 [X..17]          dlpkey                                             # GDTI');
    expect(gdti).toMatchObject({ fnc1Required: true, fixedLength: false, minLength: 13, maxLength: 30, dlPrimaryKey: [[]] });
    expect(gdti?.components[1]).toEqual({ cset: 'X', min: 1, max: 17, optional: true, linters: [] });
    const [mudi] = parseDictionary('8014           X..25,csumalpha,gcppos1,hasnondigit  req=01                                          # MUDI');
    expect(mudi).toMatchObject({ fnc1Required: true, dlDataAttribute: false, req: [[['01']]] });
  });

  it('expands AI ranges and reads req groups', () => {
    const entries = parseDictionary('3920-3929   ?  N..15  req=01+30,01+31nn ex=392n,393n    # PRICE');
    expect(entries.map((e) => e.ai)).toEqual(['3920', '3921', '3922', '3923', '3924', '3925', '3926', '3927', '3928', '3929']);
    expect(entries[0]?.req).toEqual([[['01', '30'], ['01', '31nn']]]);
  });

  it('fails on lines that break the documented syntax, naming the line', () => {
    expect(() => parseDictionary('# c\n01  *?  Q14   # X')).toThrow(/line 2/);
    expect(() => parseDictionary('01  *?  N..3 N2   # X')).toThrow(DictionaryError);
    expect(() => parseDictionary('01  *?  N14 bogus   # X')).toThrow(/unknown token "bogus"/);
    expect(() => parseDictionary('01  N14 # A\n011  N3 # B')).toThrow(/prefix/);
  });

  it('covers the AIs wuma uses, from the real dictionary', () => {
    const byAi = new Map(parseDictionary(readFileSync(DICTIONARY_PATH, 'utf8')).map((e) => [e.ai, e]));
    expect(byAi.size).toBeGreaterThan(500);
    expect(byAi.get('00')).toMatchObject({ title: 'SSCC', fnc1Required: false, dlPrimaryKey: [[]] });
    expect(byAi.get('21')).toMatchObject({ title: 'SERIAL', fnc1Required: true, maxLength: 20, dlDataAttribute: false });
    expect(byAi.get('17')?.components[0]?.linters).toEqual(['yymmd0']);
    expect(byAi.get('8010')?.components[0]?.cset).toBe('Y');
    expect(byAi.get('8030')?.components[0]?.cset).toBe('Z');
  });
});
