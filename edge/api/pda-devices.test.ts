import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import { openStore, type Store } from '../store/open.ts';
import { authorizeCaller, DEVICE_COOKIE, deviceLinkResponse, deviceOfToken, isPdaStaticPath, listPdaDevices, pairPdaDevice, PDA_OPERATIONS, revokePdaDevice } from './pda-devices.ts';
import type { GuardConfig } from './request-guard.ts';

let dir: TempDir;
let store: Store;
const LAUNCH = 'L'.repeat(43);
const guard: GuardConfig = { hostnames: ['127.0.0.1'], port: 1, scheme: 'https', token: LAUNCH };

beforeEach(() => {
  dir = makeTempDir('wuma-pda-');
  store = openStore(dir.file('wuma.db'), { checkpointer: false });
});
afterEach(async () => {
  await store.close();
  dir.remove();
});

const audit = (): { action: string; subject: string; detail: string }[] => store.db.prepare(`SELECT action, subject, detail FROM audit_log WHERE action LIKE 'pda.%' ORDER BY seq`).all() as never;

describe('PDA pairing', () => {
  it('pairs with a fresh 256-bit token that is stored only as a hash, audited without the token', () => {
    const a = pairPdaDevice(store.db, { name: ' 仓库 PDA 1 ', actor: 'it1' });
    const b = pairPdaDevice(store.db, { name: '仓库 PDA 2', actor: 'it1' });
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toBe(b.token);
    expect(a.device).toMatchObject({ name: '仓库 PDA 1', pairedBy: 'it1', revokedAt: null });
    const everything = JSON.stringify(store.db.prepare('SELECT * FROM meta').all()) + JSON.stringify(store.db.prepare('SELECT * FROM audit_log').all());
    expect(everything).not.toContain(a.token);
    expect(everything).not.toContain(b.token);
    expect(audit().map((r) => [r.action, r.subject])).toEqual([['pda.pair', a.device.id], ['pda.pair', b.device.id]]);
    expect(listPdaDevices(store.db).map((d) => d.id).sort()).toEqual([a.device.id, b.device.id].sort());
    expect(deviceOfToken(store.db, a.token)).toEqual({ kind: 'ok', device: a.device });
    expect(deviceOfToken(store.db, `${a.token.slice(0, -1)}${a.token.endsWith('A') ? 'B' : 'A'}`)).toEqual({ kind: 'unknown' });
    expect(deviceOfToken(store.db, 'short')).toEqual({ kind: 'unknown' });
  });

  it('refuses a bad name naming the field, and stores nothing', () => {
    for (const name of ['', '   ', 'x'.repeat(101), 'PDA\u00071']) {
      expect(() => pairPdaDevice(store.db, { name, actor: 'it1' })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringMatching(/^name: /) }));
    }
    expect(listPdaDevices(store.db)).toEqual([]);
    expect(audit()).toEqual([]);
  });

  it('revokes once: the token then opens nothing and says it was revoked; a second revoke or an unknown id is refused', () => {
    const { device, token } = pairPdaDevice(store.db, { name: 'PDA', actor: 'it1' });
    const revoked = revokePdaDevice(store.db, device.id, 'it2');
    expect(revoked).toMatchObject({ id: device.id, revokedBy: 'it2' });
    expect(deviceOfToken(store.db, token).kind).toBe('revoked');
    expect(() => revokePdaDevice(store.db, device.id, 'it2')).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(() => revokePdaDevice(store.db, 'pda-nope', 'it2')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => authorizeCaller(store.db, { cookie: `${DEVICE_COOKIE}=${token}` }, guard, true)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED', message: expect.stringContaining('撤销') }));
    expect(() => deviceLinkResponse(store.db, token, '/pda/', true)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
    expect(audit().map((r) => r.action)).toEqual(['pda.pair', 'pda.revoke']);
  });
});

describe('who may call what', () => {
  it('the launch token opens everything; a device token only what the PDA needs; nothing else opens anything', () => {
    const { device, token } = pairPdaDevice(store.db, { name: 'PDA', actor: 'it1' });
    expect(authorizeCaller(store.db, { authorization: `Bearer ${LAUNCH}` }, guard, false)).toEqual({ kind: 'launch' });
    expect(authorizeCaller(store.db, { cookie: `${DEVICE_COOKIE}=${token}` }, guard, true)).toEqual({ kind: 'device', device });
    expect(authorizeCaller(store.db, { authorization: `Bearer ${token}` }, guard, true)).toEqual({ kind: 'device', device });
    expect(() => authorizeCaller(store.db, { cookie: `${DEVICE_COOKIE}=${token}` }, guard, false)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED', message: expect.stringContaining('出库扫码') }));
    expect(() => authorizeCaller(store.db, {}, guard, true)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
    expect(() => authorizeCaller(store.db, { cookie: `${DEVICE_COOKIE}=${'x'.repeat(43)}` }, guard, true)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
    // Scanning, yes; the line, the IT screen, code packages, rework: no.
    expect([...PDA_OPERATIONS]).toEqual(expect.arrayContaining(['login', 'me', 'logout', 'listOrders', 'getOrder', 'dispatchScan', 'completeOrder']));
    for (const id of ['startBatch', 'importPackage', 'reworkDestroy', 'pairPdaDevice', 'revokePdaDevice', 'listPdaDevices', 'queryCode', 'cancelOrder', 'createOrder', 'recordFinding']) {
      expect(PDA_OPERATIONS.has(id as never), id).toBe(false);
    }
    expect(['/pda/', '/pda/index.html', '/pda/pda-main.ts', '/styles.css', '/edge/api/client.ts'].every(isPdaStaticPath)).toBe(true);
    expect(['/', '/index.html', '/main.ts', '/screens/it.ts', '/pdax/', '/edge/api/start-api.ts'].some(isPdaStaticPath)).toBe(false);
  });

  it('the pairing link becomes an HttpOnly SameSite=Strict cookie (Secure over TLS) and a redirect without the token', () => {
    const { token } = pairPdaDevice(store.db, { name: 'PDA', actor: 'it1' });
    const tls = deviceLinkResponse(store.db, token, '/pda/', true);
    expect(tls.location).toBe('/pda/');
    expect(tls.cookie).toMatch(new RegExp(`^${DEVICE_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=\\d+; Secure$`));
    expect(deviceLinkResponse(store.db, token, '/pda/', false).cookie).not.toContain('Secure');
    expect(() => deviceLinkResponse(store.db, 'y'.repeat(43), '/pda/', true)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
  });
});
