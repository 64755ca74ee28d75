import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '../../edge/api/index.ts';
import { openStore, type Store } from '../../edge/store/open.ts';
import { Warehouse } from '../../edge/warehouse/index.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { TEST_EPCIS } from './batch-line-fixture.ts';
import { launchChromium, scanGun, visibleText } from './support/browser.ts';
import { httpsCall } from './support/https-call.ts';
import { seedWarehouse, TLS, WAREHOUSE_USERS, type WarehouseStock } from './warehouse-fixture.ts';

/**
 * The QA / 稽查 trace screen and the IT screen's order-file import (issue 13 §4, §1) in Debian's Chromium against
 * the real local API over HTTPS. Stock: pallets of closed cases made by the line's own commits; the first pallet
 * shipped on order O-1001 to the 华东 dealer. QA scans a shipped case with 发现地区 华南 → 窜货 in large text with the
 * dealer, and the finding is in market_findings; in its region → 本区域; an unshipped case → 未发货; an inner code
 * shows masked and is never in the page's HTML or fields; a look-up without a region records nothing. A warehouse
 * user has no trace screen (and the API refuses them an inner-code trace). IT uploads a bad order file → every
 * problem with file and line number, nothing stored; then a good one → the order with its dispatch-sheet barcode.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCREENS = `${ROOT}test-results/screens`;

let dir: TempDir;
let store: Store;
let stock: WarehouseStock;
let api: RunningApi;
let browser: Browser | null = null;

beforeAll(async () => {
  mkdirSync(SCREENS, { recursive: true });
  dir = makeTempDir('wuma-trace-screen-');
  store = openStore(dir.file('wuma.db'), { checkpointer: false });
  stock = seedWarehouse(store.db, { pallets: 3, casesPerPallet: 3, casesOrdered: 5 });
  // The first pallet ships whole on O-1001 (华东), as a PDA scan does it.
  const shipped = new Warehouse(store.db, { epcis: TEST_EPCIS }).scan(stock.orderId, stock.pallets[0]?.code ?? '', { user: 'wh1', device: null });
  expect(shipped.kind).toBe('ok');
  api = await startApi({ store, tls: TLS, epcis: TEST_EPCIS, loginBackoffMs: 1, loginBackoffMaxMs: 2, uploadDir: dir.path });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await store?.close();
  dir?.remove();
});

const innerCodes = (): string[] => [...stock.product.caps, ...stock.product.cases, ...stock.other.caps, ...stock.other.cases].map((c) => c.inner);

async function open(who: keyof typeof WAREHOUSE_USERS): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser!.newContext({ viewport: { width: 1280, height: 900 }, ignoreHTTPSErrors: true, locale: 'zh-CN' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${api.url}/?token=${api.token}`);
  await page.getByTestId('badge-input').waitFor({ timeout: 15_000 });
  await scanGun(page, WAREHOUSE_USERS[who].badge);
  await page.getByTestId('who').waitFor({ timeout: 10_000 });
  return { context, page, errors };
}

const focused = (page: Page): Promise<string | null> => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);

/** Sets the region (Enter returns to the scan field, as at the counter) and scans `code` with the scan gun. */
async function traceWith(page: Page, region: string, code: string): Promise<void> {
  await page.getByTestId('trace-region').fill(region);
  await page.getByTestId('trace-region').press('Enter');
  await expect.poll(() => focused(page), { timeout: 5_000 }).toBe('trace-scan');
  await scanGun(page, code, 2);
}

const findings = (): { queried: string; found_in: string; verdict: string; dealer_id: string | null; order_id: string | null; actor: string; note: string | null }[] =>
  store.db.prepare('SELECT queried, found_in, verdict, dealer_id, order_id, actor, note FROM market_findings ORDER BY id').all() as never;

/** The page's HTML, its visible text and the values of its fields: where a secret could show. */
async function everything(page: Page): Promise<string> {
  return `${await page.content()}\n${await visibleText(page, { inputs: true })}`;
}

describe('trace screen (渠道稽查) in Chromium', () => {
  it('QA traces a shipped case found in another region → 窜货 with the dealer, recorded; in region, unshipped, and an inner code masked', async () => {
    const { context, page, errors } = await open('qa');
    const pages: string[] = [];
    try {
      await page.getByTestId('tab-trace').click();
      await page.getByTestId('trace-scan').waitFor({ timeout: 10_000 });
      await expect.poll(() => focused(page)).toBe('trace-scan');
      const [p0, , p2] = stock.pallets;
      if (p0 === undefined || p2 === undefined) throw new Error('fixture');
      const diverted = p0.cases[1] ?? '';

      await page.getByTestId('trace-note').fill('广州某超市货架');
      await traceWith(page, '华南', diverted);
      const verdict = page.getByTestId('trace-verdict');
      await verdict.waitFor({ timeout: 10_000 });
      expect(await verdict.getAttribute('data-verdict')).toBe('diverted');
      expect(await page.getByTestId('trace-verdict-word').textContent()).toBe('窜货');
      const size = await page.getByTestId('trace-verdict-word').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
      expect(size).toBeGreaterThanOrEqual(64);
      expect(await page.getByTestId('trace-verdict-text').textContent()).toMatch(/窜货：此码发往 华东经销商 上海/);
      expect(await page.getByTestId('trace-recorded').textContent()).toMatch(/稽查结果已记录.*华南/);
      expect(await page.getByTestId('trace-code').textContent()).toBe(diverted);
      expect(await page.getByTestId('trace-dealer').textContent()).toBe('华东经销商 上海 (D-EAST)');
      expect(await page.getByTestId('trace-region-shipped').textContent()).toBe('华东');
      expect(await page.getByTestId('trace-order').textContent()).toBe(stock.orderId);
      expect(await page.getByTestId('trace-pallet').textContent()).toBe(p0.code);
      expect(await page.getByTestId('trace-lot').textContent()).toBe('L2026-03-01');
      expect(await page.getByTestId('trace-production-date').textContent()).toBe('2026-03-01');
      expect(await page.getByTestId('trace-line').textContent()).toBe('L-L2026-03-01');
      expect(await page.getByTestId('trace-product').textContent()).toContain(stock.product.productId);
      expect(await page.getByTestId('trace-shipped-at').textContent()).not.toBe('—');
      await page.screenshot({ path: `${SCREENS}/trace-1-diverted.png`, fullPage: true });
      pages.push(await everything(page));
      // Stored: the finding with its dealer and order, by QA, with the note.
      expect(findings()).toEqual([{ queried: diverted, found_in: '华南', verdict: 'diverted', dealer_id: 'D-EAST', order_id: stock.orderId, actor: 'qa1', note: '广州某超市货架' }]);
      expect(await page.getByTestId('trace-note').inputValue()).toBe('');

      // The same dealer's region: 本区域.
      await traceWith(page, '华东', p0.cases[2] ?? '');
      await expect.poll(() => verdict.getAttribute('data-verdict'), { timeout: 10_000 }).toBe('in-region');
      expect(await page.getByTestId('trace-verdict-word').textContent()).toBe('本区域');
      // A case that never left the warehouse: 未发货, no dealer.
      await traceWith(page, '华南', p2.cases[0] ?? '');
      await expect.poll(() => verdict.getAttribute('data-verdict'), { timeout: 10_000 }).toBe('unshipped');
      expect(await page.getByTestId('trace-verdict-word').textContent()).toBe('未发货');
      expect(await page.getByTestId('trace-dealer').textContent()).toBe('—');
      await page.getByTestId('trace-not-shipped').waitFor();
      await page.screenshot({ path: `${SCREENS}/trace-2-unshipped.png`, fullPage: true });
      expect(findings().map((f) => f.verdict)).toEqual(['diverted', 'in-region', 'unshipped']);

      // An inner code (a cap of the first shipped case): traced through to its dealer, shown masked, stored masked.
      const inner = stock.product.caps[0]?.inner ?? '';
      await traceWith(page, '华南', inner);
      await expect.poll(() => page.getByTestId('trace-code').textContent(), { timeout: 10_000 }).toContain('…');
      await expect.poll(() => verdict.getAttribute('data-verdict')).toBe('diverted');
      expect(await page.getByTestId('trace-dealer').textContent()).toBe('华东经销商 上海 (D-EAST)');
      expect(await page.getByTestId('trace-case').textContent()).toBe(p0.cases[0]);
      pages.push(await everything(page));
      await page.screenshot({ path: `${SCREENS}/trace-3-inner-masked.png`, fullPage: true });
      const stored = findings();
      expect(stored).toHaveLength(4);
      expect(stored[3]?.queried).not.toBe(inner);
      expect(stored[3]?.queried).toContain('…');

      // Without a region: a look-up only (POST, the code never in a URL), nothing recorded.
      await traceWith(page, '', stock.product.cases[1]?.inner ?? '');
      await expect.poll(() => page.getByTestId('trace-verdict').count(), { timeout: 10_000 }).toBe(0);
      await expect.poll(() => page.getByTestId('trace-case').textContent()).toBe(p0.cases[1]);
      expect(await page.getByTestId('trace-code').textContent()).toContain('…');
      expect(findings()).toHaveLength(4);
      pages.push(await everything(page));

      const all = pages.join('\n');
      expect(innerCodes().filter((s) => all.includes(s))).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a warehouse user has no trace screen, and the API refuses them an inner-code trace', async () => {
    const { context, page, errors } = await open('warehouse');
    try {
      await page.getByTestId('tab-operator').waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('tab-trace').count()).toBe(0);
      expect(await page.getByTestId('trace-scan').count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
    const login = await httpsCall(api.port, TLS.cert, 'POST', '/api/session/login', { headers: { authorization: `Bearer ${api.token}` }, body: { method: 'badge', badge: WAREHOUSE_USERS.warehouse.badge } });
    const wh = { authorization: `Bearer ${api.token}`, 'x-wuma-session': login.json.sessionId as string };
    const inner = stock.product.caps[2]?.inner ?? '';
    const lookup = await httpsCall(api.port, TLS.cert, 'POST', '/api/trace/lookup', { headers: wh, body: { code: inner } });
    expect(lookup.status).toBe(403);
    expect(lookup.text).not.toContain(inner);
    expect((await httpsCall(api.port, TLS.cert, 'POST', '/api/trace/findings', { headers: wh, body: { code: stock.pallets[0]?.cases[0], foundIn: '华南' } })).status).toBe(403);
    // An outer code they may look up (what the PDA's trace does), and nothing is recorded.
    const before = findings().length;
    const outer = await httpsCall(api.port, TLS.cert, 'POST', '/api/trace/lookup', { headers: wh, body: { code: stock.pallets[0]?.cases[0] } });
    expect(outer.status, outer.text).toBe(200);
    expect(outer.json).toMatchObject({ region: '华东', finding: null });
    expect(findings().length).toBe(before);
  });
});

describe('IT screen: dispatch orders from an order file', () => {
  const orderRows = (): unknown[] => store.db.prepare('SELECT * FROM dispatch_orders ORDER BY id').all();

  it('a bad file lists every problem with file and line and stores nothing; a good one creates the order with its barcode link', async () => {
    const { context, page, errors } = await open('it');
    try {
      await page.getByTestId('it-orders').waitFor({ timeout: 10_000 });
      const product = stock.product.productId;
      const before = orderRows();
      const bad = [
        'order,dealer,warehouse,product,quantity',
        `O-2001,D-SOUTH,WH-MAIN,${product},2`,
        `O-2002,D-NOWHERE,WH-MAIN,${product},1`,
        `O-2003,D-EAST,WH-MAIN,${product},abc`,
      ].join('\n');
      await page.getByTestId('order-file').setInputFiles({ name: 'bad-orders.csv', mimeType: 'text/csv', buffer: Buffer.from(bad, 'utf8') });
      await page.getByTestId('order-import').click();
      await page.getByTestId('order-import-failed').waitFor({ timeout: 10_000 });
      const issues = page.getByTestId('order-issue');
      const lines = await issues.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-line'))));
      expect(lines).toEqual([3, 4]);
      expect(await issues.nth(0).textContent()).toMatch(/^bad-orders\.csv 第 3 行 · .*dealer.*：/);
      expect(await issues.nth(1).textContent()).toMatch(/^bad-orders\.csv 第 4 行 · .*quantity.*：/);
      expect(await page.getByTestId('order-import-failed').textContent()).toMatch(/什么都没有保存/);
      await page.getByTestId('it-orders').screenshot({ path: `${SCREENS}/trace-it-1-bad-file.png` });
      // Nothing stored, not even the clean first order.
      expect(orderRows()).toEqual(before);

      const good = JSON.stringify({ orders: [{ id: 'O-2001', dealerId: 'D-SOUTH', warehouseId: 'WH-MAIN', lines: [{ productId: product, quantity: 2 }] }] }, null, 2);
      await page.getByTestId('order-file').setInputFiles({ name: 'orders.json', mimeType: 'application/json', buffer: Buffer.from(good, 'utf8') });
      await page.getByTestId('order-import').click();
      await page.getByTestId('order-row-O-2001').waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('order-row-O-2001').textContent()).toMatch(/华南经销商 广州 · 华南.*WH-MAIN.*2.*草稿/);
      const order = new Warehouse(store.db, { epcis: TEST_EPCIS }).getOrder('O-2001');
      expect(order).toMatchObject({ state: 'draft', quantity: 2, dealer: { id: 'D-SOUTH' } });
      // The barcode link is the order barcode route, and opens as the dispatch sheet's QR (same-origin session).
      const href = await page.getByTestId('order-barcode-O-2001').getAttribute('href');
      expect(href).toBe('/api/warehouse/orders/O-2001/barcode');
      const svg = await page.evaluate(async (u) => { const r = await fetch(u, { credentials: 'same-origin' }); return { status: r.status, type: r.headers.get('content-type'), text: await r.text() }; }, href ?? '');
      expect(svg).toMatchObject({ status: 200, type: 'image/svg+xml' });
      expect(svg.text).toMatch(/<svg/);
      await page.getByTestId('it-orders').screenshot({ path: `${SCREENS}/trace-it-2-imported.png` });
      // The same file again: the order id exists → refused with its line, nothing more stored.
      const afterGood = orderRows();
      await page.getByTestId('order-file').setInputFiles({ name: 'orders.json', mimeType: 'application/json', buffer: Buffer.from(good, 'utf8') });
      await page.getByTestId('order-import').click();
      await page.getByTestId('order-import-failed').waitFor({ timeout: 10_000 });
      expect(Number(await page.getByTestId('order-issue').first().getAttribute('data-line'))).toBeGreaterThan(0);
      expect(orderRows()).toEqual(afterGood);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
