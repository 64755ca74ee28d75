/**
 * The warehouse's EPCIS events reach the reference receiver through the existing sender (issue 13 §3): shipping,
 * unpacking, receiving (returns) and storing (moves), frozen in the station's outbox with the line's own
 * commissioning/packing events, sent by Sender over real HTTP on 127.0.0.1, stored without a rejection or a
 * conflict, and indexed: GET /events?EQ_bizStep=shipping and GET /epcs/{case} answer with the warehouse's events.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assembleCaptureDocument, Sender, startReceiver, type EpcState, type RunningReceiver } from '../../sync/index.ts';
import { openStore, type Store } from '../../edge/store/open.ts';
import { SqliteOutbox } from '../../edge/store/outbox.ts';
import { makeStock, setUpWarehouse, TEST_EPCIS } from '../../edge/warehouse/test-stock.ts';
import { Warehouse } from '../../edge/warehouse/index.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

let dir: TempDir;
let store: Store;
let receiver: RunningReceiver;

beforeEach(async () => {
  dir = makeTempDir('wuma-warehouse-hq-');
  store = openStore(dir.file('station.db'), { checkpointer: false });
  receiver = await startReceiver({ port: 0, dbPath: dir.file('hq.db') });
});

afterEach(async () => {
  await receiver.close();
  await store.close();
  dir.remove();
});

async function query(qs: string): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${receiver.url}/events?${qs}`);
  expect(res.status).toBe(200);
  const doc = (await res.json()) as { epcisBody: { queryResults: { resultsBody: { eventList: Record<string, unknown>[] } } } };
  return doc.epcisBody.queryResults.resultsBody.eventList;
}

describe('warehouse events at the reference receiver', () => {
  it('sends shipping, unpacking, receiving and storing events; the receiver stores and indexes them without conflicts', async () => {
    const w = new Warehouse(store.db, { epcis: TEST_EPCIS });
    setUpWarehouse(store.db, w);
    const a = makeStock(store.db, { pallets: 2, casesPerPallet: 3, loose: 1, line: 'A1', lot: 'LA' });
    w.createOrder({ id: 'O-HQ-1', dealerId: 'D-EAST', warehouseId: 'WH-A', documentType: 'po', lines: [{ productId: a.material.productId, quantity: 7 }] }, 'it1');
    const [p0, p1] = a.pallets;
    const single = p1?.cases[0] ?? '';
    expect(w.scan('O-HQ-1', p0?.code ?? '', { user: 'wh1' }).kind).toBe('ok');
    expect(w.scan('O-HQ-1', single, { user: 'wh1' })).toMatchObject({ kind: 'ok', unpackedFrom: p1?.code });
    expect(w.scan('O-HQ-1', a.loose[0] ?? '', { user: 'wh1' }).kind).toBe('ok');
    w.receiveReturn(a.loose[0] ?? '', { actor: 'wh1', reason: '破损' });
    w.move(p1?.code ?? '', 'WH-B', { actor: 'wh1' });
    const outbox = new SqliteOutbox(store.db);
    const pending = outbox.counts().pending;

    const summary = await new Sender({ outbox, url: receiver.url, assemble: assembleCaptureDocument(), backoff: { baseMs: 10, maxMs: 100 }, jobPollMs: { min: 2, max: 50 } })
      .run({ once: true, signal: AbortSignal.timeout(60_000) });
    expect(summary).toMatchObject({ confirmed: pending });
    expect(outbox.counts()).toEqual({ pending: 0, confirmed: pending, quarantined: 0 });
    expect(receiver.store.eventCount()).toBe(pending);
    const conflicts = (await (await fetch(`${receiver.url}/conflicts`)).json()) as { count: number };
    expect(conflicts.count).toBe(0);

    const shipping = await query('EQ_bizStep=shipping');
    expect(shipping).toHaveLength(3);
    expect(shipping[0]).toMatchObject({
      disposition: 'in_transit', bizTransactionList: [{ type: 'po', bizTransaction: 'https://c.wuma.example/order/O-HQ-1' }],
      destinationList: [{ type: 'owning_party', destination: 'https://id.gs1.org/417/0614141000418' }],
    });
    expect(await query('EQ_bizStep=receiving&EQ_disposition=returned')).toHaveLength(1);
    expect(await query('EQ_bizStep=unpacking')).toHaveLength(1);
    expect(await query('EQ_bizStep=storing')).toHaveLength(1);
    expect(await query(`EQ_bizLocation=${encodeURIComponent('urn:epc:id:sgln:0614141.00888.0')}`)).toHaveLength(4);

    const epc = (code: string): string => `https://c.wuma.example/case-outer/${code}`;
    const state = async (code: string): Promise<EpcState> => (await (await fetch(`${receiver.url}/epcs/${encodeURIComponent(epc(code))}`)).json()) as EpcState;
    const shippedCase = await state(p0?.cases[0] ?? '');
    expect(shippedCase.lastEvent).toMatchObject({ bizStep: 'shipping', disposition: 'in_transit', action: 'OBSERVE' });
    expect(shippedCase.parents).toEqual([`https://c.wuma.example/pallet/${p0?.code ?? ''}`]);
    // The single case left its pallet before shipping: no parent at headquarters either.
    const broken = await state(single);
    expect(broken.parents).toEqual([]);
    expect(broken.lastEvent?.bizStep).toBe('shipping');
    expect((await state(a.loose[0] ?? '')).lastEvent).toMatchObject({ bizStep: 'receiving', disposition: 'returned' });
  });
});
