import type Database from 'better-sqlite3';
import type { Product } from '../domain/product.ts';
import { appendAudit } from './audit.ts';
import { StoreError } from './errors.ts';
import { cachedStatement } from './statement-cache.ts';

interface ProductRow {
  id: string;
  name: string;
  gtin: string | null;
  units_per_box: number | null;
  boxes_per_case: number | null;
  units_per_case: number;
  cases_per_pallet: number;
  pairing_required: number;
  profiles: string;
  created_at: string;
}

function fromRow(row: ProductRow): Product {
  return {
    id: row.id,
    name: row.name,
    gtin: row.gtin,
    unitsPerBox: row.units_per_box,
    boxesPerCase: row.boxes_per_case,
    unitsPerCase: row.units_per_case,
    casesPerPallet: row.cases_per_pallet,
    pairingRequired: row.pairing_required === 1,
    profiles: JSON.parse(row.profiles) as Record<string, unknown>,
  };
}

/** Adds a product (validated by parseProduct) with an audit row, in one transaction. */
export function addProduct(db: Database.Database, product: Product, actor: string): void {
  db.transaction(() => {
    if (db.prepare('SELECT 1 FROM products WHERE id = ?').get(product.id)) {
      throw new StoreError('CONFLICT', `产品编号 ${product.id} 已存在 (product id already exists)`);
    }
    db.prepare(`INSERT INTO products (id, name, gtin, units_per_box, boxes_per_case, units_per_case, cases_per_pallet, pairing_required, profiles, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      product.id, product.name, product.gtin, product.unitsPerBox, product.boxesPerCase, product.unitsPerCase,
      product.casesPerPallet, product.pairingRequired ? 1 : 0, JSON.stringify(product.profiles), new Date().toISOString(),
    );
    appendAudit(db, { actor, action: 'product.add', subject: product.id, detail: { name: product.name, unitsPerCase: product.unitsPerCase, casesPerPallet: product.casesPerPallet } });
  }).immediate();
}

export function getProduct(db: Database.Database, id: string): Product | null {
  // Read on every status snapshot (up to ~100 a second on a fast line): prepared once per connection.
  const row = cachedStatement(db, 'SELECT * FROM products WHERE id = ?').get(id) as ProductRow | undefined;
  return row ? fromRow(row) : null;
}

export function listProducts(db: Database.Database): Product[] {
  return (db.prepare('SELECT * FROM products ORDER BY id').all() as ProductRow[]).map(fromRow);
}
