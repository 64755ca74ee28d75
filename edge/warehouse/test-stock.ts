/**
 * Test material for the warehouse tests (not used by the station): a station database with closed cases on
 * pallets made by the line's real commits (so their commissioning/packing events are in the outbox), two
 * warehouses, two dealers in different regions, and users who may sign. Imported only by *.test.ts files.
 */
import { startBatch } from '../store/batches.ts';
import { commitCase } from '../store/case-commit.ts';
import type { Db } from '../store/open.ts';
import { commitPallet } from '../store/pallet-commit.ts';
import { addUser } from '../store/users.ts';
import { capsOfCase, packageUuids, seedLine, TEST_EPCIS, type LineMaterial } from '../../test/e2e/batch-line-fixture.ts';
import { Warehouse } from './warehouse.ts';

export { TEST_EPCIS };

export interface StockPallet {
  readonly code: string;
  readonly cases: readonly string[];
}

export interface MadeStock {
  readonly material: LineMaterial;
  readonly batchId: number;
  readonly pallets: readonly StockPallet[];
  /** Closed cases on no pallet. */
  readonly loose: readonly string[];
}

/** Makes `pallets` pallets of `casesPerPallet` closed cases plus `loose` closed cases, on line `line`. */
export function makeStock(db: Db, options: { readonly pallets: number; readonly casesPerPallet: number; readonly loose?: number; readonly line: string; readonly lot: string; readonly t0?: number }): MadeStock {
  const loose = options.loose ?? 0;
  const total = options.pallets * options.casesPerPallet + loose;
  const m = seedLine(db, { cases: total, palletCodes: options.pallets, unitsPerCase: 4, casesPerPallet: options.casesPerPallet });
  const t0 = options.t0 ?? Date.UTC(2026, 2, 1, 0);
  const batchId = startBatch(db, { productId: m.productId, lot: options.lot, productionDate: '2026-03-01', line: options.line, packages: packageUuids(m), actor: 'op1' }).id;
  const caseCodes = m.cases.map((c) => c.outer);
  caseCodes.forEach((caseCode, i) => commitCase(db, { batchId, caseCode, children: capsOfCase(m, i), at: t0 + i, actor: 'station', epcis: TEST_EPCIS }));
  const pallets: StockPallet[] = [];
  for (let p = 0; p < options.pallets; p += 1) {
    const cases = caseCodes.slice(p * options.casesPerPallet, (p + 1) * options.casesPerPallet);
    const code = m.palletCodes[p] ?? '';
    commitPallet(db, { batchId, palletCode: code, cases, at: t0 + 10_000 + p, actor: 'station', epcis: TEST_EPCIS });
    pallets.push({ code, cases });
  }
  return { material: m, batchId, pallets, loose: caseCodes.slice(options.pallets * options.casesPerPallet) };
}

export const PINS = { wh1: '531864', adm: '864200', op1: '135792' } as const;

/** Two warehouses (WH-A default, WH-B), two dealers (D-EAST 华东 with a GLN, D-SOUTH 华南), signing users. */
export function setUpWarehouse(db: Db, w: Warehouse): void {
  addUser(db, { id: 'wh1', name: '仓管 王', role: 'warehouse', pin: PINS.wh1 } as Parameters<typeof addUser>[1], 'admin');
  addUser(db, { id: 'adm', name: '管理员', role: 'admin', pin: PINS.adm }, 'admin');
  addUser(db, { id: 'op1', name: '操作员', role: 'operator', pin: PINS.op1 }, 'admin');
  w.addWarehouse({ id: 'WH-A', name: '成品一库', isDefault: true, location: 'urn:epc:id:sgln:0614141.00888.0', owner: 'urn:epc:id:pgln:0614141.00001' }, 'it1');
  w.addWarehouse({ id: 'WH-B', name: '成品二库', lines: ['B1'] }, 'it1');
  w.addDealer({ id: 'D-EAST', name: '上海华东经销商', gln: '0614141000418', region: '华东' }, 'it1');
  w.addDealer({ id: 'D-SOUTH', name: '广州华南经销商', region: '华南' }, 'it1');
}
