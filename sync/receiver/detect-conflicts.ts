/**
 * The conflicts that only show at headquarters, across sites (issue 14 §3), decided the same way by both storage
 * adapters over a `ConflictLedger` (the SQLite adapter's reads and writes its tables directly inside the ingest
 * transaction; the PostgreSQL adapter's is an in-memory view prefetched for the capture, written back in bulk
 * under the database's unique keys). Conflicts are flagged, never rejected: the event is stored.
 *
 * - COMMISSIONED_TWICE: a code commissioned again by another event (two stations, or one station twice): a leaked
 *   or duplicated code package. A resend of the same event is not one (it is a duplicate, stored once).
 * - DOUBLE_PARENT: a child packed into a second parent while still inside the first.
 * - UNKNOWN_CODE: an event (other than commissioning / pairing) for a code never commissioned or paired here.
 * - UNKNOWN_SHIPPED: the same for a `shipping` event: goods leaving with codes headquarters never saw made.
 * - CLOCK_SKEW: an event time more than `clockSkewMs` after the record time (the station's clock runs ahead).
 *   A late event is not skew (a station may have been offline); one conflict per capture and site, not per event.
 *
 * Order inside a capture: every commissioning and pairing of the capture is applied first, then the events are
 * checked in document order. Inner codes are masked in every `epc` and `detail` (maskIdentifier).
 */
import { maskIdentifier } from '../epcis/mask-secret.ts';
import type { Conflict, ConflictKind } from './capture-job.ts';
import type { Candidate, EventFacts } from './prepare-event.ts';

export interface ConflictLedger {
  /** The site that commissioned `epc` (null when it had none); undefined when never commissioned. */
  commissionedBy(epc: string): string | null | undefined;
  /** Records a commissioning (or, with `pairing`, a pairing) of `epc` by event `row`; false if already known. */
  commission(epc: string, row: number, site: string | null, pairing: boolean): boolean;
  isKnown(epc: string): boolean;
  parentOf(child: string): string | undefined;
  /** Packs `child` into `parent`; false when the child already has a parent. */
  pack(child: string, parent: string): boolean;
  unpack(child: string, parent: string): void;
  unpackAll(parent: string): void;
}

export interface FreshEvent {
  readonly c: Candidate;
  readonly f: EventFacts;
  readonly row: number;
}

/** Default CLOCK_SKEW threshold: 5 minutes ahead of headquarters' clock. */
export const DEFAULT_CLOCK_SKEW_MS = 5 * 60_000;

export function conflict(kind: ConflictKind, c: Candidate, epc: string, detail: string, site: string | null): Conflict {
  return { kind, eventID: c.eventID, epc: maskIdentifier(epc), detail, site };
}

const m = maskIdentifier;
const siteName = (s: string | null | undefined): string => s ?? '未知站点 (unknown site)';

export function doubleCommission(e: FreshEvent, epc: string, first: string | null): Conflict {
  return conflict('COMMISSIONED_TWICE', e.c, epc,
    `码 ${m(epc)} 已由 ${siteName(first)} 赋码，又由 ${siteName(e.f.site)} 赋码：可能是码包泄露或重复 (code commissioned twice: leaked or duplicated code package)`, e.f.site);
}

export function doubleParent(e: FreshEvent, child: string, current: string, parent: string): Conflict {
  return conflict('DOUBLE_PARENT', e.c, child,
    `子码 ${m(child)} 已在父码 ${m(current)} 中，又被装入 ${m(parent)} (child already packed into another parent)`, e.f.site);
}

export function detectConflicts(fresh: readonly FreshEvent[], ledger: ConflictLedger, now: number, clockSkewMs = DEFAULT_CLOCK_SKEW_MS): Conflict[] {
  const out: Conflict[] = [];
  for (const e of fresh) {
    for (const epc of e.f.commissions) {
      const first = ledger.commissionedBy(epc);
      if (first !== undefined || !ledger.commission(epc, e.row, e.f.site, false)) out.push(doubleCommission(e, epc, first ?? null));
    }
    for (const epc of e.f.pairs) ledger.commission(epc, e.row, e.f.site, true);
  }
  const skewed = new Set<string>();
  for (const e of fresh) {
    const ahead = e.f.eventTime - now;
    const siteKey = e.f.site ?? '';
    if (ahead > clockSkewMs && !skewed.has(siteKey)) {
      skewed.add(siteKey);
      const epc = e.f.codes[0]?.[0] ?? '';
      out.push(conflict('CLOCK_SKEW', e.c, epc,
        `${siteName(e.f.site)} 的事件时间比总部记录时间快 ${Math.round(ahead / 1000)} 秒：请校准该站点时钟 (station clock ${Math.round(ahead / 1000)} s ahead of headquarters: set its clock)`, e.f.site));
    }
    for (const epc of e.f.mustKnow) {
      if (ledger.isKnown(epc)) continue;
      out.push(e.f.ships
        ? conflict('UNKNOWN_SHIPPED', e.c, epc, `发货的码 ${m(epc)} 未在此赋码 (shipped code was never commissioned here)`, e.f.site)
        : conflict('UNKNOWN_CODE', e.c, epc, `码 ${m(epc)} 未在此赋码 (code was never commissioned here)`, e.f.site));
    }
    const parent = e.f.parent;
    if (e.f.type !== 'AggregationEvent' || parent === null) continue;
    if (e.f.action === 'ADD') {
      for (const child of e.f.children) {
        if (ledger.pack(child, parent)) continue;
        const current = ledger.parentOf(child);
        if (current !== undefined && current !== parent) out.push(doubleParent(e, child, current, parent));
      }
    } else if (e.f.action === 'DELETE') {
      if (e.f.children.length === 0) ledger.unpackAll(parent);
      else for (const child of e.f.children) ledger.unpack(child, parent);
    }
  }
  return out;
}
