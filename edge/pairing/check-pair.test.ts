import { describe, expect, it } from 'vitest';
import type { PairingCodeFacts, PairingWasteReason } from '../store/pairing-items.ts';
import { checkPair, type PairingFacts, type PairingItem, type PairingRules } from './check-pair.ts';

const rules: PairingRules = { innerPackageId: 1, outerPackageId: 2, innerKind: 'cap-inner', outerKind: 'cap-outer' };
const inner: PairingCodeFacts = { kind: 'cap-inner', packageId: 1, status: 0, pair: null, seen: false };
const outer: PairingCodeFacts = { kind: 'cap-outer', packageId: 2, status: 0, pair: null, seen: false };
const item = (i: string | null, o: string | null, ci: number | null = 7, co: number | null = 7): PairingItem => ({ inner: { code: i, counter: ci }, outer: { code: o, counter: co } });

/** One row per rule and per way of breaking it: item, facts, expected verdict (a reason, or 'pair'). */
const table: readonly (readonly [string, PairingItem, PairingFacts, PairingWasteReason | 'pair'])[] = [
  ['clean pair', item('I', 'O'), { inner, outer }, 'pair'],
  ['counters absent (one camera reads both)', item('I', 'O', null, null), { inner, outer }, 'pair'],
  ['printed (pre-printed) codes still pair', item('I', 'O'), { inner: { ...inner, status: 1 }, outer: { ...outer, status: 1 } }, 'pair'],
  ['counters disagree → 错位 even with good codes', item('I', 'O', 7, 8), { inner, outer }, 'slipped'],
  ['counters disagree wins over an unread side', item(null, 'O', 7, 8), { inner: null, outer }, 'slipped'],
  ['inner unread → 单面无读', item(null, 'O'), { inner: null, outer }, 'one-side'],
  ['outer unread → 单面无读', item('I', null), { inner, outer: null }, 'one-side'],
  ['both unread → 单面无读', item(null, null), { inner: null, outer: null }, 'one-side'],
  ['same code on both sides → 码包外', item('I', 'I'), { inner, outer: inner }, 'foreign'],
  ['inner unknown → 码包外', item('X', 'O'), { inner: null, outer }, 'foreign'],
  ['outer unknown → 码包外', item('I', 'X'), { inner, outer: null }, 'foreign'],
  ['inner of another package → 码包外', item('I', 'O'), { inner: { ...inner, packageId: 9 }, outer }, 'foreign'],
  ['outer of another package → 码包外', item('I', 'O'), { inner, outer: { ...outer, packageId: 9 } }, 'foreign'],
  ['sides swapped (kinds wrong) → 码包外', item('O', 'I'), { inner: { ...outer }, outer: { ...inner } }, 'foreign'],
  ['inner seen on an earlier item → 重码', item('I', 'O'), { inner: { ...inner, seen: true }, outer }, 'duplicate'],
  ['outer seen on an earlier item → 重码', item('I', 'O'), { inner, outer: { ...outer, seen: true } }, 'duplicate'],
  ['inner already used (voided) → 重码', item('I', 'O'), { inner: { ...inner, status: 8 }, outer }, 'duplicate'],
  ['duplicate wins over already-paired (double print)', item('I', 'O'), { inner: { ...inner, seen: true, pair: 'P' }, outer: { ...outer, seen: true, pair: 'Q' } }, 'duplicate'],
  ['inner paired elsewhere → 已关联', item('I', 'O'), { inner: { ...inner, pair: 'P' }, outer }, 'already-paired'],
  ['outer paired elsewhere → 已关联', item('I', 'O'), { inner, outer: { ...outer, pair: 'Q' } }, 'already-paired'],
];

describe('checkPair', () => {
  for (const [name, it_, facts, want] of table) {
    it(name, () => {
      const v = checkPair(it_, facts, rules);
      expect(v).toEqual(want === 'pair' ? { kind: 'pair' } : { kind: 'waste', reason: want });
    });
  }
});
