import { describe, expect, it } from 'vitest';
import { parseProduct } from './product.ts';

describe('parseProduct', () => {
  const good = { id: 'beer-500', name: '雪花啤酒 500ml', unitsPerCase: 12, casesPerPallet: 70 };

  it('accepts a minimal product with defaults', () => {
    const parsed = parseProduct(good);
    expect(parsed.ok && parsed.value).toEqual({ ...good, gtin: null, unitsPerBox: null, boxesPerCase: null, pairingRequired: true, profiles: {} });
  });

  it('pads a GTIN-13 to 14 digits and checks its check digit', () => {
    const parsed = parseProduct({ ...good, gtin: '6901234567892' });
    expect(parsed.ok && parsed.value.gtin).toBe('06901234567892');
    const bad = parseProduct({ ...good, gtin: '6901234567891' });
    expect(!bad.ok && bad.errors.map((e) => e.path)).toEqual(['gtin']);
  });

  it('names every bad field by path', () => {
    const parsed = parseProduct({ id: 'bad id!', name: '', unitsPerCase: 0, casesPerPallet: 'x', unitsPerBox: 5 }, 'products[2]');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.errors.map((e) => e.path)).toEqual([
        'products[2].id', 'products[2].name', 'products[2].unitsPerCase', 'products[2].casesPerPallet', 'products[2].boxesPerCase',
      ]);
    }
  });

  it('requires the box level to multiply out to the case', () => {
    const parsed = parseProduct({ ...good, unitsPerCase: 24, unitsPerBox: 6, boxesPerCase: 3 });
    expect(!parsed.ok && parsed.errors[0]?.path).toBe('unitsPerCase');
    expect(parseProduct({ ...good, unitsPerCase: 24, unitsPerBox: 6, boxesPerCase: 4 }).ok).toBe(true);
  });
});
