import { describe, expect, it } from 'vitest';
import { startStationApi } from '../../edge/main.ts';
import { addUser } from '../../edge/store/users.ts';
import { capsOfCase } from './batch-line-fixture.ts';
import { closeAfterEach } from '../support/close-after-each.ts';
import { startTestLine } from './station-fixture.ts';
import { launchChromium, scanGun } from './support/browser.ts';

/**
 * The operator's 提前结束本垛 in Chromium against a station on loopback (station-fixture.ts) serving the renderer:
 * a short pallet needs a reason, so the button asks for one (the reason dialog, no PIN) and sends it along; the
 * reason lands in the audit log. Cancelling sends nothing.
 */

const keep = closeAfterEach();

describe('operator screen, end pallet', () => {
  it('asks for the reason of a short pallet (no PIN), sends it, and the pallet is committed with it; cancel sends nothing', async () => {
    const line = keep(await startTestLine(), (l) => l.close());
    addUser(line.station.store.db, { id: 'op1', name: '王师傅', role: 'operator', pin: '246810', badge: 'BADGE-OP-0001' }, 'admin');
    const api = keep(await startStationApi(line.station, { port: 0 }), (a) => a.close());
    const m = line.material;
    line.startBatch();
    for (let i = 0; i < 2; i += 1) {
      await line.runCase(capsOfCase(m, i), m.cases[i]!.outer);
      await line.stackCase(m.cases[i]!.outer);
    }
    const browser = keep(await launchChromium(), (b) => b.close());
    const page = await browser.newPage();
    await page.goto(`${api.url}/?token=${api.token}`);
    const badge = page.getByTestId('badge-input');
    await badge.waitFor({ timeout: 15_000 });
    await badge.focus();
    await scanGun(page, 'BADGE-OP-0001');
    await page.getByTestId('who').waitFor({ timeout: 10_000 });

    const pallets = (): number => line.station.store.db.prepare(`SELECT count(*) FROM audit_log WHERE action = 'pallet.force-close'`).pluck().get() as number;
    await page.getByTestId('end-pallet').click();
    const dialog = page.getByTestId('sign-dialog');
    await dialog.waitFor({ timeout: 5_000 });
    expect(await dialog.textContent()).toContain('2/3');
    expect(await page.getByTestId('sign-pin').count()).toBe(0);
    await page.getByTestId('sign-cancel').click();
    await dialog.waitFor({ state: 'detached', timeout: 5_000 });
    expect(pallets()).toBe(0);

    await page.getByTestId('end-pallet').click();
    await page.getByTestId('sign-reason').fill('换班，尾垛 (end of shift)');
    await page.getByTestId('sign-confirm').click();
    await expect.poll(pallets, { timeout: 10_000 }).toBe(1);
    const audit = line.station.store.db.prepare(`SELECT actor, reason FROM audit_log WHERE action = 'pallet.force-close'`).get();
    expect(audit).toEqual({ actor: 'op1', reason: '换班，尾垛 (end of shift)' });
    await page.close();
  });
});
