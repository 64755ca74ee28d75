import type { CodeKind } from '../../domain/kinds.ts';
import { StoreError } from '../errors.ts';
import type { Db } from '../open.ts';
import { children, describe, findCode, findContainer, requireCode, type CodeRow } from './hierarchy.ts';

/** Codes named on the command line: at least one, no repeats, each known. */
export function requireDistinctCodes(db: Db, codes: readonly string[]): CodeRow[] {
  if (codes.length === 0) throw new StoreError('INVALID_INPUT', '至少需要一个码 (needs at least one code)');
  const rows = codes.map((c) => requireCode(db, c));
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(r.code)) throw new StoreError('INVALID_INPUT', `${describe(r)} 重复出现 (code given twice)`);
    seen.add(r.code);
  }
  return rows;
}

/**
 * The whole item behind each code: a container's descendants (when allowed) and every code's same-level pair
 * (the cap-inner code of a bottle is the same physical cap and shares its fate). Final codes (destroyed,
 * voided) met on the way are left alone. Order: the given codes first, then what they brought along.
 */
export function expandItems(db: Db, roots: readonly CodeRow[], withContents: boolean): CodeRow[] {
  const out = new Map<string, CodeRow>();
  const visit = (row: CodeRow): void => {
    if (out.has(row.code)) return;
    out.set(row.code, row);
    const container = findContainer(db, row.code);
    if (container !== null && container.state !== 'broken') {
      const kids = children(db, row.code);
      if (kids.length > 0 && !withContents) {
        throw new StoreError('CONFLICT', `${describe(row)} 内还有 ${kids.length} 个码；连同内容一起处理请加 --with-contents，否则先取出 (container is not empty; use --with-contents or remove its contents first)`);
      }
      for (const k of kids) visit(k);
    }
    if (row.pair !== null) {
      const pair = findCode(db, row.pair);
      if (pair !== null && pair.status !== 'destroyed' && pair.status !== 'voided' && pair.status !== 'available') visit(pair);
    }
  };
  for (const r of roots) visit(r);
  return [...out.values()];
}

/** Groups codes by kind, for the one-kind-per-event ObjectEvents (sampling, destroying). */
export function byKind(rows: readonly CodeRow[]): Map<CodeKind, string[]> {
  const groups = new Map<CodeKind, string[]>();
  for (const r of rows) {
    const list = groups.get(r.kind) ?? [];
    list.push(r.code);
    groups.set(r.kind, list);
  }
  return groups;
}
