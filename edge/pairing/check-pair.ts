import type { PairingCodeFacts, PairingSide, PairingVerdict } from '../store/pairing-items.ts';
import type { CodeKind } from '../domain/kinds.ts';

/** The run's side of the check: which package and kind each side must come from. */
export interface PairingRules {
  readonly innerPackageId: number;
  readonly outerPackageId: number;
  readonly innerKind: CodeKind;
  readonly outerKind: CodeKind;
}

export interface PairingItem {
  readonly inner: PairingSide;
  readonly outer: PairingSide;
}

export interface PairingFacts {
  readonly inner: PairingCodeFacts | null;
  readonly outer: PairingCodeFacts | null;
}

/** A code is used when it went past printed (commissioned, aggregated … voided): it cannot be paired anew. */
const USED_FROM_STATUS = 2;

/**
 * The pairing decision for one item (issue 15 §1), pure: the item's two reads and what the store knows of them.
 * First failing rule wins, in this order, because each later rule is only meaningful when the earlier ones hold:
 *
 * 1. 错位 slipped — both sides were read on a trigger and their counters disagree: the reads may belong to two
 *    different items, so nothing about the codes can be trusted (checked before anything else).
 * 2. 单面无读 one-side — one side (or both) has no code.
 * 3. 码包外 foreign — a code is not in the database, or not of this run's package and kind; also both sides the same.
 * 4. 重码 duplicate — a code was on an earlier item (double print), or is already used (past printed).
 * 5. 已关联 already-paired — a code already has a partner (a file import or another station paired it).
 * Else: pair.
 */
export function checkPair(item: PairingItem, facts: PairingFacts, rules: PairingRules): PairingVerdict {
  const { inner, outer } = item;
  if (inner.counter !== null && outer.counter !== null && inner.counter !== outer.counter) return { kind: 'waste', reason: 'slipped' };
  if (inner.code === null || outer.code === null) return { kind: 'waste', reason: 'one-side' };
  if (inner.code === outer.code) return { kind: 'waste', reason: 'foreign' };
  const fi = facts.inner;
  const fo = facts.outer;
  if (fi === null || fi.packageId !== rules.innerPackageId || fi.kind !== rules.innerKind) return { kind: 'waste', reason: 'foreign' };
  if (fo === null || fo.packageId !== rules.outerPackageId || fo.kind !== rules.outerKind) return { kind: 'waste', reason: 'foreign' };
  if (fi.seen || fo.seen || fi.status >= USED_FROM_STATUS || fo.status >= USED_FROM_STATUS) return { kind: 'waste', reason: 'duplicate' };
  if (fi.pair !== null || fo.pair !== null) return { kind: 'waste', reason: 'already-paired' };
  return { kind: 'pair' };
}
