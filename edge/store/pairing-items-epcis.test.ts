import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureDocument, eventHashId, parseEpcisContext, validateDocument, validateEventInDocument, type EpcisContext } from '../../sync/index.ts';
import { seedPairingMaterial, type PairingMaterial } from '../../test/support/pairing-material.ts';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import { checkPair } from '../pairing/check-pair.ts';
import { openStore, type Store } from './open.ts';
import { commitPairingItem, startPairingRun, type PairingDecide, type PairingRun } from './pairing-items.ts';

/**
 * Pairs as EPCIS 2.0 AssociationEvents (issue 15, DESIGN §7): frozen into the outbox in the pair's own transaction,
 * valid against the ratified EPCIS 2.0 JSON schema (standards/gs1-epcis-ratified, sync/epcis/validate.ts).
 */
let dir: TempDir;
let store: Store;
let m: PairingMaterial;
let run: PairingRun;
const T0 = Date.UTC(2026, 2, 1, 0, 0, 0);
const epcis: EpcisContext = parseEpcisContext({
  readPoint: 'urn:epc:id:sgln:0614141.00777.1',
  bizLocation: 'urn:epc:id:sgln:0614141.00777.0',
  identifiers: { uriTemplate: 'https://c.brand.example/{kind}/{code}' },
});

beforeEach(() => {
  dir = makeTempDir();
  store = openStore(dir.file('supplier.db'), { checkpointer: false });
  m = seedPairingMaterial(store.db, { count: 6 });
  run = startPairingRun(store.db, { line: 'P1', innerPackage: m.innerPackage, outerPackage: m.outerPackage, actor: 'op1', at: T0 });
});
afterEach(async () => {
  await store.close();
  dir.remove();
});

function item(inner: string | null, outer: string | null, context: EpcisContext = epcis, decide?: PairingDecide) {
  const sides = { inner: { code: inner, counter: 1 }, outer: { code: outer, counter: 1 } };
  return commitPairingItem(store.db, { runId: run.id, ...sides, at: T0, epcis: context }, decide ?? ((f) => checkPair(sides, f, run)));
}
const outbox = () => store.db.prepare('SELECT id, event_id, event_type, body FROM outbox ORDER BY id').all() as { id: number; event_id: string; event_type: string; body: string }[];

describe('pairing AssociationEvents', () => {
  it('a pair is one AssociationEvent ADD (parentID outer, childEPCs inner), frozen with the pair and valid against the ratified schema', () => {
    const r = item(m.inner[0]!, m.outer[0]!);
    expect(r.verdict).toEqual({ kind: 'pair' });
    const rows = outbox();
    expect(rows).toHaveLength(1);
    expect(r.outboxId).toBe(rows[0]!.id);
    const event = JSON.parse(rows[0]!.body) as Record<string, unknown>;
    expect(event).toMatchObject({
      type: 'AssociationEvent', action: 'ADD', bizStep: 'assembling', eventTime: '2026-03-01T08:00:00.000+08:00', eventTimeZoneOffset: '+08:00',
      parentID: `https://c.brand.example/cap-outer/${m.outer[0]!}`, childEPCs: [`https://c.brand.example/cap-inner/${m.inner[0]!}`],
      readPoint: { id: 'urn:epc:id:sgln:0614141.00777.1' }, bizLocation: { id: 'urn:epc:id:sgln:0614141.00777.0' },
    });
    expect(rows[0]!.event_type).toBe('AssociationEvent');
    expect(validateEventInDocument(event)).toEqual({ ok: true });
    expect(validateDocument(JSON.parse(captureDocument([rows[0]!.body], { creationDate: T0 })))).toEqual({ ok: true });
    // Frozen: the stored eventID is the GS1 event hash of the stored body.
    const { eventID, ...withoutId } = event;
    expect(eventID).toBe(rows[0]!.event_id);
    expect(eventHashId(withoutId)).toBe(rows[0]!.event_id);
  });

  it('waste writes no event; a pair whose transaction rolls back leaves no event either', () => {
    item(null, m.outer[1]!);
    item(m.inner[2]!, 'FOREIGN00001');
    expect(outbox()).toHaveLength(0);
    const racing: PairingDecide = () => {
      store.db.prepare('UPDATE codes SET pair = ? WHERE code = ?').run('RACE', m.outer[3]);
      return { kind: 'pair' };
    };
    expect(() => item(m.inner[3]!, m.outer[3]!, epcis, racing)).toThrow(/已被关联/);
    expect(outbox()).toHaveLength(0);
    expect(store.db.prepare('SELECT count(*) FROM pairing_items').pluck().get()).toBe(2);
  });

  it('an inner code the EPCIS identifiers cannot render refuses the whole pair, and the error masks it', () => {
    // A brand that declared cap-inner codes as SGTINs: our hex inner code is not one.
    const sgtinInner = parseEpcisContext({ identifiers: { gs1Form: 'epc-urn', companyPrefixLength: 7, gs1Keys: { 'cap-inner': 'sgtin' }, uriTemplate: 'https://c.brand.example/{kind}/{code}' } });
    let message = '';
    try {
      item(m.inner[4]!, m.outer[4]!, sgtinInner);
    } catch (error) {
      message = error instanceof Error ? error.message : String(error);
    }
    expect(message).toMatch(/cap-inner.*SGTIN/);
    expect(message).not.toContain(m.inner[4]);
    expect(outbox()).toHaveLength(0);
    expect(store.db.prepare('SELECT count(*) FROM pairing_items').pluck().get()).toBe(0);
    expect(store.db.prepare('SELECT pair FROM codes WHERE code = ?').pluck().get(m.inner[4])).toBeNull();
  });
});
