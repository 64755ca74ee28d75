import { listPdaDevices, pairPdaDevice, revokePdaDevice } from '../api/pda-devices.ts';
import type { Db } from '../store/open.ts';
import { Warehouse } from '../warehouse/index.ts';
import { DEMO_ACTOR } from './setup-demo-line.ts';

export const DEMO_WAREHOUSE_ID = 'WH-DEMO';
export const DEMO_DEALER_ID = 'D-DEMO-EAST';
export const DEMO_ORDER_ID = 'O-DEMO-0001';
export const DEMO_PDA_NAME = '演示 PDA (demo PDA)';

export interface DemoWarehouse {
  readonly orderId: string;
  readonly quantity: number;
  readonly dealer: string;
  /** The demo PDA's device token (the link `/pda/?device=…` pairs a browser as that PDA). Demo only. */
  readonly pdaToken: string;
}

/**
 * The demo's warehouse (issue 13 §6): a default warehouse for the line's pallets, a demo dealer in 华东, and a
 * sample order of one pallet and two cases of the demo product — so once the line has made two pallets the order
 * ships from the PDA page (a pallet scanned whole, two cases taken off the next one). The demo PDA is paired
 * afresh at every start (the older demo pairing is revoked), so the printed link always works. Idempotent on a
 * resumed demo database; an order already shipped stays as it is.
 */
export function setupDemoWarehouse(db: Db, productId: string, casesPerPallet: number): DemoWarehouse {
  const w = new Warehouse(db);
  if (w.getWarehouse(DEMO_WAREHOUSE_ID) === null) w.addWarehouse({ id: DEMO_WAREHOUSE_ID, name: '演示成品库 (demo warehouse)', isDefault: true }, DEMO_ACTOR);
  if (w.getDealer(DEMO_DEALER_ID) === null) w.addDealer({ id: DEMO_DEALER_ID, name: '演示经销商 上海 (demo dealer)', region: '华东' }, DEMO_ACTOR);
  const quantity = casesPerPallet + 2;
  if (w.getOrder(DEMO_ORDER_ID) === null) {
    w.createOrder({ id: DEMO_ORDER_ID, dealerId: DEMO_DEALER_ID, warehouseId: DEMO_WAREHOUSE_ID, lines: [{ productId, quantity }] }, DEMO_ACTOR);
  }
  for (const d of listPdaDevices(db)) if (d.name === DEMO_PDA_NAME && d.revokedAt === null) revokePdaDevice(db, d.id, DEMO_ACTOR);
  const { token } = pairPdaDevice(db, { name: DEMO_PDA_NAME, actor: DEMO_ACTOR });
  return { orderId: DEMO_ORDER_ID, quantity: w.getOrder(DEMO_ORDER_ID)?.lines[0]?.quantity ?? quantity, dealer: '演示经销商 上海 · 华东', pdaToken: token };
}
