import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '../../edge/api/index.ts';
import { openStore, type Store } from '../../edge/store/open.ts';
import { verifyStore } from '../../edge/store/verify.ts';
import { Warehouse } from '../../edge/warehouse/index.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { TEST_EPCIS } from './batch-line-fixture.ts';
import { launchChromium, scanGun, visibleText } from './support/browser.ts';
import { seedWarehouse, TLS, WAREHOUSE_USERS, type WarehouseStock } from './warehouse-fixture.ts';

/**
 * The warehouse PDA page (issue 13 §5) in Debian's Chromium, at the two phone viewports of the issue (360×640 and
 * 412×915, touch, mobile), against the real local API over HTTPS. IT pairs the PDA on the IT screen: the QR there is
 * read back from a screenshot by zbarimg (an independent decoder) and opened by the "PDA" — that is the pairing a
 * real PDA does. Then a scripted scan gun (keyboard wedge: the code typed into the focused field, then Enter):
 * badge → the order barcode's text → pallets and cases. A whole order ships at 360×640; at 412×915 an order ships
 * short with a signed reason. Refusals show red with their reason large, and beep; counters add up to what the
 * database holds; no secret (device token, badge, PIN, inner code) ever appears on screen.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCREENS = `${ROOT}test-results/screens`;
const run = promisify(execFile);

let dir: TempDir;
let store: Store;
let stock: WarehouseStock;
let api: RunningApi;
let browser: Browser | null = null;

beforeAll(async () => {
  mkdirSync(SCREENS, { recursive: true });
  dir = makeTempDir('wuma-pda-page-');
  store = openStore(dir.file('wuma.db'), { checkpointer: false });
  stock = seedWarehouse(store.db, { pallets: 3, casesPerPallet: 3, casesOrdered: 5 });
  // A second order for the second PDA: 5 ordered, 4 left in stock after the first → a short shipment.
  new Warehouse(store.db, { epcis: TEST_EPCIS }).createOrder({ id: 'O-1002', dealerId: 'D-SOUTH', warehouseId: 'WH-MAIN', lines: [{ productId: stock.product.productId, quantity: 5 }] }, 'it1');
  api = await startApi({ store, tls: TLS, epcis: TEST_EPCIS, loginBackoffMs: 1, loginBackoffMaxMs: 2 });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await store?.close();
  dir?.remove();
});

/** Everything a person could read off the screen: text and the values of fields (a password field shows dots only). */
async function screenText(page: Page): Promise<string> {
  const fields = await page.evaluate(() => [...document.querySelectorAll('input')].filter((i) => i.type !== 'password').map((i) => i.value).join('\n'));
  return `${await visibleText(page)}\n${fields}`;
}

function secretsOf(extra: readonly string[]): string[] {
  const inner = [...stock.product.caps, ...stock.product.cases, ...stock.other.caps, ...stock.other.cases].map((c) => c.inner);
  return [...inner, ...Object.values(WAREHOUSE_USERS).flatMap((u) => [u.badge, u.pin]), api.token, ...extra];
}

async function expectNoSecrets(page: Page, extra: readonly string[], where: string): Promise<void> {
  const text = await screenText(page);
  const found = secretsOf(extra).filter((s) => s.length > 0 && text.includes(s));
  expect(found, `secrets on screen at ${where}`).toEqual([]);
}

/** IT pairs a PDA on the IT screen; the QR on screen is decoded by zbarimg from a screenshot: the pairing link. */
async function pairOnItScreen(name: string, shot: string): Promise<string> {
  const context = await browser!.newContext({ viewport: { width: 1280, height: 900 }, ignoreHTTPSErrors: true, locale: 'zh-CN' });
  try {
    const page = await context.newPage();
    await page.goto(`${api.url}/?token=${api.token}`);
    await page.getByTestId('badge-input').waitFor({ timeout: 15_000 });
    await scanGun(page, WAREHOUSE_USERS.it.badge);
    await page.getByTestId('it-pda').waitFor({ timeout: 10_000 });
    await page.getByTestId('pda-name').fill(name);
    await page.getByTestId('pda-pair').click();
    const qr = page.getByTestId('pda-qr');
    await qr.waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => (document.querySelector('[data-testid="pda-qr"]') as HTMLImageElement | null)?.complete === true);
    const file = `${SCREENS}/${shot}.png`;
    await qr.screenshot({ path: file });
    await page.getByTestId('it-pda').screenshot({ path: `${SCREENS}/${shot}-panel.png` });
    const { stdout } = await run('zbarimg', ['-q', '--raw', file]);
    const link = stdout.trim();
    expect(link).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/pda\/\?device=[A-Za-z0-9_-]{43}$/);
    const token = new URL(link).searchParams.get('device') ?? '';
    // On the IT screen the token is only inside the QR: its text is masked.
    expect(await screenText(page)).not.toContain(token);
    expect(await page.getByTestId('pda-link').textContent()).toMatch(/device=.+…/);
    expect(await page.getByTestId(`pda-revoke-${(await deviceIdOf(name))}`).count()).toBe(1);
    return link;
  } finally {
    await context.close();
  }
}

async function deviceIdOf(name: string): Promise<string> {
  const row = store.db.prepare(`SELECT value FROM meta WHERE key LIKE 'pda.device.%'`).pluck().all() as string[];
  const d = row.map((v) => JSON.parse(v) as { id: string; name: string }).find((x) => x.name === name);
  return d?.id ?? '';
}

async function openPda(width: number, height: number, link: string): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser!.newContext({ viewport: { width, height }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, ignoreHTTPSErrors: true, locale: 'zh-CN' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(link);
  // The pairing link turned into the device cookie and left the address bar.
  expect(new URL(page.url()).pathname).toBe('/pda/');
  expect(page.url()).not.toContain('device=');
  return { context, page, errors };
}

async function focused(page: Page): Promise<string | null> {
  return page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);
}

async function scanInto(page: Page, field: string, code: string): Promise<void> {
  await expect.poll(() => focused(page), { timeout: 5_000 }).toBe(field);
  await scanGun(page, code, 2);
}

async function lastOutcome(page: Page, n: number): Promise<{ outcome: string | null; word: string; text: string }> {
  await page.getByTestId(`scan-${n}`).waitFor({ timeout: 10_000 });
  return {
    outcome: await page.getByTestId('scan-result').getAttribute('data-outcome'),
    word: (await page.getByTestId('result-word').textContent()) ?? '',
    text: (await page.getByTestId('result-text').textContent()) ?? '',
  };
}

async function lineCount(page: Page): Promise<number> {
  return Number(await page.getByTestId('line-1').getAttribute('data-shipped'));
}

async function noHorizontalScroll(page: Page): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect(scroll, 'page wider than the phone').toBeLessThanOrEqual(width);
}

async function loginAndOpen(page: Page, badge: string, orderId: string, prefix: string): Promise<void> {
  await page.getByTestId('badge-input').waitFor({ timeout: 15_000 });
  await page.screenshot({ path: `${SCREENS}/${prefix}-1-login.png` });
  await scanInto(page, 'badge-input', badge);
  await page.getByTestId('order-input').waitFor({ timeout: 10_000 });
  await page.getByTestId(`order-${orderId}`).waitFor({ timeout: 10_000 });
  await page.screenshot({ path: `${SCREENS}/${prefix}-2-orders.png` });
  // The dispatch sheet's order barcode carries the order id: the scanner types it.
  await scanInto(page, 'order-input', orderId);
  await page.getByTestId('line-1').waitFor({ timeout: 10_000 });
}

describe('PDA page in Chromium at phone viewports, scripted scan gun', () => {
  it('360×640: pairs from the IT screen QR, badge, order barcode; a whole order ships; refusals red with their reason and a beep', async () => {
    const link = await pairOnItScreen('仓库 PDA 1', 'pda-360-0-it-qr');
    const token = new URL(link).searchParams.get('device') ?? '';
    const { context, page, errors } = await openPda(360, 640, link);
    try {
      await loginAndOpen(page, WAREHOUSE_USERS.warehouse.badge, stock.orderId, 'pda-360');
      await expect.poll(() => page.getByTestId('line-1').getAttribute('data-quantity')).toBe('5');
      const [p0, p1] = stock.pallets;
      if (p0 === undefined || p1 === undefined) throw new Error('fixture');

      await scanInto(page, 'scan-input', p0.code);
      let o = await lastOutcome(page, 1);
      expect(o).toMatchObject({ outcome: 'ok', word: '✓ +3 箱' });
      expect(await lineCount(page)).toBe(3);
      await page.screenshot({ path: `${SCREENS}/pda-360-3-ok.png` });

      const beepsBefore = Number(await page.evaluate(() => document.documentElement.dataset['beeps'] ?? '0'));
      await scanInto(page, 'scan-input', stock.otherPallet.code);
      o = await lastOutcome(page, 2);
      expect(o.outcome).toBe('refused');
      expect(o.word).toBe('品项不符');
      expect(o.text).toMatch(/[\u4e00-\u9fff]/);
      // Red, large, and a beep.
      const style = await page.getByTestId('result-word').evaluate((el) => ({ size: parseFloat(getComputedStyle(el).fontSize), bg: getComputedStyle(el.parentElement as Element).backgroundColor }));
      expect(style.size).toBeGreaterThanOrEqual(48);
      expect(style.bg).toBe('rgb(92, 10, 12)');
      await expect.poll(() => page.evaluate(() => Number(document.documentElement.dataset['beeps'] ?? '0'))).toBe(beepsBefore + 1);
      await noHorizontalScroll(page);
      await page.screenshot({ path: `${SCREENS}/pda-360-4-refused.png` });

      // An inner code scanned by mistake: refused, shown masked.
      const inner = stock.product.caps[1]?.inner ?? '';
      await scanInto(page, 'scan-input', inner);
      o = await lastOutcome(page, 3);
      expect(o).toMatchObject({ outcome: 'refused', word: '码类不符' });
      await expectNoSecrets(page, [token], 'after an inner code');

      await scanInto(page, 'scan-input', p0.code);
      expect((await lastOutcome(page, 4)).word).toBe('已发货');
      expect(await lineCount(page)).toBe(3);

      // Two cases off the second pallet, fast, as a scan gun does: both counted, in order.
      await scanInto(page, 'scan-input', p1.cases[0] ?? '');
      await scanGun(page, p1.cases[1] ?? '', 2);
      await page.getByTestId('scan-6').waitFor({ timeout: 10_000 });
      await expect.poll(() => lineCount(page)).toBe(5);
      expect(await page.getByTestId('line-1-count').textContent()).toBe('5 / 5 箱');
      await scanGun(page, p1.cases[2] ?? '', 2);
      expect((await lastOutcome(page, 7)).word).toBe('超量');
      expect(await page.locator('[data-outcome="ok"].pda-scan').count()).toBe(3);
      expect(await page.locator('[data-outcome="refused"].pda-scan').count()).toBe(4);
      await page.screenshot({ path: `${SCREENS}/pda-360-5-full.png` });

      await page.getByTestId('complete').click();
      await expect.poll(() => page.getByTestId('order-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('shipped');
      await page.screenshot({ path: `${SCREENS}/pda-360-6-shipped.png`, fullPage: true });
      await expectNoSecrets(page, [token], 'shipped');
      // The screen's counters are the database's.
      const order = new Warehouse(store.db, { epcis: TEST_EPCIS }).getOrder(stock.orderId);
      expect(order).toMatchObject({ state: 'shipped', shipped: 5, quantity: 5 });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('412×915: a second PDA ships an order short, signed with the reason and the PIN', async () => {
    const link = await pairOnItScreen('仓库 PDA 2', 'pda-412-0-it-qr');
    const token = new URL(link).searchParams.get('device') ?? '';
    const { context, page, errors } = await openPda(412, 915, link);
    try {
      await loginAndOpen(page, WAREHOUSE_USERS.warehouse2.badge, 'O-1002', 'pda-412');
      const [, p1, p2] = stock.pallets;
      if (p1 === undefined || p2 === undefined) throw new Error('fixture');
      await scanInto(page, 'scan-input', p2.code);
      expect((await lastOutcome(page, 1)).word).toBe('✓ +3 箱');
      await scanInto(page, 'scan-input', p1.cases[2] ?? '');
      expect((await lastOutcome(page, 2)).outcome).toBe('ok');
      // Shipped on the other order already: refused, red.
      await scanInto(page, 'scan-input', p1.cases[0] ?? '');
      expect((await lastOutcome(page, 3))).toMatchObject({ outcome: 'refused', word: '已发货' });
      expect(await lineCount(page)).toBe(4);
      await noHorizontalScroll(page);
      await page.screenshot({ path: `${SCREENS}/pda-412-3-scans.png` });

      await page.getByTestId('complete').click();
      await page.getByTestId('short-dialog').waitFor({ timeout: 5_000 });
      await page.getByTestId('short-reason').fill('库存不足，余 1 箱下次发');
      await page.getByTestId('short-pin').fill('000000');
      await page.getByTestId('short-sign').click();
      await expect.poll(() => page.getByTestId('short-message').textContent()).toMatch(/PIN|不正确/);
      await page.getByTestId('short-pin').fill(WAREHOUSE_USERS.warehouse2.pin);
      await page.screenshot({ path: `${SCREENS}/pda-412-4-short.png` });
      await expectNoSecrets(page, [token], 'short dialog');
      await page.getByTestId('short-sign').click();
      await expect.poll(() => page.getByTestId('order-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('shipped');
      await page.screenshot({ path: `${SCREENS}/pda-412-5-shipped.png`, fullPage: true });
      const order = new Warehouse(store.db, { epcis: TEST_EPCIS }).getOrder('O-1002');
      expect(order).toMatchObject({ state: 'shipped', shipped: 4, shortReason: '库存不足，余 1 箱下次发', shortSigner: 'wh2' });
      expect(verifyStore(store.db).checks.filter((c) => !c.ok)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
