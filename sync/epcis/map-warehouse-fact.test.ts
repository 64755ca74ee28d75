import { describe, expect, it } from 'vitest';
import { parseEpcisContext } from './epcis-context.ts';
import { eventHashId } from './event-hash.ts';
import { freezeEvent } from './freeze-event.ts';
import type { LineFact, ReceivingFact, ShippingFact, StoringFact } from './line-fact.ts';
import { mapFact } from './map-fact.ts';
import { validateEventInDocument } from './validate.ts';

/** The warehouse facts (issue 13 §3): shipping, receiving (returns) and storing (moves) as EPCIS 2.0 ObjectEvents. */
const ctx = parseEpcisContext({
  readPoint: 'urn:epc:id:sgln:0614141.00777.1',
  identifiers: { gs1Form: 'epc-urn', companyPrefixLength: 7, gs1Keys: { pallet: 'sscc' }, uriTemplate: 'https://c.brand.example/{kind}/{code}' },
});
const T = Date.UTC(2025, 2, 1);
const PALLET = '106141412345678908';
const WH = 'urn:epc:id:sgln:0614141.00888.0';
const BRAND = 'urn:epc:id:pgln:0614141.00001';
const DEALER = 'https://id.gs1.org/417/0614141000418';

const shipping: ShippingFact = {
  type: 'shipping', time: T, items: [{ kind: 'pallet', code: PALLET }, { kind: 'case-outer', code: 'CASE-1' }, { kind: 'case-outer', code: 'CASE-2' }],
  bizLocation: WH, sources: [{ type: 'owning_party', id: BRAND }, { type: 'location', id: WH }], destinations: [{ type: 'owning_party', id: DEALER }],
  bizTransactions: [{ type: 'desadv', id: 'https://c.brand.example/order/O-1' }],
};
const receiving: ReceivingFact = { ...shipping, type: 'receiving', items: [{ kind: 'case-outer', code: 'CASE-1' }], sources: [{ type: 'owning_party', id: DEALER }], destinations: [{ type: 'owning_party', id: BRAND }, { type: 'location', id: WH }] };
const storing: StoringFact = { ...shipping, type: 'storing', sources: [{ type: 'location', id: WH }], destinations: [{ type: 'location', id: 'urn:epc:id:sgln:0614141.00999.0' }], bizTransactions: [] };

describe('warehouse facts → EPCIS 2.0', () => {
  it('shipping: OBSERVE, shipping, in_transit, the warehouse as readPoint and bizLocation, sources, destinations and the order', () => {
    const e = mapFact(shipping, ctx);
    expect(e).toEqual({
      type: 'ObjectEvent', eventTime: '2025-03-01T08:00:00.000+08:00', eventTimeZoneOffset: '+08:00',
      epcList: ['urn:epc:id:sscc:0614141.1234567890', 'https://c.brand.example/case-outer/CASE-1', 'https://c.brand.example/case-outer/CASE-2'],
      action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', readPoint: { id: WH }, bizLocation: { id: WH },
      bizTransactionList: [{ type: 'desadv', bizTransaction: 'https://c.brand.example/order/O-1' }],
      sourceList: [{ type: 'owning_party', source: BRAND }, { type: 'location', source: WH }],
      destinationList: [{ type: 'owning_party', destination: DEALER }],
    });
    expect(validateEventInDocument(e)).toEqual({ ok: true });
  });

  it('receiving and storing validate; storing has no bizTransactionList when there is none', () => {
    const r = mapFact(receiving, ctx);
    expect(r).toMatchObject({ bizStep: 'receiving', disposition: 'returned', action: 'OBSERVE' });
    expect(validateEventInDocument(r)).toEqual({ ok: true });
    const s = mapFact(storing, ctx);
    expect(s).toMatchObject({ bizStep: 'storing', disposition: 'sellable_not_accessible' });
    expect(s.bizTransactionList).toBeUndefined();
    expect(validateEventInDocument(s)).toEqual({ ok: true });
  });

  it('hashes sources, destinations and the transaction: a different dealer is a different event; the frozen body rehashes to its ID', () => {
    const a = freezeEvent(mapFact(shipping, ctx));
    const b = freezeEvent(mapFact({ ...shipping, destinations: [{ type: 'owning_party', id: 'https://c.brand.example/dealer/D-2' }] }, ctx));
    const c = freezeEvent(mapFact({ ...shipping, bizTransactions: [{ type: 'po', id: 'https://c.brand.example/order/O-1' }] }, ctx));
    expect(new Set([a.eventID, b.eventID, c.eventID]).size).toBe(3);
    expect(eventHashId(JSON.parse(a.body) as Record<string, unknown>)).toBe(a.eventID);
  });

  it('refuses bad warehouse facts naming the field', () => {
    expect(() => mapFact({ ...shipping, items: [] } as LineFact, ctx)).toThrow(/items/);
    expect(() => mapFact({ ...shipping, items: [{ kind: 'case-outer', code: 'X' }, { kind: 'case-outer', code: 'X' }] } as LineFact, ctx)).toThrow(/duplicate/);
    expect(() => mapFact({ ...shipping, bizLocation: 'not a uri' } as LineFact, ctx)).toThrow(/bizLocation/);
    expect(() => mapFact({ ...shipping, destinations: [{ type: 'owner', id: DEALER }] } as unknown as LineFact, ctx)).toThrow(/destinations\[0\]\.type/);
    expect(() => mapFact({ ...shipping, bizTransactions: [{ type: 'inv', id: 'https://x.example/1' }] } as unknown as LineFact, ctx)).toThrow(/bizTransactions\[0\]\.type/);
  });
});
