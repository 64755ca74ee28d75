import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedLine, TEST_EPCIS, type LineMaterial } from './batch-line-fixture.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { startApi, type RunningApi } from '../../edge/api/index.ts';
import { devicesFromConfig } from '../../edge/devices/devices-from-config.ts';
import { openStore, type Store } from '../../edge/store/open.ts';
import { addUser } from '../../edge/store/users.ts';
import { PRINTER_EMULATORS, type PrinterEmulator } from '../../printers/index.ts';
import { CodeFeed, createKeyenceEmulator, type ReaderEmulator } from '../../scanners/index.ts';

/**
 * The IT screen's device test button (issue 6 §2) over real HTTP: `POST /api/devices/{id}/test` against a ZPL
 * printer emulator and a Keyence reader emulator on 127.0.0.1, configured through the API's `devices` option
 * exactly as `wuma api` builds them from the station config.
 */

interface Reply { status: number; text: string; json: any }

function post(port: number, path: string, headers: Record<string, string>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, agent: false, headers: { host: `127.0.0.1:${port}`, connection: 'close', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try { json = JSON.parse(text); } catch { json = null; }
        resolve({ status: res.statusCode ?? 0, text, json });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

let dir: TempDir;
let store: Store;
let api: RunningApi;
let printer: PrinterEmulator;
let reader: ReaderEmulator;
let m: LineMaterial;
let it1: Record<string, string>;
let op1: Record<string, string>;

const READ_CODE = 'N7K2ABCDEFGHJKLMQ9';

beforeEach(async () => {
  dir = makeTempDir('wuma-api-device-test-');
  store = openStore(dir.file('wuma.db'), { checkpointer: false });
  m = seedLine(store.db, { cases: 2, spareCaps: 0, palletCodes: 1 });
  addUser(store.db, { id: 'it1', name: 'IT', role: 'it', pin: '975310' }, 'admin');
  addUser(store.db, { id: 'op1', name: 'OP', role: 'operator', pin: '135792' }, 'admin');
  printer = PRINTER_EMULATORS.zpl({ printMs: 5 });
  const printerAt = await printer.listenTcp('127.0.0.1', 0);
  reader = await createKeyenceEmulator({ endpoint: { kind: 'tcp-listen', host: '127.0.0.1', port: 0 }, feed: new CodeFeed([[READ_CODE], []]), readDelayMs: 2 }).start();
  const devices = devicesFromConfig({
    pallet: {
      reader: { driver: 'keyence', tcp: `127.0.0.1:${reader.port}` },
      printer: { driver: 'zpl', tcp: `127.0.0.1:${printerAt.port}` },
      // Nothing listens here: the test must fail as a value, not throw.
      verifier: { driver: 'keyence', tcp: '127.0.0.1:1' },
    },
  });
  api = await startApi({ store, epcis: TEST_EPCIS, devices });
  const auth = { authorization: `Bearer ${api.token}` };
  const login = async (userId: string, pin: string): Promise<Record<string, string>> => {
    const body = Buffer.from(JSON.stringify({ method: 'pin', userId, pin }));
    const r = await new Promise<Reply>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: api.port, method: 'POST', path: '/api/session/login', agent: false, headers: { host: `127.0.0.1:${api.port}`, connection: 'close', 'content-type': 'application/json', 'content-length': String(body.length), ...auth } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => { const text = Buffer.concat(chunks).toString('utf8'); resolve({ status: res.statusCode ?? 0, text, json: JSON.parse(text) }); });
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(r.status, r.text).toBe(200);
    return { ...auth, 'x-wuma-session': r.json.sessionId as string };
  };
  it1 = await login('it1', '975310');
  op1 = await login('op1', '135792');
});

afterEach(async () => {
  await api?.close();
  await Promise.all([printer?.close(), reader?.stop()]);
  await store.close();
  dir.remove();
});

describe('POST /api/devices/{deviceId}/test', () => {
  it('prints exactly one marked test code on a printer, never a code from the database, and reports its confirmation', async () => {
    const codes = (): unknown => store.db.prepare('SELECT code, status, batch_id FROM codes ORDER BY code').all();
    const before = codes();
    const r = await post(api.port, '/api/devices/pallet.printer/test', it1);
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({ kind: 'printed', deviceId: 'pallet.printer', testCode: expect.stringMatching(/^WUMA-TEST-\d{12}$/) });
    expect(printer.printed.map((p) => p.code)).toEqual([r.json.testCode]);
    expect(store.db.prepare('SELECT count(*) FROM codes WHERE code = ?').pluck().get(r.json.testCode)).toBe(0);
    // No code of the database was taken or touched.
    expect(codes()).toEqual(before);
    expect(printer.printed.map((p) => p.code)).not.toContain(m.palletCodes[0]);
  });

  it('reports a printer refusal as rejected with its reason', async () => {
    printer.faults.headOpen = true;
    const r = await post(api.port, '/api/devices/pallet.printer/test', it1);
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({ kind: 'rejected', deviceId: 'pallet.printer', testCode: expect.stringMatching(/^WUMA-TEST-/), reason: 'faulted' });
    expect(printer.printed).toEqual([]);
  });

  it('triggers one read on a reader and returns the codes masked; a no-read is a value too', async () => {
    const r = await post(api.port, '/api/devices/pallet.reader/test', it1);
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({ kind: 'read', deviceId: 'pallet.reader', codes: [{ text: 'N7K2…Q9' }] });
    expect(r.text).not.toContain(READ_CODE);
    const none = await post(api.port, '/api/devices/pallet.reader/test', it1);
    expect(none.json).toMatchObject({ kind: 'no-read', deviceId: 'pallet.reader', cause: 'reader' });
  });

  it('an unreachable device fails as a value; an unknown device is 404; an operator may not test', async () => {
    const r = await post(api.port, '/api/devices/pallet.verifier/test', it1);
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({ kind: 'failed', deviceId: 'pallet.verifier', code: expect.any(String), reason: expect.any(String) });
    expect((await post(api.port, '/api/devices/nope/test', it1)).json.code).toBe('NOT_FOUND');
    const refused = await post(api.port, '/api/devices/pallet.printer/test', op1);
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe('FORBIDDEN');
    expect(printer.printed).toEqual([]);
  });
});
