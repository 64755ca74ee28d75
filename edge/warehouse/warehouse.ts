import type { EpcisContext } from '../../sync/index.ts';
import { StoreError } from '../store/errors.ts';
import type { Db } from '../store/open.ts';
import type {
  CompleteOptions, Dealer, DealerReport, MoveResult, NewDealer, NewOrder, NewWarehouse, OrderReport, OrderSummary, OrderView,
  RecentScan, ReturnResult, ScanActor, ScanResult, TraceOptions, TraceResult, WarehouseInfo,
} from './contract.ts';
import { dispatchScan } from './dispatch-scan.ts';
import { addDealer, addWarehouse, getDealer, getWarehouse, listDealers, listWarehouses, setDispatchRule } from './master-data.ts';
import { cancelOrder, completeOrder, releaseOrder } from './order-lifecycle.ts';
import { createOrder, getOrder, listOrders, recentScans, type OrderFilter } from './orders.ts';
import { dealerReport, orderReport } from './reports.ts';
import { moveStock, receiveReturn } from './stock-moves.ts';
import { traceCode } from './trace-code.ts';
import type { WarehouseEnv } from './warehouse-env.ts';

export { SHORT_SHIPMENT_ROLES } from './order-lifecycle.ts';
export { INNER_TRACE_ROLES } from './trace-code.ts';

export interface WarehouseOptions {
  /**
   * The station's EPCIS context (identifiers, time-zone offset); warehouse events name the warehouse as location.
   * Optional for read-only use (lists, trace, reports, imports): an operation that writes an event without it is
   * refused with INVALID_INPUT before anything changes.
   */
  readonly epcis?: EpcisContext;
  /** Clock for decision times (tests pin it). */
  readonly clock?: () => Date;
}

/**
 * The warehouse on one connection of the station store. Thin: each method is one operation of its own file, each
 * mutating one an immediate transaction with its audit row and outbox events (see index.ts for the list).
 */
export class Warehouse {
  readonly #db: Db;
  readonly #env: WarehouseEnv;

  constructor(db: Db, options: WarehouseOptions = {}) {
    this.#db = db;
    const epcis = options.epcis;
    this.#env = {
      get epcis(): EpcisContext {
        if (epcis === undefined) throw new StoreError('INVALID_INPUT', '需要工作站配置以生成 EPCIS 事件：--config 文件或环境变量 WUMA_CONFIG (station config needed for EPCIS events)');
        return epcis;
      },
      now: options.clock ?? (() => new Date()),
    };
  }

  #iso(): string {
    return this.#env.now().toISOString();
  }

  addWarehouse(input: NewWarehouse, actor: string): WarehouseInfo { return addWarehouse(this.#db, input, actor, this.#iso()); }
  getWarehouse(id: string): WarehouseInfo | null { return getWarehouse(this.#db, id); }
  listWarehouses(): WarehouseInfo[] { return listWarehouses(this.#db); }
  addDealer(input: NewDealer, actor: string): Dealer { return addDealer(this.#db, input, actor, this.#iso()); }
  getDealer(id: string): Dealer | null { return getDealer(this.#db, id); }
  listDealers(): Dealer[] { return listDealers(this.#db); }
  setDispatchRule(productId: string, rule: { readonly requiresClosedBatch: boolean }, actor: string): void {
    setDispatchRule(this.#db, productId, rule, actor, this.#iso());
  }

  createOrder(input: NewOrder, actor: string): OrderView { return createOrder(this.#db, input, actor, this.#iso()); }
  getOrder(id: string): OrderView | null { return getOrder(this.#db, id); }
  listOrders(filter: OrderFilter = {}): OrderSummary[] { return listOrders(this.#db, filter); }
  recentScans(orderId: string, limit = 20): RecentScan[] { return recentScans(this.#db, orderId, limit); }

  release(orderId: string, options: { readonly actor: string }): OrderView { return releaseOrder(this.#db, this.#env, orderId, options.actor); }
  scan(orderId: string, code: string, who: ScanActor): ScanResult { return dispatchScan(this.#db, this.#env, orderId, code, who); }
  complete(orderId: string, options: CompleteOptions): OrderView { return completeOrder(this.#db, this.#env, orderId, options); }
  cancel(orderId: string, options: { readonly actor: string; readonly reason: string }): OrderView { return cancelOrder(this.#db, this.#env, orderId, options); }

  receiveReturn(code: string, options: { readonly actor: string; readonly reason: string; readonly warehouseId?: string }): ReturnResult {
    return receiveReturn(this.#db, this.#env, code, options);
  }

  move(code: string, toWarehouseId: string, options: { readonly actor: string }): MoveResult {
    return moveStock(this.#db, this.#env, code, toWarehouseId, options);
  }

  trace(code: string, options: TraceOptions): TraceResult { return traceCode(this.#db, this.#env, code, options); }
  orderReport(orderId: string): OrderReport { return orderReport(this.#db, orderId, this.#env.now()); }
  dealerReport(dealerId: string, range: { readonly from: string; readonly to: string }): DealerReport {
    return dealerReport(this.#db, dealerId, range, this.#env.now());
  }
}
