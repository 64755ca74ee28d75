/**
 * Pieces both storage adapters share for `GET /epcs/{epc}` and the HQ page's site list. Pure.
 */
import type { FreshEvent } from './detect-conflicts.ts';
import { eventFacts } from './prepare-event.ts';
import type { EpcState } from './storage-port.ts';

/** Parent chain depth and children listed by `GET /epcs/{epc}` (pallet ⊃ case ⊃ box ⊃ bottle is 3 deep). */
export const MAX_DEPTH = 8;
export const MAX_CHILDREN = 1_000;

/** The state answer from the latest event mentioning the code and the packaging rows. */
export function epcStateOf(
  epc: string, eventCount: number, lastBody: string | undefined,
  commissioned: { body: string | null; site: string | null } | undefined,
  parents: readonly string[], children: readonly string[],
): EpcState {
  let lastEvent: EpcState['lastEvent'] = null;
  if (lastBody !== undefined) {
    const e = JSON.parse(lastBody) as Record<string, unknown>;
    const f = eventFacts(e);
    lastEvent = {
      eventID: String(e['eventID'] ?? ''), type: f.type, action: f.action, bizStep: f.bizStep, disposition: f.disposition,
      eventTime: String(e['eventTime'] ?? ''), readPoint: f.readPoint, bizLocation: f.bizLocation,
    };
  }
  const commissionedBy = commissioned === undefined ? null : {
    eventID: commissioned.body === null ? '' : String((JSON.parse(commissioned.body) as Record<string, unknown>)['eventID'] ?? ''),
    site: commissioned.site,
  };
  return { epc, commissioned: commissionedBy, eventCount, lastEvent, parents, children };
}

/** Per site of a capture's new events: how many and the latest event time. */
export function siteActivity(fresh: readonly FreshEvent[]): Map<string, { events: number; lastEventTime: number }> {
  const out = new Map<string, { events: number; lastEventTime: number }>();
  for (const e of fresh) {
    const site = e.f.site ?? '';
    const a = out.get(site);
    if (a === undefined) out.set(site, { events: 1, lastEventTime: e.f.eventTime });
    else { a.events += 1; if (e.f.eventTime > a.lastEventTime) a.lastEventTime = e.f.eventTime; }
  }
  return out;
}
