/**
 * Line fact → EPCIS 2.0 event (standards.md §1.3 recipe table; CBV 2.0 §7.2 bizSteps, §7.3 dispositions).
 * Pure and deterministic: the same fact and context always give the same event, hence the same hash ID.
 */
import { SyncError } from '../errors.ts';
import type { EpcisContext } from './epcis-context.ts';
import type { EpcisAction, EpcisEvent, EpcisEventType } from './epcis-event.ts';
import { identifierFor } from './identifier.ts';
import type { LineCodeKind, LineFact } from './line-fact.ts';

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
    default: {
      const unknown: never = fact;
      throw new SyncError('INVALID_EVENT', `未知事实类型 ${JSON.stringify((unknown as { type?: unknown }).type)} (unknown fact type)`);
    }
  }
}
