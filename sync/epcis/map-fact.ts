/**
 * Line fact → EPCIS 2.0 event (standards.md §1.3 recipe table; CBV 2.0 §7.2 bizSteps, §7.3 dispositions).
 * Pure and deterministic: the same fact and context always give the same event, hence the same hash ID.
 */
import { SyncError } from '../errors.ts';
import type { EpcisContext } from './epcis-context.ts';
import type { EpcisAction, EpcisEvent, EpcisEventType } from './epcis-event.ts';
import { identifierFor } from './identifier.ts';
import { LINE_CODE_KINDS, type LineCodeKind, type LineFact, type PartyRef, type ShippingFact } from './line-fact.ts';

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

function invalid(fact: LineFact, field: string, why: string): never {
  throw new SyncError('INVALID_EVENT', `${fact.type} 事实的 ${field} 无效: ${why} (invalid ${fact.type} fact field ${field}: ${why})`);
}

/** Epoch ms → local RFC 3339 time with the offset, e.g. `2025-03-01T08:00:00.000+08:00`. */
export function localEventTime(ms: number, offset: string): string {
  const sign = offset.startsWith('-') ? -1 : 1;
  const minutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  return `${new Date(ms + minutes * 60_000).toISOString().slice(0, -1)}${offset}`;
}

function ids(fact: LineFact, ctx: EpcisContext, kind: LineCodeKind, codes: readonly string[] | undefined, field: string): string[] {
  if (!Array.isArray(codes) || codes.length === 0) invalid(fact, field, '至少需要一个码 (needs at least one code)');
  const out = codes.map((c) => identifierFor(ctx.identifiers, kind, c));
  if (new Set(out).size !== out.length) invalid(fact, field, '含重复码 (contains duplicate codes)');
  return out;
}

function date(fact: LineFact, field: string, value: string | undefined): string | undefined {
  if (value !== undefined && !DATE.test(value)) invalid(fact, field, `应为 YYYY-MM-DD，收到 "${value}" (must be YYYY-MM-DD)`);
  return value;
}

function head(fact: LineFact, ctx: EpcisContext, type: EpcisEventType): { type: EpcisEventType; eventTime: string; eventTimeZoneOffset: string } {
  if (typeof fact.time !== 'number' || !Number.isFinite(fact.time) || fact.time < 0) invalid(fact, 'time', '应为毫秒时间戳 (must be epoch milliseconds)');
  return { type, eventTime: localEventTime(fact.time, ctx.timeZoneOffset), eventTimeZoneOffset: ctx.timeZoneOffset };
}

function where(ctx: EpcisContext): Pick<EpcisEvent, 'readPoint' | 'bizLocation'> {
  return {
    ...(ctx.readPoint === undefined ? {} : { readPoint: { id: ctx.readPoint } }),
    ...(ctx.bizLocation === undefined ? {} : { bizLocation: { id: ctx.bizLocation } }),
  };
}

function objectEvent(fact: LineFact & { kind: LineCodeKind; codes: readonly string[] }, ctx: EpcisContext, action: EpcisAction, bizStep: string, disposition?: string): EpcisEvent {
  return {
    ...head(fact, ctx, 'ObjectEvent'),
    epcList: ids(fact, ctx, fact.kind, fact.codes, 'codes'),
    action,
    bizStep,
    ...(disposition === undefined ? {} : { disposition }),
    ...where(ctx),
  };
}

const URI = /^[a-z][a-z0-9+.-]*:\S+$/i;

function uri(fact: LineFact, field: string, value: unknown): string {
  if (typeof value !== 'string' || !URI.test(value)) invalid(fact, field, `应为 URI，收到 ${JSON.stringify(value)} (must be a URI)`);
  return value;
}

/**
 * A warehouse fact (shipping, receiving, storing): one ObjectEvent OBSERVE over the pallet and case EPCs, at the
 * warehouse (readPoint and bizLocation both the warehouse: the context's name the line and plant), with the business transaction,
 * sources and destinations (EPCIS 2.0 §7.3.5.3–4, CBV 2.0 §8.4–8.5).
 */
function warehouseEvent(fact: LineFact & WarehouseFields, ctx: EpcisContext, bizStep: string, disposition: string): EpcisEvent {
  const h = head(fact, ctx, 'ObjectEvent');
  if (!Array.isArray(fact.items) || fact.items.length === 0) invalid(fact, 'items', '至少需要一个码 (needs at least one code)');
  const epcList = fact.items.map((item, i) => {
    if (!(LINE_CODE_KINDS as readonly string[]).includes(item.kind)) invalid(fact, `items[${i}].kind`, '未知码类 (unknown code kind)');
    return identifierFor(ctx.identifiers, item.kind, item.code);
  });
  if (new Set(epcList).size !== epcList.length) invalid(fact, 'items', '含重复码 (contains duplicate codes)');
  const bizTransactionList = fact.bizTransactions.map((t, i) => {
    if (t.type !== 'desadv' && t.type !== 'po') invalid(fact, `bizTransactions[${i}].type`, '应为 desadv 或 po (must be desadv or po)');
    return { type: t.type, bizTransaction: uri(fact, `bizTransactions[${i}].id`, t.id) };
  });
  const party = (list: readonly PartyRef[], field: string): PartyRef[] => list.map((p, i) => {
    if (p.type !== 'owning_party' && p.type !== 'possessing_party' && p.type !== 'location') invalid(fact, `${field}[${i}].type`, '应为 owning_party、possessing_party 或 location');
    return { type: p.type, id: uri(fact, `${field}[${i}].id`, p.id) };
  });
  const sources = party(fact.sources, 'sources');
  const destinations = party(fact.destinations, 'destinations');
  const location = uri(fact, 'bizLocation', fact.bizLocation);
  return {
    ...h,
    epcList,
    action: 'OBSERVE',
    bizStep,
    disposition,
    readPoint: { id: location },
    bizLocation: { id: location },
    ...(bizTransactionList.length === 0 ? {} : { bizTransactionList }),
    ...(sources.length === 0 ? {} : { sourceList: sources.map((p) => ({ type: p.type, source: p.id })) }),
    ...(destinations.length === 0 ? {} : { destinationList: destinations.map((p) => ({ type: p.type, destination: p.id })) }),
  };
}

type WarehouseFields = Pick<ShippingFact, 'items' | 'bizLocation' | 'sources' | 'destinations' | 'bizTransactions' | 'time'>;

/** Maps one fact; throws INVALID_EVENT naming the field (codes of secret kinds masked). */
export function mapFact(fact: LineFact, ctx: EpcisContext): EpcisEvent {
  switch (fact.type) {
    case 'commissioning': {
      const ilmd: Record<string, string> = {};
      if (fact.lot !== undefined) {
        if (typeof fact.lot !== 'string' || !/^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$/.test(fact.lot)) invalid(fact, 'lot', '批号须为 1–20 个 GS1 字符 (lot must be 1–20 GS1 CSET 82 characters)');
        ilmd['cbvmda:lotNumber'] = fact.lot;
      }
      const expiry = date(fact, 'expiryDate', fact.expiryDate);
      if (expiry !== undefined) ilmd['cbvmda:itemExpirationDate'] = expiry;
      const bestBefore = date(fact, 'bestBeforeDate', fact.bestBeforeDate);
      if (bestBefore !== undefined) ilmd['cbvmda:bestBeforeDate'] = bestBefore;
      const produced = date(fact, 'productionDate', fact.productionDate);
      if (produced !== undefined && ctx.ilmdNamespace !== undefined) ilmd[`${ctx.ilmdNamespace.prefix}:productionDate`] = produced;
      const event = objectEvent(fact, ctx, 'ADD', 'commissioning', 'active');
      return Object.keys(ilmd).length === 0 ? event : { ...event, ilmd };
    }
    case 'decommissioning': return objectEvent(fact, ctx, 'DELETE', 'decommissioning', 'inactive');
    case 'destroying': return objectEvent(fact, ctx, 'DELETE', 'destroying', 'destroyed');
    case 'inspecting': return objectEvent(fact, ctx, 'OBSERVE', 'inspecting', fact.conformant ? 'conformant' : 'non_conformant');
    case 'sampling': return objectEvent(fact, ctx, 'OBSERVE', 'sampling');
    case 'packing': {
      const h = head(fact, ctx, 'AggregationEvent');
      const parentID = ids(fact, ctx, fact.parentKind, [fact.parent], 'parent')[0] ?? invalid(fact, 'parent', '缺少 (missing)');
      const childEPCs = ids(fact, ctx, fact.childKind, fact.children, 'children');
      if (childEPCs.includes(parentID)) invalid(fact, 'children', '父码不能是自己的子码 (a parent cannot contain itself)');
      return { ...h, parentID, childEPCs, action: 'ADD', bizStep: 'packing', ...where(ctx) };
    }
    case 'unpacking': {
      const h = head(fact, ctx, 'AggregationEvent');
      const parentID = ids(fact, ctx, fact.parentKind, [fact.parent], 'parent')[0] ?? invalid(fact, 'parent', '缺少 (missing)');
      if (fact.children === undefined) return { ...h, parentID, action: 'DELETE', bizStep: 'unpacking', ...where(ctx) };
      if (fact.childKind === undefined) invalid(fact, 'childKind', '有 children 时必填 (required with children)');
      const childEPCs = ids(fact, ctx, fact.childKind, fact.children, 'children');
      return { ...h, parentID, childEPCs, action: 'DELETE', bizStep: 'unpacking', ...where(ctx) };
    }
    case 'pairing': {
      const h = head(fact, ctx, 'AssociationEvent');
      const parentID = ids(fact, ctx, fact.outerKind, [fact.outer], 'outer')[0] ?? invalid(fact, 'outer', '缺少 (missing)');
      const childEPCs = ids(fact, ctx, fact.innerKind, fact.inner, 'inner');
      return { ...h, parentID, childEPCs, action: 'ADD', bizStep: 'assembling', ...where(ctx) };
    }
    case 'shipping': return warehouseEvent(fact, ctx, 'shipping', 'in_transit');
    case 'receiving': return warehouseEvent(fact, ctx, 'receiving', 'returned');
    case 'storing': return warehouseEvent(fact, ctx, 'storing', 'sellable_not_accessible');
    default: {
      const unknown: never = fact;
      throw new SyncError('INVALID_EVENT', `未知事实类型 ${JSON.stringify((unknown as { type?: unknown }).type)} (unknown fact type)`);
    }
  }
}
