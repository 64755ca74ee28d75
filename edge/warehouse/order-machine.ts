import { defineMachine } from '../domain/state-machine.ts';

/**
 * Dispatch order lifecycle (issue 13 §1): draft → picking → shipped, or cancelled. Pure (no store).
 * - `release`: IT (or the first scan) puts a draft on the warehouse floor;
 * - `scan`: a case or pallet shipped on the order; the first scan of a draft releases it;
 * - `complete`: the truck leaves; a short shipment needs a signed reason (checked by the store, not the table);
 * - `cancel`: only before anything shipped on it (checked by the store: shipped goods need a return first).
 * Shipped and cancelled are final.
 */
export const ORDER_STATES = ['draft', 'picking', 'shipped', 'cancelled'] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export const ORDER_EVENTS = ['release', 'scan', 'complete', 'cancel'] as const;
export type OrderEvent = (typeof ORDER_EVENTS)[number];

export const ORDER_STATE_LABEL_ZH: Readonly<Record<OrderState, string>> = {
  draft: '草稿', picking: '拣货中', shipped: '已发货', cancelled: '已取消',
};

export const orderMachine = defineMachine<OrderState, OrderEvent>('发货单 (dispatch order)', ORDER_STATES, ORDER_EVENTS, {
  draft: { release: 'picking', scan: 'picking', cancel: 'cancelled' },
  picking: { scan: 'picking', complete: 'shipped', cancel: 'cancelled' },
  shipped: {},
  cancelled: {},
});

export function isOrderState(value: unknown): value is OrderState {
  return typeof value === 'string' && (ORDER_STATES as readonly string[]).includes(value);
}
