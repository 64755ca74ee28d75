import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startApi } from '../../edge/api/index.ts';
import { openStore } from '../../edge/store/open.ts';
import { addUser } from '../../edge/store/users.ts';
import { closeAfterEach } from '../support/close-after-each.ts';
import { makeTempDir } from '../support/temp-dir.ts';
import { launchChromium, scanGun, visibleText } from './support/browser.ts';

/**
 * The renderer's use of the desktop shell's preload bridge (`window.wuma`, desktop/shared/ipc-channels.ts
 * WumaBridge), in Debian's Chromium against the local API serving the renderer. Electron is not here, so an init
 * script puts a fake bridge on the page that records every call (the page cannot tell: contextBridge hands it
 * plain functions too). With the bridge, the IT screen shows the desktop-app panel: edge status (pushed), restart
 * the service after a confirmation, kiosk mode on/off. Without it (a plain browser) the panel is not there.
 */
const SHOTS = fileURLToPath(new URL('../../test-results/renderer-bridge/', import.meta.url));
const KEY_LIKE = /^(it|shell|common|error)\.[A-Za-z0-9.-]+$/;

const keep = closeAfterEach();

/** Local API with one IT user, Chromium, a page (optionally with `init` run before any page script). */
async function itPage(init?: () => void): Promise<Page> {
  const dir = keep(makeTempDir('wuma-renderer-bridge-'), (d) => { d.remove(); });
  const store = keep(openStore(dir.file('wuma.db'), { checkpointer: false }), (s) => s.close());
  addUser(store.db, { id: 'it1', name: '李工', role: 'it', pin: '135790', badge: 'BADGE-IT-0001' }, 'admin');
  const api = keep(await startApi({ store, line: 'A1' }), (a) => a.close());
  const browser = keep(await launchChromium(), (b) => b.close());
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, locale: 'zh-CN' });
  if (init !== undefined) await page.addInitScript(init);
  await page.goto(`${api.url}/?token=${api.token}`);
  const badge = page.getByTestId('badge-input');
  await badge.waitFor({ timeout: 15_000 });
  await badge.focus();
  await scanGun(page, 'BADGE-IT-0001', 2);
  await page.getByTestId('it-devices').waitFor({ timeout: 10_000 });
  return page;
}

/** A fake preload bridge (runs in the page): records calls in `window.__wumaCalls`, keeps the status listener. */
function fakeBridge(): void {
  const w = window as unknown as Record<string, unknown>;
  const calls: unknown[][] = [];
  const listeners: ((s: unknown) => void)[] = [];
  w['__wumaCalls'] = calls;
  w['__wumaPush'] = (s: unknown): void => { for (const l of listeners) l(s); };
  w['wuma'] = Object.freeze({
    getApiToken: async () => { calls.push(['getApiToken']); return 'unused'; },
    getVersion: async () => { calls.push(['getVersion']); return { app: '1.2.3', electron: '30.0.0', chrome: '124', node: '20' }; },
    getEdgeStatus: async () => { calls.push(['getEdgeStatus']); return { kind: 'running', pid: 4242, restarts: 1 }; },
    restartEdge: async () => { calls.push(['restartEdge']); return { kind: 'restarting' }; },
    setKiosk: async (on: boolean) => { calls.push(['setKiosk', on]); return on; },
    onEdgeStatus: (listener: (s: unknown) => void) => {
      calls.push(['onEdgeStatus']);
      listeners.push(listener);
      return () => { calls.push(['unsubscribe']); listeners.splice(listeners.indexOf(listener), 1); };
    },
  });
}

const calls = (page: Page): Promise<unknown[][]> => page.evaluate(() => (window as unknown as { __wumaCalls: unknown[][] }).__wumaCalls);
const names = async (page: Page): Promise<unknown[]> => (await calls(page)).map((c) => c[0]);

describe('renderer and the desktop shell bridge', () => {
  it('inside the shell, the IT screen restarts the service (after a confirmation) and switches kiosk mode through window.wuma', async () => {
    const page = await itPage(fakeBridge);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const panel = page.getByTestId('shell-panel');
    await panel.waitFor({ timeout: 10_000 });
    const status = page.getByTestId('shell-edge-status');
    await expect.poll(() => status.textContent(), { timeout: 5_000 }).toContain('运行中');
    expect(await status.textContent()).toContain('4242');
    expect(await page.getByTestId('shell-version').textContent()).toContain('1.2.3');
    expect(await names(page)).toEqual(expect.arrayContaining(['getEdgeStatus', 'getVersion', 'onEdgeStatus']));

    // Pushed status changes show at once.
    await page.evaluate(() => { (window as unknown as { __wumaPush: (s: unknown) => void }).__wumaPush({ kind: 'backoff', restarts: 2, retryInMs: 4_000, lastExit: 'code 1' }); });
    await expect.poll(() => status.textContent(), { timeout: 5_000 }).toContain('4 秒后重启');

    // Restart: the first tap only asks; cancel sends nothing; confirm calls restartEdge once.
    await page.getByTestId('shell-restart').click();
    await page.getByTestId('shell-restart-cancel').click();
    expect(await names(page)).not.toContain('restartEdge');
    await page.getByTestId('shell-restart').click();
    expect(await page.getByTestId('shell-restart-confirm-box').textContent()).toContain('生产线');
    expect(await page.getByTestId('shell-restart').isDisabled()).toBe(true);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}/it-shell-restart-confirm.png` });
    await page.getByTestId('shell-restart-confirm').click();
    await expect.poll(() => names(page), { timeout: 5_000 }).toContain('restartEdge');
    expect((await names(page)).filter((n) => n === 'restartEdge')).toHaveLength(1);
    await expect.poll(() => page.getByTestId('notice').textContent(), { timeout: 5_000 }).toContain('正在重启服务');

    // Kiosk mode: off, then on; the answered mode is shown.
    await page.getByTestId('shell-kiosk-off').click();
    await expect.poll(() => page.getByTestId('shell-kiosk-state').textContent(), { timeout: 5_000 }).toContain('已退出');
    await page.getByTestId('shell-kiosk-on').click();
    await expect.poll(() => page.getByTestId('shell-kiosk-state').textContent(), { timeout: 5_000 }).toContain('已开启');
    expect((await calls(page)).filter((c) => c[0] === 'setKiosk')).toEqual([['setKiosk', false], ['setKiosk', true]]);

    const text = await visibleText(page);
    expect(text.split('\n').map((s) => s.trim()).filter((s) => KEY_LIKE.test(s))).toEqual([]);

    // Leaving the IT screen drops the status subscription.
    await page.getByTestId('tab-operator').click();
    await expect.poll(() => names(page), { timeout: 5_000 }).toContain('unsubscribe');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('in a plain browser (no window.wuma) the IT screen has no restart or kiosk control', async () => {
    const page = await itPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.getByTestId('it-batches').waitFor({ timeout: 10_000 });
    expect(await page.evaluate(() => 'wuma' in window)).toBe(false);
    expect(await page.getByTestId('shell-panel').count()).toBe(0);
    expect(await page.getByTestId('shell-restart').count()).toBe(0);
    expect(await page.getByTestId('shell-kiosk-off').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
