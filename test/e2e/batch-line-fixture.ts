import { randomBytes, randomUUID } from 'node:crypto';
import { parseEpcisContext, type EpcisContext } from '../../sync/index.ts';
import { kindToInt, type CodeKind } from '../../edge/domain/kinds.ts';
import { addProduct } from '../../edge/store/products.ts';
import type { Db } from '../../edge/store/open.ts';

/**
 * A small line's worth of supplier material in a station database, as the package and pairing imports leave it:
 * pre-printed cap and carton packages (status printed) with inner↔outer pairs, and optionally a pallet package.
 * Codes are random upper-case hex (12 characters visible, 16 secret) so tests can tell a full secret code apart.
 */
export interface LineMaterial {
  readonly productId: string;
  readonly packages: Readonly<Record<'cap-inner' | 'cap-outer' | 'case-inner' | 'case-outer', string>> & { readonly pallet?: string };
  readonly caps: readonly { readonly outer: string; readonly inner: string }[];
  readonly cases: readonly { readonly outer: string; readonly inner: string }[];
  readonly palletCodes: readonly string[];
}

export const TEST_EPCIS: EpcisContext = parseEpcisContext({ identifiers: { uriTemplate: 'https://c.wuma.example/{kind}/{code}' } });

function code(kind: CodeKind): string {
  const secret = kind === 'cap-inner' || kind === 'case-inner';
  return randomBytes(secret ? 8 : 6).toString('hex').toUpperCase();
}

function addPackage(db: Db, kind: CodeKind, productId: string, codes: readonly string[]): { id: number; uuid: string } {
  const uuid = randomUUID();
  const id = Number(db.prepare(`INSERT INTO code_packages (uuid, kind, product_id, source, supplier, count, state, profile, created_at, finished_at)
    VALUES (?, ?, ?, 'imported', 'test supplier', ?, 'ready', '{}', ?, ?)`).run(uuid, kindToInt(kind), productId, codes.length, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z').lastInsertRowid);
  const insert = db.prepare('INSERT INTO codes (code, kind, status, package_id) VALUES (?, ?, 1, ?)');
  for (const c of codes) insert.run(c, kindToInt(kind), id);
  return { id, uuid };
}

export interface SeedOptions {
  readonly productId?: string;
  readonly unitsPerCase?: number;
  readonly casesPerPallet?: number;
  /** How many cases' worth of caps and cartons (plus `spare` extra caps). */
  readonly cases?: number;
  readonly spareCaps?: number;
  readonly palletCodes?: number;
  readonly profiles?: Record<string, unknown>;
}

export function seedLine(db: Db, options: SeedOptions = {}): LineMaterial {
  const productId = options.productId ?? `beer-${randomBytes(3).toString('hex')}`;
  const unitsPerCase = options.unitsPerCase ?? 4;
  const casesPerPallet = options.casesPerPallet ?? 3;
  const caseCount = options.cases ?? 6;
  addProduct(db, {
    id: productId, name: '雪花啤酒 500ml', gtin: null, unitsPerBox: null, boxesPerCase: null, unitsPerCase, casesPerPallet,
    pairingRequired: true, profiles: options.profiles ?? {},
  }, 'it');
  const capCount = caseCount * unitsPerCase + (options.spareCaps ?? 0);
  const caps = Array.from({ length: capCount }, () => ({ outer: code('cap-outer'), inner: code('cap-inner') }));
  const cases = Array.from({ length: caseCount }, () => ({ outer: code('case-outer'), inner: code('case-inner') }));
  const palletCodes = Array.from({ length: options.palletCodes ?? 0 }, () => code('pallet'));
  return db.transaction(() => {
    const pkgs = {
      'cap-inner': addPackage(db, 'cap-inner', productId, caps.map((c) => c.inner)).uuid,
      'cap-outer': addPackage(db, 'cap-outer', productId, caps.map((c) => c.outer)).uuid,
      'case-inner': addPackage(db, 'case-inner', productId, cases.map((c) => c.inner)).uuid,
      'case-outer': addPackage(db, 'case-outer', productId, cases.map((c) => c.outer)).uuid,
      ...(palletCodes.length > 0 ? { pallet: addPackage(db, 'pallet', productId, palletCodes).uuid } : {}),
    };
    const pair = db.prepare('UPDATE codes SET pair = ? WHERE code = ?');
    for (const p of [...caps, ...cases]) { pair.run(p.inner, p.outer); pair.run(p.outer, p.inner); }
    return { productId, packages: pkgs, caps, cases, palletCodes };
  })();
}

/** All package UUIDs of the material, for startBatch / `wuma batch start --package`. */
export function packageUuids(m: LineMaterial): string[] {
  return Object.values(m.packages).filter((u): u is string => typeof u === 'string');
}

/** The children of case `i` (its share of the caps, in order). */
export function capsOfCase(m: LineMaterial, i: number, unitsPerCase = 4): string[] {
  return m.caps.slice(i * unitsPerCase, (i + 1) * unitsPerCase).map((c) => c.outer);
}
