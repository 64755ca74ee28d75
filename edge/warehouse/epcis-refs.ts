import type { BizTransactionRef, EpcisContext, PartyRef } from '../../sync/index.ts';
import type { Dealer, OrderDocumentType } from './contract.ts';

/**
 * The URIs a warehouse event names besides its codes (EPCIS 2.0 §7.3.5.3–4): the warehouse as bizLocation and
 * source location, the owning parties before (the warehouse's owner, the brand) and after (the dealer), and the
 * order as a business transaction. GS1 keys when configured (an SGLN URN in `warehouses.location`, a dealer's GLN
 * as a Digital Link PGLN `…/417/<GLN>`), otherwise the station's URI template with a kind word (`location`,
 * `party`, `dealer`, `order`), so the same names come out of every event and hash the same way.
 */
export interface WarehouseRefs {
  readonly id: string;
  readonly location: string | null;
  readonly owner: string | null;
}

function template(ctx: EpcisContext, kind: string, id: string): string {
  return ctx.identifiers.uriTemplate.replaceAll('{kind}', kind).replaceAll('{code}', encodeURIComponent(id));
}

export function warehouseLocation(ctx: EpcisContext, w: WarehouseRefs): string {
  return w.location ?? template(ctx, 'location', w.id);
}

export function warehouseOwner(ctx: EpcisContext, w: WarehouseRefs): string {
  return w.owner ?? template(ctx, 'party', w.id);
}

export function dealerParty(ctx: EpcisContext, d: Pick<Dealer, 'id' | 'gln'>): string {
  return d.gln === null ? template(ctx, 'dealer', d.id) : `${ctx.identifiers.digitalLinkBase}/417/${d.gln}`;
}

export function orderTransaction(ctx: EpcisContext, orderId: string, type: OrderDocumentType): BizTransactionRef {
  return { type, id: template(ctx, 'order', orderId) };
}

/** Shipping: from the warehouse (its owner and location) to the dealer (owning party). */
export function shippingParties(ctx: EpcisContext, w: WarehouseRefs, d: Pick<Dealer, 'id' | 'gln'>): { sources: PartyRef[]; destinations: PartyRef[] } {
  return {
    sources: [{ type: 'owning_party', id: warehouseOwner(ctx, w) }, { type: 'location', id: warehouseLocation(ctx, w) }],
    destinations: [{ type: 'owning_party', id: dealerParty(ctx, d) }],
  };
}

/** A return: from the dealer back to the warehouse's owner and location. */
export function returnParties(ctx: EpcisContext, w: WarehouseRefs, d: Pick<Dealer, 'id' | 'gln'>): { sources: PartyRef[]; destinations: PartyRef[] } {
  return {
    sources: [{ type: 'owning_party', id: dealerParty(ctx, d) }],
    destinations: [{ type: 'owning_party', id: warehouseOwner(ctx, w) }, { type: 'location', id: warehouseLocation(ctx, w) }],
  };
}
