/**
 * The stations of the HQ bench (bench/hq.ts): who each one is (site → line → station as readPoint /
 * bizLocation), what it produces, and a builder that writes its outbox the way a station does.
 *
 * Run as a child process it builds one station database:
 *   node bench/support/hq-station.ts --out FILE --station I --events N [--mix station|single]
 *
 * Mix `station` (default) is what `edge/store/case-commit.ts` and `pallet-commit.ts` freeze for every case and
 * pallet: commissioning of the 12 cap-outer codes (one event), of their 12 cap-inner codes, of the case-outer and
 * of the case-inner code, then the packing of the case (parent case-outer, children the 12 caps); after every
 * 70 cases the pallet's commissioning and its packing (70 cases). Mix `single` is bench/sync.ts's one
 * cap-outer commissioning per event (for comparison with the sync bench). Bodies and eventIDs come from the real
 * mapping and hash (`freezeEvent(mapFact(…))`) and are appended with the station's own `appendOutbox`, so the
 * senders (`wuma sync`) ship exactly what a station would.
 */
import { parseArgs } from 'node:util';
import { appendOutbox } from '../../edge/store/outbox.ts';
import { openStore } from '../../edge/store/open.ts';
import { parseEpcisContext, type EpcisContext } from '../../sync/epcis/epcis-context.ts';
import { freezeEvent } from '../../sync/epcis/freeze-event.ts';
import type { LineFact } from '../../sync/epcis/line-fact.ts';
import { mapFact } from '../../sync/epcis/map-fact.ts';

export type HqMix = 'station' | 'single';

export const URI_TEMPLATE = 'https://c.brand.example/{kind}/{code}';
export const UNITS_PER_CASE = 12;
export const CASES_PER_PALLET = 70;
/** Event times start here (in the past, so no clock-skew conflict); one case every 2 s per station. */
export const T0 = Date.parse('2026-11-01T00:00:00Z');

export interface StationProfile {
  readonly index: number;
  /** Factory number (1-based): 2 factories. */
  readonly site: number;
  /** Line within the factory (1-based): 2 lines each. */
  readonly line: number;
  /** Station on the line (1-based): 2 each. */
  readonly station: number;
  readonly readPoint: string;
  readonly bizLocation: string;
  /** First letter of every code of this station (codes never collide across stations). */
  readonly prefix: string;
}

export function stationProfile(index: number): StationProfile {
  const site = Math.floor(index / 4) + 1;
  const line = Math.floor((index % 4) / 2) + 1;
  const station = (index % 2) + 1;
  return {
    index, site, line, station,
    readPoint: `urn:epc:id:sgln:6901234.${String(site).padStart(5, '0')}.L${line}-S${station}`,
    bizLocation: `urn:epc:id:sgln:6901234.${String(site).padStart(5, '0')}.0`,
    prefix: String.fromCharCode(65 + (index % 26)) + (index >= 26 ? String(Math.floor(index / 26)) : ''),
  };
}

export function stationContext(p: StationProfile): EpcisContext {
  return parseEpcisContext({ readPoint: p.readPoint, bizLocation: p.bizLocation, identifiers: { uriTemplate: URI_TEMPLATE } });
}

const seq = (n: number): string => n.toString(36).toUpperCase().padStart(8, '0');
/** The n-th cap-outer code of a station (n counts from 0 over all its cases). */
export const capOuter = (p: StationProfile, n: number): string => `${p.prefix}O${seq(n)}`;
export const capInner = (p: StationProfile, n: number): string => `${p.prefix}I${seq(n)}`;
export const caseOuter = (p: StationProfile, n: number): string => `${p.prefix}C${seq(n)}`;
export const caseInner = (p: StationProfile, n: number): string => `${p.prefix}D${seq(n)}`;
export const palletCode = (p: StationProfile, n: number): string => `${p.prefix}P${seq(n)}`;
/** A code as headquarters indexes it (canonical identifier: the private URI, unchanged). */
export const identifierOf = (kind: string, code: string): string => URI_TEMPLATE.replace('{kind}', kind).replace('{code}', code);

/** The line facts of a station in order, `events` of them (the last case may be cut short by the count). */
export function* stationFacts(p: StationProfile, events: number, mix: HqMix): Generator<LineFact> {
  let emitted = 0;
  if (mix === 'single') {
    for (let i = 0; i < events; i += 1) yield { type: 'commissioning', time: T0 + i, kind: 'cap-outer', codes: [capOuter(p, i)], lot: 'L2611' };
    return;
  }
  const cases: string[] = [];
  for (let c = 0; emitted < events; c += 1) {
    const time = T0 + c * 2000;
    const outer = Array.from({ length: UNITS_PER_CASE }, (_, j) => capOuter(p, c * UNITS_PER_CASE + j));
    const inner = Array.from({ length: UNITS_PER_CASE }, (_, j) => capInner(p, c * UNITS_PER_CASE + j));
    const facts: LineFact[] = [
      { type: 'commissioning', time, kind: 'cap-outer', codes: outer, lot: 'L2611' },
      { type: 'commissioning', time, kind: 'cap-inner', codes: inner, lot: 'L2611' },
      { type: 'commissioning', time, kind: 'case-outer', codes: [caseOuter(p, c)], lot: 'L2611' },
      { type: 'commissioning', time, kind: 'case-inner', codes: [caseInner(p, c)], lot: 'L2611' },
      { type: 'packing', time, parentKind: 'case-outer', parent: caseOuter(p, c), childKind: 'cap-outer', children: outer },
    ];
    cases.push(caseOuter(p, c));
    if (cases.length === CASES_PER_PALLET) {
      const pallet = palletCode(p, Math.floor(c / CASES_PER_PALLET));
      facts.push({ type: 'commissioning', time: time + 1000, kind: 'pallet', codes: [pallet], lot: 'L2611' });
      facts.push({ type: 'packing', time: time + 1000, parentKind: 'pallet', parent: pallet, childKind: 'case-outer', children: [...cases] });
      cases.length = 0;
    }
    for (const f of facts) {
      if (emitted === events) return;
      emitted += 1;
      yield f;
    }
  }
}

/** Builds one station database with `events` outbox rows (big transactions, then a WAL checkpoint). */
export async function buildStation(out: string, index: number, events: number, mix: HqMix): Promise<void> {
  const p = stationProfile(index);
  const ctx = stationContext(p);
  const store = openStore(out, { checkpointer: false, cacheMiB: 128 });
  const facts = stationFacts(p, events, mix);
  const at = new Date(T0).toISOString();
  for (let done = false; !done;) {
    store.db.transaction(() => {
      for (let i = 0; i < 20_000; i += 1) {
        const next = facts.next();
        if (next.done === true) { done = true; return; }
        appendOutbox(store.db, freezeEvent(mapFact(next.value, ctx)), { batchId: 1, at });
      }
    })();
  }
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  await store.close();
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, station: { type: 'string' }, events: { type: 'string' }, mix: { type: 'string', default: 'station' } } });
  const events = Number(values.events);
  const index = Number(values.station);
  if (values.out === undefined || !Number.isSafeInteger(events) || events < 1 || !Number.isSafeInteger(index) || index < 0 || (values.mix !== 'station' && values.mix !== 'single')) {
    console.error('用法 (usage): node bench/support/hq-station.ts --out FILE --station I --events N [--mix station|single]');
    process.exit(2);
  }
  await buildStation(values.out, index, events, values.mix);
}
