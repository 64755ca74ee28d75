import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startBatch } from '../../edge/store/batches.ts';
import { commitCase } from '../../edge/store/case-commit.ts';
import type { Db } from '../../edge/store/open.ts';
import { commitPallet } from '../../edge/store/pallet-commit.ts';
import { addUser } from '../../edge/store/users.ts';
import { Warehouse } from '../../edge/warehouse/index.ts';
import { capsOfCase, packageUuids, seedLine, TEST_EPCIS, type LineMaterial } from './batch-line-fixture.ts';

/**
 * A station database with stock for the warehouse's API and PDA tests (issue 13): one product made into pallets of
 * closed cases (the line's real commits, with their EPCIS events), a second product with a pallet of its own (for
 * 品项不符), a default warehouse and a second one, two dealers in different regions, an order for the first dealer,
 * and one user per role with a badge and a PIN.
 */
export const TLS = {
  cert: readFileSync(fileURLToPath(new URL('../fixtures/tls/cert.pem', import.meta.url))),
  key: readFileSync(fileURLToPath(new URL('../fixtures/tls/key.pem', import.meta.url))),
};

export const WAREHOUSE_USERS = {
  warehouse: { id: 'wh1', name: '仓管 王', role: 'warehouse', badge: 'BADGE-WH-0001', pin: '531864' },
  warehouse2: { id: 'wh2', name: '仓管 李', role: 'warehouse', badge: 'BADGE-WH-0002', pin: '642975' },
  qa: { id: 'qa1', name: '质检 张', role: 'qa', badge: 'BADGE-QA-0001', pin: '246810' },
  it: { id: 'it1', name: '信息 赵', role: 'it', badge: 'BADGE-IT-0001', pin: '975310' },
  operator: { id: 'op1', name: '操作员 钱', role: 'operator', badge: 'BADGE-OP-0001', pin: '135792' },
} as const;

export interface WarehouseStock {
  readonly product: LineMaterial;
  readonly other: LineMaterial;
  /** Pallet codes of the product, each with its case codes. */
  readonly pallets: readonly { readonly code: string; readonly cases: readonly string[] }[];
  /** A pallet of the other product. */
  readonly otherPallet: { readonly code: string; readonly cases: readonly string[] };
  readonly orderId: string;
  readonly dealers: { readonly east: string; readonly south: string };
  readonly warehouses: { readonly main: string; readonly second: string };
}

function makeProduct(db: Db, pallets: number, casesPerPallet: number, lot: string, t0: number): { m: LineMaterial; pallets: { code: string; cases: string[] }[] } {
  const cases = pallets * casesPerPallet;
  const m = seedLine(db, { cases, palletCodes: pallets, unitsPerCase: 4, casesPerPallet });
  const batchId = startBatch(db, { productId: m.productId, lot, productionDate: '2026-03-01', line: `L-${lot}`, packages: packageUuids(m), actor: 'op1' }).id;
  const out: { code: string; cases: string[] }[] = [];
  for (let p = 0; p < pallets; p += 1) {
    const codes: string[] = [];
    for (let c = 0; c < casesPerPallet; c += 1) {
      const i = p * casesPerPallet + c;
      const caseCode = m.cases[i]?.outer ?? '';
      commitCase(db, { batchId, caseCode, children: capsOfCase(m, i), at: t0 + i, actor: 'station', epcis: TEST_EPCIS });
      codes.push(caseCode);
    }
    const code = m.palletCodes[p] ?? '';
    commitPallet(db, { batchId, palletCode: code, cases: codes, at: t0 + 1000 + p, actor: 'station', epcis: TEST_EPCIS });
    out.push({ code, cases: codes });
  }
  return { m, pallets: out };
}

/** Seeds the stock; `casesOrdered` cases of the product are on order O-1001 for the east dealer. */
export function seedWarehouse(db: Db, options: { readonly pallets?: number; readonly casesPerPallet?: number; readonly casesOrdered?: number } = {}): WarehouseStock {
  const t0 = Date.UTC(2026, 2, 1, 8);
  const a = makeProduct(db, options.pallets ?? 3, options.casesPerPallet ?? 3, 'L2026-03-01', t0);
  const b = makeProduct(db, 1, 3, 'L2026-03-02', t0 + 10_000);
  for (const u of Object.values(WAREHOUSE_USERS)) addUser(db, u, 'admin');
  const w = new Warehouse(db, { epcis: TEST_EPCIS });
  w.addWarehouse({ id: 'WH-MAIN', name: '成品一库', isDefault: true }, 'it1');
  w.addWarehouse({ id: 'WH-2', name: '成品二库' }, 'it1');
  w.addDealer({ id: 'D-EAST', name: '华东经销商 上海', region: '华东' }, 'it1');
  w.addDealer({ id: 'D-SOUTH', name: '华南经销商 广州', region: '华南' }, 'it1');
  const casesOrdered = options.casesOrdered ?? 5;
  w.createOrder({ id: 'O-1001', dealerId: 'D-EAST', warehouseId: 'WH-MAIN', lines: [{ productId: a.m.productId, quantity: casesOrdered }] }, 'it1');
  return {
    product: a.m, other: b.m, pallets: a.pallets, otherPallet: b.pallets[0] ?? { code: '', cases: [] }, orderId: 'O-1001',
    dealers: { east: 'D-EAST', south: 'D-SOUTH' }, warehouses: { main: 'WH-MAIN', second: 'WH-2' },
  };
}
