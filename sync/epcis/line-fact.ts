/**
 * Line facts: what the station decided, in its own words, before it becomes an EPCIS event. One fact maps to
 * exactly one EPCIS 2.0 event (`mapFact`); the station writes the frozen event into the outbox in the same
 * transaction as the state change (DESIGN.md §3).
 *
 * Times are epoch milliseconds (UTC); the event carries them as local time with the context's offset.
 * Dates are calendar dates `YYYY-MM-DD` as printed on the pack. Codes are the values the station stores:
 * for a kind configured as a GS1 SSCC, the 18 digits; as an SGTIN, the element string `01<GTIN-14>21<serial>`
 * (brackets allowed); for every other kind, the code text itself.
 */

/** The five codes and the optional box level (DESIGN.md §1; mirrors edge/domain/kinds.ts, which sync cannot import). */
export type LineCodeKind = 'cap-inner' | 'cap-outer' | 'case-inner' | 'case-outer' | 'pallet' | 'box';

export const LINE_CODE_KINDS: readonly LineCodeKind[] = ['cap-inner', 'cap-outer', 'case-inner', 'case-outer', 'pallet', 'box'];

/** Codes that pay out money: never shown in full in logs, errors or UI (DESIGN.md §1). */
export const SECRET_LINE_KINDS: ReadonlySet<LineCodeKind> = new Set<LineCodeKind>(['cap-inner', 'case-inner']);

/** Codes seen on real items: ObjectEvent ADD, bizStep `commissioning`, disposition `active`, ilmd lot/dates. */
export interface CommissioningFact {
  readonly type: 'commissioning';
  readonly time: number;
  readonly kind: LineCodeKind;
  readonly codes: readonly string[];
  /** Batch lot number → `cbvmda:lotNumber`. */
  readonly lot?: string;
  /** → `cbvmda:itemExpirationDate`. */
  readonly expiryDate?: string;
  /** → `cbvmda:bestBeforeDate`. */
  readonly bestBeforeDate?: string;
  /**
   * CBV 2.0 has no production-date ILMD attribute; emitted as `<ilmdNamespace.prefix>:productionDate` only when
   * the context configures an ILMD namespace, else left out (it is in the batch record at the station).
   */
  readonly productionDate?: string;
}

/** Children put into a parent: AggregationEvent ADD, bizStep `packing`, parentID always set. */
export interface PackingFact {
  readonly type: 'packing';
  readonly time: number;
  readonly parentKind: LineCodeKind;
  readonly parent: string;
  readonly childKind: LineCodeKind;
  readonly children: readonly string[];
}

/** Children taken out (rework), or the whole parent broken up when `children` is absent: AggregationEvent DELETE. */
export interface UnpackingFact {
  readonly type: 'unpacking';
  readonly time: number;
  readonly parentKind: LineCodeKind;
  readonly parent: string;
  readonly childKind?: LineCodeKind;
  readonly children?: readonly string[];
}

/** Codes voided (reject, unconfirmed print): ObjectEvent DELETE, `decommissioning`, disposition `inactive`. */
export interface DecommissioningFact {
  readonly type: 'decommissioning';
  readonly time: number;
  readonly kind: LineCodeKind;
  readonly codes: readonly string[];
}

/** Items scrapped: ObjectEvent DELETE, `destroying`, disposition `destroyed`. */
export interface DestroyingFact {
  readonly type: 'destroying';
  readonly time: number;
  readonly kind: LineCodeKind;
  readonly codes: readonly string[];
}

/** A non-destructive QA check: ObjectEvent OBSERVE, `inspecting`, `conformant` / `non_conformant`. */
export interface InspectingFact {
  readonly type: 'inspecting';
  readonly time: number;
  readonly kind: LineCodeKind;
  readonly codes: readonly string[];
  readonly conformant: boolean;
}

/**
 * A destructive sample pulled for the lab: ObjectEvent OBSERVE, `sampling`. CBV 2.0 says a sampled item SHALL
 * later get an end-of-life event: the station follows it with a `destroying` fact.
 */
export interface SamplingFact {
  readonly type: 'sampling';
  readonly time: number;
  readonly kind: LineCodeKind;
  readonly codes: readonly string[];
}

/**
 * Inner ↔ outer codes of the same item (同级关联, DESIGN.md §1): AssociationEvent ADD, bizStep `assembling`,
 * parentID = the outer (visible) code, childEPCs = the inner (secret) code(s). CBV has no bizStep for "two
 * identifiers of one object"; `assembling` is the association step GS1's own examples use, and an
 * AssociationEvent keeps the pair out of the packaging hierarchy (an AggregationEvent would make the cap its
 * own parent's child and break "one code, one parent" at headquarters).
 */
export interface PairingFact {
  readonly type: 'pairing';
  readonly time: number;
  readonly outerKind: LineCodeKind;
  readonly outer: string;
  readonly innerKind: LineCodeKind;
  readonly inner: readonly string[];
}

/** One code of a warehouse fact, with its kind (an epcList may mix a pallet and its cases). */
export interface KindedCode {
  readonly kind: LineCodeKind;
  readonly code: string;
}

/** A source or destination (EPCIS 2.0 §7.3.5.4; CBV 2.0 §8.4 types owning_party, possessing_party, location). */
export interface PartyRef {
  readonly type: 'owning_party' | 'possessing_party' | 'location';
  /** A URI: PGLN / SGLN (EPC URN or Digital Link) or a brand URI for a party without a GLN. */
  readonly id: string;
}

/** A business transaction (CBV 2.0 §8.5): the dispatch order as despatch advice or purchase order. */
export interface BizTransactionRef {
  readonly type: 'desadv' | 'po';
  /** A URI naming the document, e.g. `urn:epcglobal:cbv:bt:<GLN>:<id>` or a brand URI. */
  readonly id: string;
}

/**
 * What every warehouse fact shares: where it happened (the warehouse, as bizLocation; it overrides the context's,
 * which names the plant or line) and who owns the goods before and after.
 */
interface WarehouseFactBase {
  readonly time: number;
  readonly items: readonly KindedCode[];
  readonly bizLocation: string;
  readonly sources: readonly PartyRef[];
  readonly destinations: readonly PartyRef[];
  readonly bizTransactions: readonly BizTransactionRef[];
}

/** Goods leaving for a dealer (出库): ObjectEvent OBSERVE, bizStep `shipping`, disposition `in_transit`. */
export interface ShippingFact extends WarehouseFactBase {
  readonly type: 'shipping';
}

/** Goods coming back from a dealer (退货): ObjectEvent OBSERVE, bizStep `receiving`, disposition `returned`. */
export interface ReceivingFact extends WarehouseFactBase {
  readonly type: 'receiving';
}

/**
 * Stock moved into another warehouse (移库): ObjectEvent OBSERVE, bizStep `storing`, disposition
 * `sellable_not_accessible` (in storage, not yet on sale), sourceList/destinationList the two locations.
 */
export interface StoringFact extends WarehouseFactBase {
  readonly type: 'storing';
}

export type LineFact =
  | CommissioningFact
  | PackingFact
  | UnpackingFact
  | DecommissioningFact
  | DestroyingFact
  | InspectingFact
  | SamplingFact
  | PairingFact
  | ShippingFact
  | ReceivingFact
  | StoringFact;

export type LineFactType = LineFact['type'];
