import { randomBytes, randomUUID } from 'node:crypto';
import { kindToInt, type CodeKind } from '../../edge/domain/kinds.ts';
import { addProduct } from '../../edge/store/products.ts';
import type { Db } from '../../edge/store/open.ts';

/**
 * What a cap printer's station holds before a pairing run: the brand's cap-inner and cap-outer packages as
 * imported (status available, no pairs). Inner codes are 16 upper-case hex characters (secret), outer 12, so a
 * test can tell a full secret code apart in any text.
 */
export interface PairingMaterial {
  readonly productId: string;
  readonly innerPackage: string;
  readonly outerPackage: string;
  readonly inner: readonly string[];
  readonly outer: readonly string[];
}

/** One imported, ready package of `codes` (status available) for a product; returns its uuid. */
export function addPackage(db: Db, kind: CodeKind, productId: string, codes: readonly string[], uuid: string = randomUUID()): string {
  const id = Number(db.prepare(`INSERT INTO code_packages (uuid, kind, product_id, source, supplier, count, state, profile, created_at, finished_at)
    VALUES (?, ?, ?, 'imported', 'brand', ?, 'ready', '{}', ?, ?)`).run(uuid, kindToInt(kind), productId, codes.length, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z').lastInsertRowid);
  const insert = db.prepare('INSERT INTO codes (code, kind, status, package_id) VALUES (?, ?, 0, ?)');
  for (const c of codes) insert.run(c, kindToInt(kind), id);
  return uuid;
}

export function pairingCodes(count: number): { inner: string[]; outer: string[] } {
  return {
    inner: Array.from({ length: count }, () => randomBytes(8).toString('hex').toUpperCase()),
    outer: Array.from({ length: count }, () => randomBytes(6).toString('hex').toUpperCase()),
  };
}

/** Seeds the same packages (same uuids and codes) into any database: the supplier's and the brand's. */
export function seedPairingMaterial(db: Db, options: { readonly count?: number; readonly like?: PairingMaterial } = {}): PairingMaterial {
  const like = options.like;
  const productId = like?.productId ?? `cap-${randomBytes(3).toString('hex')}`;
  const codes = like ?? pairingCodes(options.count ?? 20);
  return db.transaction(() => {
    addProduct(db, { id: productId, name: '雪花啤酒 瓶盖', gtin: null, unitsPerBox: null, boxesPerCase: null, unitsPerCase: 12, casesPerPallet: 70, pairingRequired: true, profiles: {} }, 'it');
    const innerPackage = addPackage(db, 'cap-inner', productId, codes.inner, like?.innerPackage);
    const outerPackage = addPackage(db, 'cap-outer', productId, codes.outer, like?.outerPackage);
    return { productId, innerPackage, outerPackage, inner: [...codes.inner], outer: [...codes.outer] };
  })();
}
