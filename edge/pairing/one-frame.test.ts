import { describe, expect, it } from 'vitest';
import type { CodeKind } from '../domain/kinds.ts';
import { splitFrame } from './one-frame.ts';

const KINDS: Record<string, CodeKind> = { I1: 'cap-inner', I2: 'cap-inner', O1: 'cap-outer', O2: 'cap-outer', K1: 'case-outer' };
const kindOf = (c: string): CodeKind | null => KINDS[c] ?? null;
const rules = { innerKind: 'cap-inner', outerKind: 'cap-outer' } as const;

describe('splitFrame (one-camera mode)', () => {
  it('tells inner from outer by kind, whatever the order read', () => {
    expect(splitFrame(['I1', 'O1'], kindOf, rules)).toEqual({ inner: 'I1', outer: 'O1', extra: 0 });
    expect(splitFrame(['O1', 'I1'], kindOf, rules)).toEqual({ inner: 'I1', outer: 'O1', extra: 0 });
    expect(splitFrame(['O1', 'I1', 'O1'], kindOf, rules)).toEqual({ inner: 'I1', outer: 'O1', extra: 0 });
  });

  it('a missing code leaves its side unread', () => {
    expect(splitFrame([], kindOf, rules)).toEqual({ inner: null, outer: null, extra: 0 });
    expect(splitFrame(['O1'], kindOf, rules)).toEqual({ inner: null, outer: 'O1', extra: 0 });
    expect(splitFrame(['I1'], kindOf, rules)).toEqual({ inner: 'I1', outer: null, extra: 0 });
    expect(splitFrame(['UNKNOWN'], kindOf, rules)).toEqual({ inner: null, outer: null, extra: 0 });
    // Two codes of one kind: which one belongs to the item cannot be told; the other side is missing anyway.
    expect(splitFrame(['I1', 'I2'], kindOf, rules)).toEqual({ inner: null, outer: null, extra: 0 });
  });

  it('a code of no known kind (or another level) beside one of ours fills the open side, so the item ends foreign', () => {
    expect(splitFrame(['I1', 'FX01'], kindOf, rules)).toEqual({ inner: 'I1', outer: 'FX01', extra: 0 });
    expect(splitFrame(['K1', 'O1'], kindOf, rules)).toEqual({ inner: 'K1', outer: 'O1', extra: 0 });
    expect(splitFrame(['FX01', 'FX02'], kindOf, rules)).toEqual({ inner: 'FX01', outer: 'FX02', extra: 0 });
  });

  it('codes beyond the two sides count as extra', () => {
    expect(splitFrame(['I1', 'O1', 'FX01'], kindOf, rules)).toEqual({ inner: 'I1', outer: 'O1', extra: 1 });
    expect(splitFrame(['I1', 'O1', 'O2'], kindOf, rules)).toEqual({ inner: 'I1', outer: null, extra: 2 });
  });
});
