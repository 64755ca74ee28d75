import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SyncError } from '../errors.ts';
import { canonicalIdentifier } from './canonical-identifier.ts';
import { captureDocument } from './capture-document.ts';
import { parseEpcisContext, type EpcisContext } from './epcis-context.ts';
import { eventHashId } from './event-hash.ts';
import { freezeEvent } from './freeze-event.ts';
import { identifierFor } from './identifier.ts';
import type { LineFact, LineFactType } from './line-fact.ts';
import { localEventTime, mapFact } from './map-fact.ts';
import { validateDocument, validateEventInDocument } from './validate.ts';

const STANDARDS = join(import.meta.dirname, '../../../shared/standards');
const GOLDEN = join(import.meta.dirname, '../../test/fixtures/epcis/line-document.golden.jsonld');

const urnContext: EpcisContext = parseEpcisContext({
  readPoint: 'urn:epc:id:sgln:0614141.00777.1',
  bizLocation: 'urn:epc:id:sgln:0614141.00777.0',
  identifiers: {
    gs1Form: 'epc-urn',
    companyPrefixLength: 7,
    gs1Keys: { 'cap-outer': 'sgtin', pallet: 'sscc' },
    uriTemplate: 'https://c.brand.example/{kind}/{code}',
  },
  ilmdNamespace: { prefix: 'wuma', uri: 'https://c.brand.example/ns/' },
});

const T = Date.UTC(2025, 2, 1, 0, 0, 0); // 2025-03-01 08:00 +08:00
const BOTTLES = ['0180614141123458216789', '(01)80614141123458(21)6790'];
const PALLET = '106141412345678908';
const CASE = 'CASE7Q2K9M4X';
const CAP_INNER = 'N7K2W8D4R6T1Y3Q9';

/**
 * One fact of every line type: the test below asserts the list covers the whole union but the warehouse facts,
 * which map-warehouse-fact.test.ts covers (they keep the golden line document as it was).
 */
type LineStationFactType = Exclude<LineFactType, 'shipping' | 'receiving' | 'storing'>;
const FACTS: Readonly<Record<LineStationFactType, LineFact>> = {
  commissioning: { type: 'commissioning', time: T, kind: 'cap-outer', codes: BOTTLES, lot: 'L20250301A', expiryDate: '2026-03-01', productionDate: '2025-03-01' },
  packing: { type: 'packing', time: T + 1000, parentKind: 'case-outer', parent: CASE, childKind: 'cap-outer', children: BOTTLES },
  unpacking: { type: 'unpacking', time: T + 2000, parentKind: 'case-outer', parent: CASE, childKind: 'cap-outer', children: [BOTTLES[0] ?? ''] },
  decommissioning: { type: 'decommissioning', time: T + 3000, kind: 'cap-outer', codes: [BOTTLES[0] ?? ''] },
  destroying: { type: 'destroying', time: T + 4000, kind: 'case-outer', codes: [CASE] },
  inspecting: { type: 'inspecting', time: T + 5000, kind: 'pallet', codes: [PALLET], conformant: false },
  sampling: { type: 'sampling', time: T + 6000, kind: 'cap-outer', codes: [BOTTLES[1] ?? ''] },
  pairing: { type: 'pairing', time: T + 7000, outerKind: 'cap-outer', outer: BOTTLES[1] ?? '', innerKind: 'cap-inner', inner: [CAP_INNER] },
};

describe('identifiers', () => {
  it('renders GS1 keys as EPC URNs that canonicalise to the same Digital Link as the DL form (standards.md §2.1)', () => {
    const ids = urnContext.identifiers;
    expect(identifierFor(ids, 'cap-outer', '0180614141123458216789')).toBe('urn:epc:id:sgtin:0614141.812345.6789');
    expect(identifierFor(ids, 'pallet', PALLET)).toBe('urn:epc:id:sscc:0614141.1234567890');
    const dl = { ...ids, gs1Form: 'digital-link' as const };
    expect(identifierFor(dl, 'cap-outer', '0180614141123458216789')).toBe('https://id.gs1.org/01/80614141123458/21/6789');
    expect(canonicalIdentifier(identifierFor(ids, 'pallet', PALLET))).toBe(identifierFor(dl, 'pallet', PALLET));
    expect(identifierFor(ids, 'case-outer', 'A B'.replace(' ', '/'))).toBe('https://c.brand.example/case-outer/A%2FB');
  });

  it('rejects bad GS1 keys with INVALID_EVENT and never shows a secret code in full', () => {
    expect(() => identifierFor(urnContext.identifiers, 'pallet', '106141412345678907')).toThrow(/check digit/);
    const secret = { ...urnContext.identifiers, gs1Keys: { 'cap-inner': 'sscc' as const } };
    try {
      identifierFor(secret, 'cap-inner', CAP_INNER);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SyncError);
      expect((error as SyncError).code).toBe('INVALID_EVENT');
      expect((error as Error).message).not.toContain(CAP_INNER);
      expect((error as Error).message).toContain('N7K2…Q9');
    }
  });
});

describe('parseEpcisContext', () => {
  it('names the bad field path and value', () => {
    expect(() => parseEpcisContext({ identifiers: { uriTemplate: 'https://x.example/{kind}' } })).toThrow(/epcis\.identifiers\.uriTemplate/);
    expect(() => parseEpcisContext({ timeZoneOffset: '+8', identifiers: { uriTemplate: 'https://x.example/{code}' } })).toThrow(/epcis\.timeZoneOffset.*"\+8"/);
    expect(() => parseEpcisContext({ identifiers: { gs1Keys: { pallet: 'sscc' }, uriTemplate: 'https://x.example/{code}' } })).toThrow(/companyPrefixLength/);
    expect(parseEpcisContext({ identifiers: { uriTemplate: 'https://x.example/{code}' } }).timeZoneOffset).toBe('+08:00');
  });
});

describe('mapFact', () => {
  it('covers every fact type', () => {
    const types: LineStationFactType[] = ['commissioning', 'packing', 'unpacking', 'decommissioning', 'destroying', 'inspecting', 'sampling', 'pairing'];
    expect(Object.keys(FACTS).sort()).toEqual([...types].sort());
  });

  for (const [type, fact] of Object.entries(FACTS)) {
    it(`${type}: validates against the ratified schema and our rules`, () => {
      const event = mapFact(fact, urnContext);
      expect(validateEventInDocument(event)).toEqual({ ok: true });
      expect(event.eventTimeZoneOffset).toBe('+08:00');
      expect(event.readPoint).toEqual({ id: 'urn:epc:id:sgln:0614141.00777.1' });
    });
  }

  it('follows the CBV recipe of each step (standards.md §1.3)', () => {
    const c = mapFact(FACTS.commissioning, urnContext);
    expect(c).toMatchObject({ type: 'ObjectEvent', action: 'ADD', bizStep: 'commissioning', disposition: 'active', eventTime: '2025-03-01T08:00:00.000+08:00' });
    expect(c.ilmd).toEqual({ 'cbvmda:lotNumber': 'L20250301A', 'cbvmda:itemExpirationDate': '2026-03-01', 'wuma:productionDate': '2025-03-01' });
    expect(mapFact(FACTS.packing, urnContext)).toMatchObject({ type: 'AggregationEvent', action: 'ADD', bizStep: 'packing', parentID: 'https://c.brand.example/case-outer/CASE7Q2K9M4X' });
    expect(mapFact({ type: 'unpacking', time: T, parentKind: 'pallet', parent: PALLET }, urnContext)).toMatchObject({ action: 'DELETE', bizStep: 'unpacking', parentID: 'urn:epc:id:sscc:0614141.1234567890' });
    expect(mapFact(FACTS.decommissioning, urnContext)).toMatchObject({ action: 'DELETE', bizStep: 'decommissioning', disposition: 'inactive' });
    expect(mapFact(FACTS.destroying, urnContext)).toMatchObject({ action: 'DELETE', bizStep: 'destroying', disposition: 'destroyed' });
    expect(mapFact(FACTS.inspecting, urnContext)).toMatchObject({ action: 'OBSERVE', bizStep: 'inspecting', disposition: 'non_conformant' });
    expect(mapFact(FACTS.pairing, urnContext)).toMatchObject({ type: 'AssociationEvent', action: 'ADD', parentID: 'urn:epc:id:sgtin:0614141.812345.6790', childEPCs: [`https://c.brand.example/cap-inner/${CAP_INNER}`] });
  });

  it('rejects bad facts naming the field', () => {
    expect(() => mapFact({ ...FACTS.packing, children: [] } as LineFact, urnContext)).toThrow(/children/);
    expect(() => mapFact({ ...FACTS.commissioning, expiryDate: '2026-3-1' } as LineFact, urnContext)).toThrow(/expiryDate.*2026-3-1/);
    expect(() => mapFact({ ...FACTS.commissioning, codes: [BOTTLES[0] ?? '', BOTTLES[0] ?? ''] } as LineFact, urnContext)).toThrow(/duplicate/);
    expect(() => mapFact({ ...FACTS.destroying, time: Number.NaN } as LineFact, urnContext)).toThrow(/time/);
  });

  it('formats local times with the configured offset', () => {
    expect(localEventTime(T, '+08:00')).toBe('2025-03-01T08:00:00.000+08:00');
    expect(localEventTime(T, '-05:30')).toBe('2025-02-28T18:30:00.000-05:30');
  });
});

describe('freezeEvent and captureDocument', () => {
  const prefixes = { wuma: 'https://c.brand.example/ns/' };

  it('puts the hash ID into the frozen body and is deterministic', () => {
    const event = mapFact(FACTS.commissioning, urnContext);
    const a = freezeEvent(event, { prefixes });
    const b = freezeEvent(mapFact(FACTS.commissioning, urnContext), { prefixes });
    expect(a).toEqual(b);
    expect(a.eventType).toBe('ObjectEvent');
    const parsed = JSON.parse(a.body) as Record<string, unknown>;
    expect(parsed['eventID']).toBe(a.eventID);
    // Rehashing the frozen body (eventID is not hashed) gives the same ID: the receiver can verify it.
    expect(eventHashId(parsed, { prefixes })).toBe(a.eventID);
    expect(freezeEvent(event, { prefixes, cbvVersion: '2.1' }).eventID).toBe(a.eventID.replace('CBV2.0', 'CBV2.1'));
  });

  it('refuses an event that breaks our own rules (AggregationEvent ADD without parentID)', () => {
    const bad = { ...mapFact(FACTS.packing, urnContext), parentID: undefined };
    expect(() => freezeEvent(bad)).toThrow(/parentID/);
  });

  it('builds a schema-valid document from the bodies verbatim (golden file)', () => {
    const bodies = Object.values(FACTS).map((f) => freezeEvent(mapFact(f, urnContext), { prefixes }).body);
    const doc = captureDocument(bodies, { creationDate: T + 60_000, prefixes });
    for (const body of bodies) expect(doc).toContain(body);
    expect(validateDocument(JSON.parse(doc))).toEqual({ ok: true });
    if (process.env['WUMA_UPDATE_GOLDEN'] === '1' || !existsSync(GOLDEN)) writeFileSync(GOLDEN, `${doc}\n`);
    expect(`${doc}\n`).toBe(readFileSync(GOLDEN, 'utf8'));
  });
});

describe('validateDocument against the GS1 and OpenEPCIS corpora (standards.md §1.7)', () => {
  const gs1 = join(STANDARDS, 'gs1-epcis/JSON');
  const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.jsonld') ? [join(dir, d.name)] : []));

  it('accepts all 47 GS1 examples (schema + our rules)', () => {
    const all = files(gs1);
    expect(all.length).toBe(47);
    for (const f of all) {
      const doc = JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;
      if (doc['type'] !== 'EPCISDocument' && doc['type'] !== 'EPCISQueryDocument') continue;
      expect(validateDocument(doc), f).toEqual({ ok: true });
    }
  });

  it('rejects every OpenEPCIS Invalid capture document', () => {
    const dir = join(STANDARDS, 'openepcis-test-resources/2.0/EPCIS/JSON/Capture/Invalid');
    const invalid = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(invalid.length).toBeGreaterThan(10);
    for (const f of invalid) expect(validateDocument(JSON.parse(readFileSync(join(dir, f), 'utf8'))).ok, f).toBe(false);
  });
});
