import { describe, expect, it } from 'vitest';
import { displayCode, maskCode } from './mask.ts';

describe('maskCode', () => {
  it('keeps four leading and two trailing characters of a 17-character code', () => {
    expect(maskCode('N7K2ABCDEFGHJKMQ9')).toBe('N7K2…Q9');
  });
  it('never shows more than half of a short code', () => {
    for (const code of ['ABCDEF', 'ABCDEFGHJKM', 'ABC', '']) {
      const shown = maskCode(code).replace('…', '').length;
      expect(shown * 2).toBeLessThanOrEqual(Math.max(code.length, 1));
    }
  });
  it('masks only secret kinds', () => {
    expect(displayCode('N7K2ABCDEFGHJKMQ9', 'cap-inner')).toBe('N7K2…Q9');
    expect(displayCode('N7K2ABCDEFGHJKMQ9', 'case-inner')).toBe('N7K2…Q9');
    expect(displayCode('N7K2ABCDEFGHJKMQ9', 'cap-outer')).toBe('N7K2ABCDEFGHJKMQ9');
  });
});
