/**
 * The receiver storage conformance suite (issue 14 "the same conformance suite passes on both adapters"): one set
 * of cases, run over real HTTP against two receivers sharing one store — two receivers on one PostgreSQL
 * database, or two on one SQLite file in one process (WAL, IMMEDIATE transactions). Each case gets a fresh store.
 * Events come from the real mapping + freeze (mapFact, freezeEvent) at two sites (two readPoints).
 */
import { describe, expect, it } from 'vitest';
import { captureDocument } from '../epcis/capture-document.ts';
import { parseEpcisContext } from '../epcis/epcis-context.ts';
import { freezeEvent } from '../epcis/freeze-event.ts';
import type { LineFact } from '../epcis/line-fact.ts';
import { mapFact } from '../epcis/map-fact.ts';
import type { CaptureJobResult } from './capture-job.ts';
import type { RunningHqReceiver } from './start-receiver.ts';
import type { EpcState } from './storage-port.ts';

export interface ReceiverPair {
  readonly a: RunningHqReceiver;
  readonly b: RunningHqReceiver;
}

const identifiers = { gs1Form: 'epc-urn', companyPrefixLength: 7, gs1Keys: { 'cap-outer': 'sgtin', pallet: 'sscc' }, uriTemplate: 'https://c.brand.example/{kind}/{code}' } as const;
const SITE_A = 'urn:epc:id:sgln:0614141.00777.1';
const SITE_B = 'urn:epc:id:sgln:0614141.00888.1';
const ctxA = parseEpcisContext({ readPoint: SITE_A, bizLocation: 'urn:epc:id:sgln:0614141.00777.0', identifiers });
const ctxB = parseEpcisContext({ readPoint: SITE_B, bizLocation: 'urn:epc:id:sgln:0614141.00888.0', identifiers });
const T = Date.UTC(2025, 2, 1);
const PALLET = '006141410000000012';
const PALLET_DL = 'https://id.gs1.org/00/006141410000000012';
const GLN_A = 'https://id.gs1.org/414/0614141007776/254/1';
const GLN_B = 'https://id.gs1.org/414/0614141008889/254/1';
export const bottle = (n: number): string => `0180614141123458${'21'}B${String(n).padStart(6, '0')}`;
const bottleUrn = (n: number): string => `urn:epc:id:sgtin:0614141.812345.B${String(n).padStart(6, '0')}`;
const frozen = (fact: LineFact, site: 'A' | 'B' = 'A'): string => freezeEvent(mapFact(fact, site === 'A' ? ctxA : ctxB)).body;
const commission = (from: number, count: number, time = T, site: 'A' | 'B' = 'A'): string =>
  frozen({ type: 'commissioning', time, kind: 'cap-outer', codes: Array.from({ length: count }, (_, i) => bottle(from + i)), lot: 'L1' }, site);
const pack = (parentKind: 'case-outer' | 'pallet', parent: string, childKind: 'cap-outer' | 'case-outer', children: string[], time: number): string =>
  frozen({ type: 'packing', time, parentKind, parent, childKind, children });

async function capture(r: RunningHqReceiver, bodies: readonly string[]): Promise<{ location: string; job: CaptureJobResult }> {
  const res = await fetch(`${r.url}/capture`, { method: 'POST', body: captureDocument(bodies), headers: { 'Content-Type': 'application/ld+json' } });
  expect(res.status).toBe(202);
  const location = res.headers.get('location') ?? '';
  const job = (await (await fetch(`${r.url}${location}`)).json()) as CaptureJobResult;
  return { location, job };
}

interface QueryAnswer { events: { eventID: string; bizStep?: string }[]; next: string | null; status: number }
async function query(r: RunningHqReceiver, qs: string): Promise<QueryAnswer> {
  const res = await fetch(`${r.url}/events?${qs}`);
  if (res.status !== 200) return { events: [], next: null, status: res.status };
  const doc = (await res.json()) as { epcisBody: { queryResults: { resultsBody: { eventList: { eventID: string }[] } } } };
  const link = res.headers.get('link');
  const next = link === null ? null : /^<([^>]+)>; rel="next"$/.exec(link)?.[1] ?? null;
  return { events: doc.epcisBody.queryResults.resultsBody.eventList, next, status: 200 };
}

const idOf = (body: string): string => (JSON.parse(body) as { eventID: string }).eventID;

export function describeReceiverStorage(name: string, open: () => ReceiverPair): void {
  describe(`receiver storage conformance: ${name}`, () => {
    it('stores a resend to either receiver once, and either receiver answers the other\'s capture job', async () => {
      const { a, b } = open();
      const bodies = [commission(1, 3), commission(4, 2)];
      const first = await capture(a, bodies);
      expect(first.job).toMatchObject({ success: true, storedCount: 2, duplicateCount: 0 });
      const again = await capture(b, bodies);
      expect(again.job).toMatchObject({ success: true, storedCount: 0, duplicateCount: 2 });
      expect((await (await fetch(`${b.url}${first.location}`)).json()) as CaptureJobResult).toEqual(first.job);
      expect(await a.storage.eventCount()).toBe(2);
      // The same document into both receivers at once: the unique key, not a process, decides.
      const both = [commission(10, 1), commission(11, 1), commission(12, 1)];
      const [x, y] = await Promise.all([capture(a, both), capture(b, both)]);
      expect(x.job.storedCount + y.job.storedCount).toBe(3);
      expect(x.job.duplicateCount + y.job.duplicateCount).toBe(3);
      expect(await b.storage.eventCount()).toBe(5);
      expect((await fetch(`${a.url}/events/${encodeURIComponent(idOf(both[0] ?? ''))}`)).status).toBe(200);
    });

    it('answers an eventID clash with 409 and stores nothing of a rolled-back capture', async () => {
      const { a, b } = open();
      const body = commission(20, 1);
      await capture(a, [body]);
      const clash = JSON.stringify({ ...(JSON.parse(body) as Record<string, unknown>), recordTime: '2030-01-01T00:00:00Z' });
      const { job } = await capture(b, [commission(21, 1), clash]);
      expect(job.success).toBe(false);
      expect(job.errors.map((e) => e.status)).toEqual([409]);
      expect(job.storedCount).toBe(0);
      expect(await a.storage.eventCount()).toBe(1);
    });

    it('answers the SimpleEventQuery subset the same way', async () => {
      const { a, b } = open();
      await capture(a, [commission(30, 2, T), pack('case-outer', 'CASE-Q', 'cap-outer', [bottle(30), bottle(31)], T + 1000)]);
      await capture(b, [commission(40, 1, T + 2000, 'B'), frozen({ type: 'destroying', time: T + 3000, kind: 'cap-outer', codes: [bottle(40)] }, 'B')]);
      const steps = async (qs: string): Promise<string[]> => (await query(a, qs)).events.map((e) => String(e.bizStep).replace(/^.*[:-]/, ''));
      expect(await steps('')).toEqual(['commissioning', 'packing', 'commissioning', 'destroying']);
      expect(await steps('EQ_bizStep=commissioning')).toEqual(['commissioning', 'commissioning']);
      expect(await steps(`EQ_bizStep=${encodeURIComponent('https://ref.gs1.org/cbv/BizStep-packing')}|destroying`)).toEqual(['packing', 'destroying']);
      expect(await steps(`MATCH_epc=${encodeURIComponent(bottleUrn(30))}`)).toEqual(['commissioning', 'packing']);
      expect(await steps(`MATCH_epc=${encodeURIComponent('https://c.brand.example/case-outer/CASE-Q')}`)).toEqual([]);
      expect(await steps(`MATCH_parentID=${encodeURIComponent('https://c.brand.example/case-outer/CASE-Q')}`)).toEqual(['packing']);
      expect(await steps(`MATCH_anyEPC=${encodeURIComponent('https://c.brand.example/case-outer/CASE-Q')}|${encodeURIComponent(bottleUrn(40))}`)).toEqual(['packing', 'commissioning', 'destroying']);
      expect(await steps(`GE_eventTime=${new Date(T + 1000).toISOString()}&LT_eventTime=${new Date(T + 3000).toISOString()}`)).toEqual(['packing', 'commissioning']);
      expect(await steps(`EQ_readPoint=${encodeURIComponent(SITE_B)}`)).toEqual(['commissioning', 'destroying']);
      expect(await steps(`EQ_bizLocation=${encodeURIComponent('urn:epc:id:sgln:0614141.00777.0')}`)).toEqual(['commissioning', 'packing']);
      expect(await steps('EQ_disposition=destroyed')).toEqual(['destroying']);
      expect(await steps('EQ_bizStep=commissioning&EQ_readPoint=' + encodeURIComponent(SITE_A))).toEqual(['commissioning']);
      expect((await query(b, 'EQ_unknown=1')).status).toBe(400);
      expect((await query(b, 'perPage=0')).status).toBe(400);
      expect((await query(b, 'GE_eventTime=yesterday')).status).toBe(400);
    });

    it('pages with nextPageToken: every event once, in order, none added meanwhile, token bound to its query', async () => {
      const { a, b } = open();
      const bodies = Array.from({ length: 7 }, (_, i) => commission(100 + i, 1, T + i));
      await capture(a, bodies);
      const seen: string[] = [];
      let page = await query(a, 'EQ_bizStep=commissioning&perPage=3');
      const pages = [page.events.length];
      seen.push(...page.events.map((e) => e.eventID));
      await capture(b, [commission(200, 1, T - 1)]); // inserted while paging: not part of this query's snapshot
      while (page.next !== null) {
        const url = new URL(page.next, a.url);
        expect(url.searchParams.get('EQ_bizStep')).toBe('commissioning');
        page = await query(b, url.searchParams.toString());
        pages.push(page.events.length);
        seen.push(...page.events.map((e) => e.eventID));
      }
      expect(pages).toEqual([3, 3, 1]);
      expect(seen).toEqual(bodies.map(idOf));
      const first = await query(a, 'perPage=2');
      const token = new URL(first.next ?? '', a.url).searchParams.get('nextPageToken') ?? '';
      expect((await query(a, `perPage=2&EQ_bizStep=packing&nextPageToken=${token}`)).status).toBe(400);
      expect((await query(a, 'nextPageToken=garbage')).status).toBe(400);
    });

    it('GET /epcs/{epc}: current state, parent chain and children built from the events', async () => {
      const { a, b } = open();
      await capture(a, [commission(300, 2, T), pack('case-outer', 'CASE-S', 'cap-outer', [bottle(300), bottle(301)], T + 1000)]);
      await capture(b, [pack('pallet', PALLET, 'case-outer', ['CASE-S'], T + 2000)]);
      const state = (await (await fetch(`${b.url}/epcs/${encodeURIComponent(bottleUrn(300))}`)).json()) as EpcState;
      expect(state.parents).toEqual(['https://c.brand.example/case-outer/CASE-S', PALLET_DL]);
      expect(state.commissioned?.site).toBe(GLN_A);
      expect(state.eventCount).toBe(2);
      expect(state.lastEvent?.bizStep).toBe('packing');
      const kase = (await (await fetch(`${a.url}/epcs/${encodeURIComponent('https://c.brand.example/case-outer/CASE-S')}`)).json()) as EpcState;
      expect(kase.children).toEqual([bottle(300), bottle(301)].map((_, i) => `https://id.gs1.org/01/80614141123458/21/B00030${i}`));
      expect(kase.parents).toEqual([PALLET_DL]);
      expect((await fetch(`${a.url}/epcs/${encodeURIComponent(bottleUrn(999))}`)).status).toBe(404);
    });

    it('flags conflicts across sites, stores the events, and masks inner codes', async () => {
      const { a, b } = open();
      const inner = 'N7K2W8D4R6T1Y3Q9';
      await capture(a, [commission(400, 3), frozen({ type: 'commissioning', time: T, kind: 'cap-inner', codes: [inner], lot: 'L1' }), pack('case-outer', 'CASE-X', 'cap-outer', [bottle(400), bottle(401)], T + 1000)]);
      const twice = await capture(b, [commission(401, 1, T + 5000, 'B'), frozen({ type: 'commissioning', time: T + 5000, kind: 'cap-inner', codes: [inner], lot: 'L1' }, 'B')]);
      expect(twice.job.conflicts.map((c) => c.kind)).toEqual(['COMMISSIONED_TWICE', 'COMMISSIONED_TWICE']);
      expect(twice.job.conflicts[0]?.detail).toContain(GLN_A);
      const other = await capture(a, [
        pack('case-outer', 'CASE-Y', 'cap-outer', [bottle(401)], T + 6000),
        frozen({ type: 'destroying', time: T + 7000, kind: 'cap-outer', codes: [bottle(499)] }),
        JSON.stringify({ type: 'ObjectEvent', eventTime: new Date(T + 8000).toISOString(), eventTimeZoneOffset: '+08:00', epcList: [bottleUrn(498)], action: 'OBSERVE', bizStep: 'shipping', readPoint: { id: SITE_A } }),
      ]);
      expect(other.job.storedCount).toBe(3);
      expect(other.job.conflicts.map((c) => c.kind).sort()).toEqual(['DOUBLE_PARENT', 'UNKNOWN_CODE', 'UNKNOWN_CODE', 'UNKNOWN_SHIPPED']);
      const future = Date.now() + 3_600_000;
      const skew = await capture(b, [commission(500, 1, future, 'B'), commission(501, 1, future + 1, 'B')]);
      expect(skew.job.conflicts.map((c) => c.kind)).toEqual(['CLOCK_SKEW']);
      expect(skew.job.conflicts[0]?.site).toBe(GLN_B);
      const listed = (await (await fetch(`${a.url}/conflicts`)).json()) as { count: number; conflicts: { kind: string }[] };
      // CASE-X and CASE-Y were never commissioned (UNKNOWN_CODE each) plus the seven above.
      expect(listed.conflicts.map((c) => c.kind).sort()).toEqual(['CLOCK_SKEW', 'COMMISSIONED_TWICE', 'COMMISSIONED_TWICE', 'DOUBLE_PARENT', 'UNKNOWN_CODE', 'UNKNOWN_CODE', 'UNKNOWN_CODE', 'UNKNOWN_SHIPPED']);
      for (const r of [a, b]) {
        expect(JSON.stringify(await (await fetch(`${r.url}/conflicts`)).json())).not.toContain(inner);
        expect(JSON.stringify(await (await fetch(`${r.url}/hq/overview`)).json())).not.toContain(inner);
      }
      expect(JSON.stringify(twice.job)).not.toContain(inner);
    });

    it('flags a code commissioned through both receivers at once exactly once', async () => {
      const { a, b } = open();
      const results = await Promise.all([capture(a, [commission(600, 20, T, 'A')]), capture(b, [commission(600, 20, T + 1, 'B')])]);
      expect(results.map((r) => r.job.storedCount)).toEqual([1, 1]);
      const flagged = results.flatMap((r) => r.job.conflicts.map((c) => c.kind));
      expect(flagged).toEqual(Array.from({ length: 20 }, () => 'COMMISSIONED_TWICE'));
      const sites = (await (await fetch(`${a.url}/hq/overview`)).json()) as { sites: { site: string; events: number }[] };
      expect(sites.sites.map((s) => s.events)).toEqual([1, 1]);
    });
  });
}
