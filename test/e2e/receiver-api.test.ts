/**
 * The reference receiver over real HTTP on 127.0.0.1 (port 0): capture jobs, idempotency by eventID,
 * conflicts, auth, limits, malformed input, simple query. Events are produced by the real mapping + freeze.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureDocument, freezeEvent, mapFact, parseEpcisContext, startReceiver, type CaptureJobResult, type LineFact, type RunningReceiver } from '../../sync/index.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const ctx = parseEpcisContext({
  readPoint: 'urn:epc:id:sgln:0614141.00777.1',
  identifiers: { gs1Form: 'epc-urn', companyPrefixLength: 7, gs1Keys: { 'cap-outer': 'sgtin', pallet: 'sscc' }, uriTemplate: 'https://c.brand.example/{kind}/{code}' },
});
const T = Date.UTC(2025, 2, 1);
const bottle = (n: number): string => `0180614141123458${'21'}B${String(n).padStart(6, '0')}`;
const frozen = (fact: LineFact): string => freezeEvent(mapFact(fact, ctx)).body;

function commission(from: number, count: number, time = T): string {
  return frozen({ type: 'commissioning', time, kind: 'cap-outer', codes: Array.from({ length: count }, (_, i) => bottle(from + i)), lot: 'L1' });
}
function pack(caseCode: string, children: number[], time = T + 1000): string {
  return frozen({ type: 'packing', time, parentKind: 'case-outer', parent: caseCode, childKind: 'cap-outer', children: children.map(bottle) });
}

let dir: TempDir;
let receiver: RunningReceiver;

async function post(path: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${receiver.url}${path}`, { method: 'POST', body, headers: { 'Content-Type': 'application/ld+json', ...headers } });
}

async function captureAndWait(bodies: string[], headers: Record<string, string> = {}): Promise<CaptureJobResult> {
  const res = await post('/capture', captureDocument(bodies), headers);
  expect(res.status).toBe(202);
  const location = res.headers.get('location');
  expect(location).toMatch(/^\/capture\/[0-9a-f-]+$/);
  for (let i = 0; i < 100; i += 1) {
    const job = (await (await fetch(`${receiver.url}${location ?? ''}`)).json()) as CaptureJobResult;
    if (!job.running) return job;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('capture job did not finish');
}

beforeEach(async () => {
  dir = makeTempDir();
  receiver = await startReceiver({ port: 0, dbPath: dir.file('hq.db'), limits: { maxEvents: 50, maxBytes: 200_000 } });
});

afterEach(async () => {
  await receiver.close();
  dir.remove();
});

describe('reference receiver', () => {
  it('advertises capture limits and versions on OPTIONS /capture', async () => {
    const res = await fetch(`${receiver.url}/capture`, { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('gs1-epcis-capture-limit')).toBe('50');
    expect(res.headers.get('gs1-epcis-capture-file-size-limit')).toBe('200000');
    expect(res.headers.get('gs1-epcis-version')).toBe('2.0.0');
  });

  it('stores a capture once however often it is resent (idempotent by eventID)', async () => {
    const caseA = frozen({ type: 'commissioning', time: T, kind: 'case-outer', codes: ['CASE-A'] });
    const bodies = [commission(0, 3), caseA, pack('CASE-A', [0, 1, 2])];
    const first = await captureAndWait(bodies);
    expect(first).toMatchObject({ success: true, running: false, captureErrorBehaviour: 'rollback', eventCount: 3, storedCount: 3, duplicateCount: 0, errors: [], conflicts: [] });
    for (let i = 0; i < 3; i += 1) {
      expect(await captureAndWait(bodies)).toMatchObject({ success: true, storedCount: 0, duplicateCount: 3, conflicts: [] });
    }
    expect(receiver.store.eventCount()).toBe(3);
    const id = (JSON.parse(bodies[2] ?? '{}') as { eventID: string }).eventID;
    const got = await fetch(`${receiver.url}/events/${encodeURIComponent(id)}`);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe(bodies[2]);
  });

  it('rejects invalid events by eventID under rollback (nothing stored) and stores the rest under proceed', async () => {
    const good = [commission(10, 1), commission(11, 1)];
    const noParent = JSON.parse(pack('CASE-B', [10])) as Record<string, unknown>;
    delete noParent['parentID'];
    delete noParent['eventID'];
    const badTime: Record<string, unknown> = { ...(JSON.parse(commission(12, 1)) as Record<string, unknown>), eventTime: 'yesterday' };
    const bodies = [good[0] ?? '', JSON.stringify(noParent), good[1] ?? '', JSON.stringify(badTime)];
    const job = await captureAndWait(bodies);
    expect(job).toMatchObject({ success: false, storedCount: 0, rejectedCount: 2 });
    expect(job.errors.map((e) => e.eventIndex)).toEqual([1, 3]);
    expect(job.errors[0]?.detail).toContain('parentID');
    expect(job.errors[1]?.eventID).toBe(badTime['eventID']);
    expect(job.errors[1]?.instance).toBe('/epcisBody/eventList/3');
    expect(receiver.store.eventCount()).toBe(0);

    const proceed = await captureAndWait(bodies, { 'GS1-Capture-Error-Behaviour': 'proceed' });
    expect(proceed).toMatchObject({ success: false, storedCount: 2, rejectedCount: 2, captureErrorBehaviour: 'proceed' });
    expect(receiver.store.eventCount()).toBe(2);
  });

  it('rejects an event whose hash eventID does not match its content (a changed frozen body)', async () => {
    const tampered = JSON.parse(commission(20, 1)) as Record<string, unknown>;
    tampered['eventTime'] = '2025-03-01T08:00:01.000+08:00';
    const job = await captureAndWait([JSON.stringify(tampered)]);
    expect(job.success).toBe(false);
    expect(job.errors[0]?.detail).toMatch(/does not match the event hash/);
  });

  it('flags a child packed into two parents and events for unknown codes, and stores them', async () => {
    await captureAndWait([commission(30, 2), pack('CASE-C', [30, 31])]);
    const job = await captureAndWait([pack('CASE-D', [31], T + 5000), frozen({ type: 'destroying', time: T + 6000, kind: 'cap-outer', codes: [bottle(99)] })]);
    expect(job.success).toBe(true);
    expect(job.storedCount).toBe(2);
    const kinds = job.conflicts.map((c) => c.kind).sort();
    // CASE-D itself was never commissioned here either (and neither were the cases).
    expect(kinds).toEqual(['DOUBLE_PARENT', 'UNKNOWN_CODE', 'UNKNOWN_CODE']);
    const listed = (await (await fetch(`${receiver.url}/conflicts`)).json()) as { count: number; conflicts: { kind: string; epc: string }[] };
    expect(listed.conflicts.some((c) => c.kind === 'DOUBLE_PARENT' && c.epc === 'https://id.gs1.org/01/80614141123458/21/B000031')).toBe(true);
    expect(listed.count).toBeGreaterThanOrEqual(4); // CASE-C unknown in the first capture + these three
  });

  it('masks cap-inner codes in conflicts', async () => {
    const inner = 'N7K2W8D4R6T1Y3Q9';
    const job = await captureAndWait([frozen({ type: 'decommissioning', time: T, kind: 'cap-inner', codes: [inner] })]);
    expect(job.conflicts[0]?.kind).toBe('UNKNOWN_CODE');
    expect(JSON.stringify(job)).not.toContain(inner);
    expect(JSON.stringify(await (await fetch(`${receiver.url}/conflicts`)).json())).not.toContain(inner);
  });

  it('answers GET /events?EQ_epc= for epcList, childEPCs and parentID, in URN or Digital Link form', async () => {
    const bodies = [commission(40, 2), pack('CASE-E', [40, 41])];
    await captureAndWait(bodies);
    const q = async (epc: string): Promise<unknown[]> => {
      const res = await fetch(`${receiver.url}/events?EQ_epc=${encodeURIComponent(epc)}`);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as { type: string; epcisBody: { queryResults: { resultsBody: { eventList: unknown[] } } } };
      expect(doc.type).toBe('EPCISQueryDocument');
      return doc.epcisBody.queryResults.resultsBody.eventList;
    };
    expect(await q('urn:epc:id:sgtin:0614141.812345.B000040')).toHaveLength(2);
    expect(await q('https://example.com/01/80614141123458/21/B000041')).toHaveLength(2);
    expect(await q('https://c.brand.example/case-outer/CASE-E')).toHaveLength(1);
    expect(await q('urn:epc:id:sgtin:0614141.812345.NOPE')).toHaveLength(0);
    expect((await fetch(`${receiver.url}/events?EQ_nonsense=1`)).status).toBe(400);
  });

  it('POST /events: 201 with Location, identical resend 201, same eventID with other content 409', async () => {
    const event: Record<string, unknown> = { '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'], ...(JSON.parse(commission(50, 1)) as Record<string, unknown>) };
    const first = await post('/events', JSON.stringify(event));
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe(`/events/${encodeURIComponent(String(event['eventID']))}`);
    expect((await post('/events', JSON.stringify(event))).status).toBe(201);
    const clash = { ...event, recordTime: '2030-01-01T00:00:00Z' }; // same hash (recordTime is not hashed), other JSON
    const res = await post('/events', JSON.stringify(clash));
    expect(res.status).toBe(409);
    expect(((await res.json()) as { type: string }).type).toBe('epcisException:ResourceAlreadyExistsException');
    expect(receiver.store.eventCount()).toBe(1);
    expect((await fetch(`${receiver.url}/events/${encodeURIComponent('ni:///sha-256;00?ver=CBV2.0')}`)).status).toBe(404);
  });

  it('answers malformed input with 400 and a reason, and wrong media type with 415', async () => {
    const broken = await post('/capture', '{"type":"EPCISDocument",');
    expect(broken.status).toBe(400);
    expect(broken.headers.get('content-type')).toContain('application/problem+json');
    expect(((await broken.json()) as { title: string }).title).toMatch(/not valid JSON/);
    const notDoc = await post('/capture', JSON.stringify({ type: 'EPCISDocument', schemaVersion: '2.0' }));
    expect(notDoc.status).toBe(400);
    expect(((await notDoc.json()) as { title: string }).title).toMatch(/creationDate|@context|epcisBody/);
    expect((await post('/capture', captureDocument([]), { 'Content-Type': 'text/plain' })).status).toBe(415);
    expect((await post('/capture', captureDocument([]), { 'GS1-EPCIS-Version': '1.2' })).status).toBe(406);
    expect((await fetch(`${receiver.url}/capture/nope`)).status).toBe(404);
  });

  it('answers 413 over the byte limit and over the event limit', async () => {
    const big = await post('/capture', captureDocument([commission(0, 1)]).padEnd(250_000, ' '));
    expect(big.status).toBe(413);
    expect(big.headers.get('gs1-epcis-capture-file-size-limit')).toBe('200000');
    expect(((await big.json()) as { type: string }).type).toBe('epcisException:CaptureLimitExceededException');
    const many = Array.from({ length: 51 }, (_, i) => commission(100 + i, 1));
    const tooMany = await post('/capture', captureDocument(many));
    expect(tooMany.status).toBe(413);
    expect(receiver.store.eventCount()).toBe(0);
  });

  it('reports a running job until a deferred capture is processed', async () => {
    await receiver.close();
    receiver = await startReceiver({ port: 0, dbPath: dir.file('hq.db'), processingDelayMs: 150 });
    const res = await post('/capture', captureDocument([commission(60, 1)]));
    expect(res.status).toBe(202);
    const first = (await (await fetch(`${receiver.url}${res.headers.get('location') ?? ''}`)).json()) as CaptureJobResult;
    expect(first.running).toBe(true);
    const done = await captureAndWait([commission(60, 1)]);
    expect(done.duplicateCount + done.storedCount).toBe(1);
  });
});

describe('reference receiver with a token', () => {
  it('answers 401 without a token, 403 with a wrong one, and accepts the right one', async () => {
    await receiver.close();
    receiver = await startReceiver({ port: 0, dbPath: dir.file('hq.db'), token: 'secret-token-1' });
    const doc = captureDocument([commission(70, 1)]);
    const none = await post('/capture', doc);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/Bearer/);
    expect((await post('/capture', doc, { Authorization: 'Bearer wrong-token-1' })).status).toBe(403);
    expect((await fetch(`${receiver.url}/capture`, { method: 'OPTIONS' })).status).toBe(401);
    expect((await post('/capture', doc, { Authorization: 'Bearer secret-token-1' })).status).toBe(202);
    expect(receiver.store.eventCount()).toBe(1);
  });
});
