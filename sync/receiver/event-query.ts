/**
 * `GET /events` parameters (EPCIS 2.0 REST binding, SimpleEventQuery subset, issue 14 §2) → an `EventQuery`, and
 * the opaque `nextPageToken` (EPCIS 2.0 §12.4: the next page is the same URL with `nextPageToken`, named by a
 * `Link: <…>; rel="next"` header). The token carries the keyset window (after, upTo) and a digest of the query,
 * so a token used with other parameters is refused. Identifier values are canonicalised like stored ones, so URN
 * and Digital Link forms match alike. MATCH_ values are exact identifiers (no `idpat` wildcards).
 */
import { createHash } from 'node:crypto';
import { canonicalIdentifier } from '../epcis/canonical-identifier.ts';
import { bareBizStep, bareDisposition } from './prepare-event.ts';
import type { EventQuery, PageWindow } from './storage-port.ts';

export const DEFAULT_PER_PAGE = 1_000;
export const MAX_PER_PAGE = 10_000;

export class QueryParameterError extends Error {}

const LISTS = ['EQ_bizStep', 'EQ_disposition', 'MATCH_epc', 'MATCH_anyEPC', 'MATCH_parentID', 'EQ_bizLocation', 'EQ_readPoint', 'EQ_epc'] as const;
const KNOWN = new Set<string>([...LISTS, 'GE_eventTime', 'LT_eventTime', 'perPage', 'nextPageToken']);

export interface ParsedQuery {
  readonly query: EventQuery;
  readonly perPage: number;
  /** The window of a follow-up page, null for a first page. */
  readonly window: PageWindow | null;
  /** Digest of the filter parameters (what a token is bound to). */
  readonly digest: string;
}

function time(name: string, v: string | null): number | undefined {
  if (v === null) return undefined;
  const t = Date.parse(v);
  if (!Number.isFinite(t)) throw new QueryParameterError(`${name} 应为 ISO 8601 时间，收到 ${v} (${name} must be an ISO 8601 time)`);
  return t;
}

export function parseEventQuery(params: URLSearchParams): ParsedQuery {
  for (const k of params.keys()) if (!KNOWN.has(k)) throw new QueryParameterError(`不支持的查询参数 ${k} (unsupported query parameter)`);
  const list = (name: (typeof LISTS)[number], norm: (v: string) => string): string[] | undefined => {
    const values = params.getAll(name).flatMap((v) => v.split('|')).map((v) => v.trim()).filter((v) => v !== '');
    return values.length === 0 ? undefined : [...new Set(values.map(norm))].sort();
  };
  const id = (v: string): string => canonicalIdentifier(v);
  const legacy = list('EQ_epc', id); // the reference receiver's first query: any role, like MATCH_anyEPC
  const any = list('MATCH_anyEPC', id);
  const query: EventQuery = Object.fromEntries(Object.entries({
    bizStep: list('EQ_bizStep', bareBizStep),
    disposition: list('EQ_disposition', bareDisposition),
    matchEpc: list('MATCH_epc', id),
    matchAnyEpc: any ?? legacy,
    matchParentID: list('MATCH_parentID', id),
    bizLocation: list('EQ_bizLocation', id),
    readPoint: list('EQ_readPoint', id),
    geEventTime: time('GE_eventTime', params.get('GE_eventTime')),
    ltEventTime: time('LT_eventTime', params.get('LT_eventTime')),
  }).filter(([, v]) => v !== undefined)) as EventQuery;
  const raw = params.get('perPage');
  const perPage = raw === null ? DEFAULT_PER_PAGE : Number(raw);
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) throw new QueryParameterError(`perPage 应为 1–${MAX_PER_PAGE}，收到 ${raw ?? ''} (perPage must be 1–${MAX_PER_PAGE})`);
  const digest = createHash('sha256').update(JSON.stringify(query)).digest('base64url').slice(0, 16);
  const token = params.get('nextPageToken');
  return { query, perPage, window: token === null ? null : decodeToken(token, digest), digest };
}

export function encodeToken(window: PageWindow, digest: string): string {
  return Buffer.from(JSON.stringify({ v: 1, a: window.after, u: window.upTo, q: digest })).toString('base64url');
}

function decodeToken(token: string, digest: string): PageWindow {
  let t: unknown;
  try { t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')); } catch { t = null; }
  const o = t as { v?: unknown; a?: unknown; u?: unknown; q?: unknown } | null;
  if (o === null || typeof o !== 'object' || o.v !== 1 || !Number.isSafeInteger(o.a) || !Number.isSafeInteger(o.u)) {
    throw new QueryParameterError('nextPageToken 无效 (invalid nextPageToken)');
  }
  if (o.q !== digest) throw new QueryParameterError('nextPageToken 属于另一组查询参数 (nextPageToken belongs to other query parameters)');
  return { after: o.a as number, upTo: o.u as number };
}
