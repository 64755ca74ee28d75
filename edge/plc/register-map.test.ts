import { describe, expect, it } from 'vitest';
import { PlcConfigError } from './errors.ts';
import { DEFAULT_REGISTER_MAP, parseRegisterMap, registerRows, u32ToWords, wordsToU32 } from './register-map.ts';

function configError(raw: unknown): PlcConfigError {
  try {
    parseRegisterMap(raw, 'plc.json');
  } catch (error) {
    if (error instanceof PlcConfigError) return error;
    throw error;
  }
  throw new Error('expected a PlcConfigError');
}

describe('parseRegisterMap', () => {
  it('returns the defaults for an absent map and fills missing fields from them', () => {
    expect(parseRegisterMap(undefined)).toBe(DEFAULT_REGISTER_MAP);
    const map = parseRegisterMap({ holding: { triggerCounter: 100 } });
    expect(map.holding.triggerCounter).toBe(100);
    expect(map.holding.rejectPulse).toBe(DEFAULT_REGISTER_MAP.holding.rejectPulse);
    expect(map.coils).toEqual(DEFAULT_REGISTER_MAP.coils);
    expect(Object.isFrozen(map.holding)).toBe(true);
  });

  it('names the field path, the value and the file for a bad address', () => {
    const e = configError({ holding: { goodCount: 65_535 } });
    expect(e.path).toBe('holding.goodCount');
    expect(e.message).toContain('plc.json');
    expect(e.message).toContain('65535');
    expect(configError({ coils: { stackRed: -1 } }).path).toBe('coils.stackRed');
    expect(configError({ coils: { stackRed: 1.5 } }).path).toBe('coils.stackRed');
    expect(configError({ coils: { stackRed: '3' } }).message).toContain('"3"');
  });

  it('rejects overlaps, counting the second word of 32-bit counters', () => {
    const e = configError({ holding: { goodCount: 40, rejectCount: 41 } });
    expect(e.path).toBe('holding.rejectCount');
    expect(e.message).toContain('holding.goodCount');
    expect(configError({ coils: { stackGreen: 0 } }).message).toContain('coils.lineStop');
  });

  it('rejects unknown fields, a bad unit id and a bad word order', () => {
    expect(configError({ holdings: {} }).path).toBe('holdings');
    expect(configError({ holding: { trigger: 1 } }).path).toBe('holding.trigger');
    expect(configError({ unitId: 0 }).path).toBe('unitId');
    expect(configError({ unitId: 248 }).path).toBe('unitId');
    expect(configError({ wordOrder: 'big' }).path).toBe('wordOrder');
    expect(configError([]).path).toBe('(root)');
  });

  it('lists every entry once in the documentation rows', () => {
    const rows = registerRows(DEFAULT_REGISTER_MAP);
    expect(rows).toHaveLength(16);
    expect(rows.filter((r) => r.width === 2).map((r) => r.name)).toEqual(['goodCount', 'rejectCount', 'noReadCount']);
  });
});

describe('u32 word order', () => {
  it('round-trips in both orders and puts the high word where the order says', () => {
    expect(u32ToWords(0x12345678, 'high-first')).toEqual([0x1234, 0x5678]);
    expect(u32ToWords(0x12345678, 'low-first')).toEqual([0x5678, 0x1234]);
    for (const v of [0, 1, 65_535, 65_536, 4_294_967_295]) {
      expect(wordsToU32(...u32ToWords(v, 'high-first'), 'high-first')).toBe(v);
      expect(wordsToU32(...u32ToWords(v, 'low-first'), 'low-first')).toBe(v);
    }
  });
});
