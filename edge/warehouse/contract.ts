/**
 * The warehouse's types only (STYLE.md "A contract beside its implementations"): dispatch orders, scan outcomes,
 * returns, moves, traces and reports. Implementations live beside this file; callers import edge/warehouse/index.ts.
 *
 * Codes in every value here are as people may see them: cap-inner and case-inner codes are masked (`N7K2…Q9`).
 */
import type { CodeKind } from '../domain/kinds.ts';
import type { OrderState } from './order-machine.ts';

export type { OrderState } from './order-machine.ts';

/** A stock location (仓库). `location` is its EPCIS bizLocation (e.g. an SGLN URN), `owner` the owning party. */
export interface WarehouseInfo {
  readonly id: string;
  readonly name: string;
  readonly location: string | null;
  readonly owner: string | null;
  /** Cases and pallets of no explicit location and of no line mapped elsewhere are here. */
  readonly isDefault: boolean;
  /** Production lines whose output goes into this warehouse. */
  readonly lines: readonly string[];
}

export interface NewWarehouse {
  readonly id: string;
  readonly name: string;
  readonly location?: string | null;
  readonly owner?: string | null;
  readonly isDefault?: boolean;
  readonly lines?: readonly string[];
}

/** A dealer (经销商). `gln` is its 13-digit GS1 GLN when it has one, else its own id identifies it. */
export interface Dealer {
  readonly id: string;
  readonly name: string;
  readonly gln: string | null;
  /** Sales region (区域), e.g. `华东` or `CN-31`; compared trimmed and case-insensitive in tracing. */
  readonly region: string;
}

export interface NewDealer {
  readonly id: string;
  readonly name: string;
  readonly gln?: string | null;
  readonly region: string;
}

/** How the order appears in the EPCIS bizTransactionList (CBV 2.0 §8.5: despatch advice or purchase order). */
export type OrderDocumentType = 'desadv' | 'po';

export interface NewOrderLine {
  readonly productId: string;
  /** Cases. */
  readonly quantity: number;
}

export interface NewOrder {
  readonly id: string;
  readonly dealerId: string;
  readonly warehouseId: string;
  readonly documentType?: OrderDocumentType;
  readonly lines: readonly NewOrderLine[];
}

export interface OrderLine {
  readonly lineNo: number;
  readonly productId: string;
  readonly productName: string;
  /** Ordered cases. */
  readonly quantity: number;
  /** Cases shipped on this line (returns do not take them off: the shipment happened). */
  readonly shipped: number;
}

export interface OrderView {
  readonly id: string;
  readonly dealer: Dealer;
  readonly warehouseId: string;
  readonly state: OrderState;
  readonly documentType: OrderDocumentType;
  readonly lines: readonly OrderLine[];
  readonly quantity: number;
  readonly shipped: number;
  readonly createdAt: string;
  readonly completedAt: string | null;
  /** A short shipment's reason and signer (who signed with their PIN). */
  readonly shortReason: string | null;
  readonly shortSigner: string | null;
  readonly cancelReason: string | null;
}

export interface OrderSummary {
  readonly id: string;
  readonly dealerId: string;
  readonly dealerName: string;
  readonly region: string;
  readonly warehouseId: string;
  readonly state: OrderState;
  readonly quantity: number;
  readonly shipped: number;
  readonly createdAt: string;
}

/** Who scans: the user (badge/PIN session) and the PDA or dock reader it came from. */
export interface ScanActor {
  readonly user: string;
  readonly device?: string | null;
}

/**
 * Why a dispatch scan was refused. Each one comes with its Chinese word (`REFUSAL_LABEL_ZH`) and a message;
 * nothing was changed.
 * - `not-stocked` 未入库/未关联: not a closed case/pallet (loose, on an open pallet stack, rejected), or its batch is
 *   not closed while the product's dispatch rule requires that;
 * - `already-shipped` 已发货: the case or pallet is on a live shipment (this order or another);
 * - `voided` 已作废: voided, destroyed or sampled;
 * - `wrong-product` 品项不符: no line of the order is for its product;
 * - `over-quantity` 超量: it would ship more than the order line's quantity (decided by the database);
 * - `wrong-warehouse` 非本仓: it is stocked in another warehouse than the order's;
 * - `unknown-code` 未知码: not a code of this station;
 * - `wrong-kind` 码类不符: not a case-outer or pallet code (a cap, an inner code…);
 * - `order-closed` 单据不可扫: the order is shipped or cancelled.
 */
export type RefusalReason =
  | 'not-stocked' | 'already-shipped' | 'voided' | 'wrong-product' | 'over-quantity' | 'wrong-warehouse'
  | 'unknown-code' | 'wrong-kind' | 'order-closed';

export const REFUSAL_REASONS: readonly RefusalReason[] = [
  'not-stocked', 'already-shipped', 'voided', 'wrong-product', 'over-quantity', 'wrong-warehouse', 'unknown-code', 'wrong-kind', 'order-closed',
];

export const REFUSAL_LABEL_ZH: Readonly<Record<RefusalReason, string>> = {
  'not-stocked': '未入库/未关联',
  'already-shipped': '已发货',
  voided: '已作废',
  'wrong-product': '品项不符',
  'over-quantity': '超量',
  'wrong-warehouse': '非本仓',
  'unknown-code': '未知码',
  'wrong-kind': '码类不符',
  'order-closed': '单据不可扫',
};

export type ScanResult =
  | {
    readonly kind: 'ok';
    readonly orderId: string;
    /** The scanned code (a case-outer or pallet code: never secret). */
    readonly code: string;
    readonly codeKind: 'case-outer' | 'pallet';
    /** Cases this scan shipped: 1 for a case, the pallet's cases for a pallet. */
    readonly counted: number;
    readonly line: OrderLine;
    /** Set when the case was taken off a pallet that was not shipped whole (an unpacking event came first). */
    readonly unpackedFrom: string | null;
    readonly orderState: OrderState;
    readonly order: { readonly quantity: number; readonly shipped: number };
    readonly at: string;
  }
  | {
    readonly kind: 'refused';
    readonly reason: RefusalReason;
    /** The Chinese word of the reason (REFUSAL_LABEL_ZH). */
    readonly label: string;
    /** What happened and what to do, Chinese then English; secret codes masked. */
    readonly message: string;
  };

/** Signature of a short shipment (21 CFR 11.200: the PIN again). */
export interface Signer {
  readonly userId: string;
  readonly pin: string;
}

export interface CompleteOptions {
  readonly actor: string;
  /** Required when any line shipped less than ordered. */
  readonly reason?: string;
  readonly signer?: Signer;
}

export interface ReturnResult {
  readonly returnId: number;
  readonly code: string;
  readonly codeKind: 'case-outer' | 'pallet';
  /** Cases back in stock. */
  readonly cases: number;
  readonly orderId: string;
  readonly dealerId: string;
  readonly warehouseId: string;
  /** Set when a case came back alone from a pallet that shipped whole (it leaves the pallet: unpacking event). */
  readonly unpackedFrom: string | null;
}

export interface MoveResult {
  readonly moveId: number;
  readonly code: string;
  readonly codeKind: 'case-outer' | 'pallet';
  readonly cases: number;
  readonly fromWarehouse: string;
  readonly toWarehouse: string;
  readonly unpackedFrom: string | null;
}

/** Roles a trace may run as; inner codes only with `qa` (admin too, who may do everything). */
export type TraceRole = string;

export interface TraceOptions {
  readonly role: TraceRole;
  /** Who looks it up (audit actor for findings and inner-code lookups). */
  readonly actor: string;
  /** Region where the code was found in the market (稽查): the trace then says whether it is diversion. */
  readonly foundIn?: string;
  readonly note?: string;
}

export interface TraceShipment {
  readonly orderId: string;
  readonly dealer: Dealer;
  readonly warehouseId: string;
  readonly shippedAt: string;
  /** The pallet the case was shipped in, when it shipped as part of a whole pallet. */
  readonly pallet: string | null;
  readonly returned: boolean;
}

export interface TraceResult {
  /** The code as looked up, masked when secret. */
  readonly code: string;
  readonly kind: CodeKind;
  readonly status: string;
  readonly product: { readonly id: string; readonly name: string } | null;
  readonly batch: { readonly id: number; readonly lot: string; readonly productionDate: string; readonly line: string } | null;
  readonly case: string | null;
  readonly pallet: string | null;
  /** The latest shipment of the case (or of the pallet's cases), newest first. */
  readonly shipments: readonly TraceShipment[];
  readonly shipment: TraceShipment | null;
  readonly region: string | null;
  readonly shippedAt: string | null;
  readonly finding: {
    readonly id: number;
    readonly foundIn: string;
    /** `diverted` 窜货: shipped to a dealer of another region; `in-region`: where it should be; `unshipped`: never shipped. */
    readonly verdict: 'diverted' | 'in-region' | 'unshipped';
    readonly message: string;
  } | null;
}

export interface OrderReport {
  readonly order: OrderView;
  readonly warehouse: { readonly id: string; readonly name: string };
  readonly items: readonly {
    readonly code: string;
    readonly productId: string;
    readonly lineNo: number;
    readonly pallet: string | null;
    readonly shippedAt: string;
    readonly shippedBy: string;
    readonly device: string | null;
    readonly returned: boolean;
  }[];
  /** Per pallet shipped whole: its cases; loose cases under `null`. */
  readonly byPallet: readonly { readonly pallet: string | null; readonly cases: number }[];
  readonly generatedAt: string;
}

export interface DealerReport {
  readonly dealer: Dealer;
  readonly from: string;
  readonly to: string;
  readonly orders: readonly { readonly id: string; readonly state: OrderState; readonly shipped: number; readonly returned: number; readonly firstShippedAt: string | null; readonly lastShippedAt: string | null }[];
  readonly products: readonly { readonly productId: string; readonly productName: string; readonly shipped: number; readonly returned: number }[];
  readonly totals: { readonly shipped: number; readonly returned: number };
  readonly generatedAt: string;
}

/** One scan that shipped: a whole pallet (`code` = `pallet`, `cases` its cases) or one loose case (`pallet` null). */
export interface RecentScan {
  readonly code: string;
  readonly pallet: string | null;
  readonly lineNo: number;
  readonly cases: number;
  readonly at: string;
  readonly user: string;
  readonly device: string | null;
}
