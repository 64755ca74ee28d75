import type { CodeKind } from '../domain/kinds.ts';

/** The two codes of one item as found in one camera read (one-camera mode). */
export interface FrameSides {
  readonly inner: string | null;
  readonly outer: string | null;
  /** Codes in the frame beyond the item's two (a neighbour's label, a stray print): the item cannot be trusted. */
  readonly extra: number;
}

/**
 * One-camera mode (issue 15 §1, "one camera reading both codes of one item"): the reader reports every symbol of
 * one read (split as its driver reports them); which one is the inner and which the outer code is told by what the
 * store knows of each code — its kind, which never changes once imported — not by its place in the image (a cap
 * or carton may pass turned). Pure; `kindOf` is the store lookup.
 *
 * - The same text twice is one symbol (the reader decoded it twice).
 * - A side gets a code only when exactly one code of the frame is of its kind; else it is unread (单面无读).
 * - A frame of exactly two codes where one or both are of no known kind: the unknown codes fill the open sides in
 *   the order read, so the item ends 码包外 (foreign) as a two-reader item with a foreign code would.
 * - More codes than the two sides took count as `extra` (the caller wastes such an item 码包外 even if both sides
 *   look right: a code in view that is not the item's may be the item's real code).
 * 错位 does not apply: both codes come from one trigger.
 */
export function splitFrame(codes: readonly string[], kindOf: (code: string) => CodeKind | null, rules: { readonly innerKind: CodeKind; readonly outerKind: CodeKind }): FrameSides {
  const distinct = [...new Set(codes)];
  const inners = distinct.filter((c) => kindOf(c) === rules.innerKind);
  const outers = distinct.filter((c) => kindOf(c) === rules.outerKind);
  let inner = inners.length === 1 ? (inners[0] ?? null) : null;
  let outer = outers.length === 1 ? (outers[0] ?? null) : null;
  if (distinct.length === 2) {
    const unknown = distinct.filter((c) => c !== inner && c !== outer && !inners.includes(c) && !outers.includes(c));
    for (const c of unknown) {
      if (inner === null) inner = c;
      else if (outer === null) outer = c;
    }
  }
  const used = (inner === null ? 0 : 1) + (outer === null ? 0 : 1);
  return { inner, outer, extra: distinct.length > 2 ? distinct.length - used : 0 };
}
