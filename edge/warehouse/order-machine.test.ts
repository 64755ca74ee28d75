import { describe } from 'vitest';
import { machineTableTest } from '../../test/support/machine-table-test.ts';
import { orderMachine, type OrderEvent, type OrderState } from './order-machine.ts';

/** Every state × event pair, written out: the expected next state, or null for a refused event. */
const expected: Record<OrderState, Record<OrderEvent, OrderState | null>> = {
  draft: { release: 'picking', scan: 'picking', complete: null, cancel: 'cancelled' },
  picking: { release: null, scan: 'picking', complete: 'shipped', cancel: 'cancelled' },
  shipped: { release: null, scan: null, complete: null, cancel: null },
  cancelled: { release: null, scan: null, complete: null, cancel: null },
};

describe('dispatch order state machine', () => {
  machineTableTest(orderMachine, expected);
});
