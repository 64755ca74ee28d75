import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../edge/api/client.ts';
import { DEMO_USERS } from '../../edge/cli/commands/demo.ts';
import { DEMO_PRODUCT_ID } from '../../edge/demo/setup-demo-line.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { launchChromium, scanGun, visibleText } from './support/browser.ts';

/**
 * The operator / QA / IT UI in Debian's Chromium against `wuma demo` alone, as the desktop shell starts it
 * (`--api-port P --api-token-file T`), in the order of issue 6 "Must show": log in by badge → start a batch from
 * the product list (badge, product, start: 3 actions) → the demo line, which prepared the product and the code
 * packages but started no batch (--operator-batch), feeds cases of that batch and the counters rise → a reject
 * appears with its reason → QA reworks it (signed) → the batch is closed (signed) → the report is downloaded as
 * PDF and CSV. Then the IT screen and the English switch. A screenshot of every screen goes to
 * test-results/screens/; no full inner code and no untranslated key on any page.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE = `${ROOT}node_modules/.bin/node`;
const SCREENS = `${ROOT}test-results/screens`;
const USER = Object.fromEntries(DEMO_USERS.map((u) => [u.role, u])) as Record<(typeof DEMO_USERS)[number]['role'], (typeof DEMO_USERS)[number]>;
const KEY_LIKE = /^(app|lang|screen|live|role|error|login|common|batch|count|op|read|reason|alarm|kind|status|action|rework|field|sign|qa|report|it)\.[A-Za-z0-9.-]+$/;
const CASES = 24;

let dir: TempDir;
let dbPath: string;
let demo: ChildProcess | null = null;
let demoOut = '';
let demoErr = '';
let apiUrl = '';
let token = '';
let browser: Browser | null = null;
const pageTexts: { screen: string; text: string }[] = [];

/** A port free right now (the shell picks one the same way). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Ready as the desktop shell sees it: the token file exists and 127.0.0.1:port accepts connections (bounded). */
async function ready(port: number, tokenFile: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (demo?.exitCode !== null) throw new Error(`wuma demo exited ${String(demo?.exitCode)}: ${demoErr}`);
    if (existsSync(tokenFile)) {
      const accepted = await new Promise<boolean>((resolve) => {
        const s = connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
        s.on('error', () => { s.destroy(); resolve(false); });
      });
      if (accepted) return;
    }
    if (Date.now() > deadline) throw new Error(`wuma demo not ready within ${ms} ms; stderr: ${demoErr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function exited(child: ChildProcess, ms: number): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child still running after ${ms} ms`)), ms);
    child.on('exit', (code) => { clearTimeout(timer); resolve(code); });
  });
}

/** Saves a screenshot and the page's visible text (for the masking and untranslated-key checks). */
async function capture(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENS}/${name}.png`, fullPage: true });
  const text = await visibleText(page, { inputs: true });
  pageTexts.push({ screen: name, text });
  const keys = text.split('\n').map((s) => s.trim()).filter((s) => KEY_LIKE.test(s));
  expect(keys, `untranslated keys on ${name}`).toEqual([]);
}

async function loginByBadge(page: Page, badge: string): Promise<void> {
  const input = page.getByTestId('badge-input');
  await input.waitFor({ timeout: 10_000 });
  await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid')), { timeout: 5_000 }).toBe('badge-input');
  await scanGun(page, badge);
  await page.getByTestId('who').waitFor({ timeout: 10_000 });
}

async function logout(page: Page): Promise<void> {
  await page.getByTestId('logout').click();
  await page.getByTestId('badge-input').waitFor({ timeout: 10_000 });
}

describe('operator / QA / IT UI in Chromium against wuma demo serving its own API and UI', () => {
  beforeAll(async () => {
    // Only this run's screens: stale ones from an older walk-through would pass for screens that no longer exist.
    rmSync(SCREENS, { recursive: true, force: true });
    mkdirSync(SCREENS, { recursive: true });
    dir = makeTempDir('wuma-ui-');
    dbPath = dir.file('demo.db');
    const port = await freePort();
    const tokenFile = dir.file('api-token');
    demo = spawn(NODE, [`${ROOT}edge/cli/main.ts`, 'demo', '--db', dbPath, '--api-port', String(port), '--api-token-file', tokenFile,
      '--operator-batch', '--cases', String(CASES), '--rate', '8', '--stock', '60', '--faults', 'missing=0.15,duplicate=0,foreign=0,noread=0.05,label=0', '--seed', '11', '--hold'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' } });
    demo.stdout?.on('data', (c: Buffer) => { demoOut += c.toString(); });
    demo.stderr?.on('data', (c: Buffer) => { demoErr += c.toString(); });
    await ready(port, tokenFile, 60_000);
    apiUrl = `http://127.0.0.1:${port}`;
    token = readFileSync(tokenFile, 'utf8').trim();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    if (demo !== null && demo.exitCode === null) { demo.kill('SIGTERM'); await exited(demo, 20_000).catch(() => { demo?.kill('SIGKILL'); }); }
    dir?.remove();
  });

  it('badge login → start a batch in 3 actions → counters rise on it → a reject with its reason → QA rework → close → PDF and CSV report; every screen shot', async () => {
    const started = performance.now();
    const api = new ApiClient({ baseUrl: apiUrl, token });
    await api.call('login', { body: { method: 'badge', badge: USER.it.badge } });
    // The demo prepared the product and its packages and waits: no batch until the operator starts one.
    expect((await api.call('listBatches')).batches).toEqual([]);
    expect((await api.call('status')).batch).toBeNull();
    const context: BrowserContext = await browser!.newContext({ viewport: { width: 1600, height: 1000 }, acceptDownloads: true, locale: 'zh-CN' });
    let batchId = 0;
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      // The launch link sets the token cookie and redirects to the UI, served by edge itself.
      await page.goto(`${apiUrl}/?token=${token}`);
      expect(new URL(page.url()).pathname).toBe('/');
      await page.getByTestId('badge-input').waitFor({ timeout: 15_000 });
      await capture(page, '01-login');

      // Wrong badge: the error says so, and the field is ready for the next scan.
      await scanGun(page, 'BADGE-NOBODY');
      await expect.poll(() => page.getByTestId('login-message').textContent(), { timeout: 10_000 }).toMatch(/不正确|锁定|稍/);
      await capture(page, '02-login-error');
      await page.waitForTimeout(1_200); // the API's back-off after a failed attempt (1 s)

      // Operator: badge (1), product (2), start (3).
      await loginByBadge(page, USER.operator.badge);
      await page.getByTestId(`product-${DEMO_PRODUCT_ID}`).waitFor({ timeout: 10_000 });
      await capture(page, '03-operator-choose-product');
      await page.getByTestId(`product-${DEMO_PRODUCT_ID}`).click();
      expect(await page.getByTestId('chosen-packages').locator('li').count()).toBe(4);
      await capture(page, '04-operator-confirm-batch');
      await page.getByTestId('start-batch').click();
      await expect.poll(() => page.getByTestId('batch-state').textContent(), { timeout: 10_000 }).toBe('生产中');
      const batches = (await api.call('listBatches')).batches;
      expect(batches.map((b) => b.state)).toEqual(['running']);
      batchId = batches[0]?.id ?? 0;
      await expect.poll(async () => { const s = await api.call('status'); return [s.source, s.running, s.batch?.id]; }, { timeout: 10_000 })
        .toEqual(['station', true, batchId]);

      // The demo line feeds the operator's batch: counters rise over the WebSocket, a reject shows its reason.
      await expect.poll(async () => Number(await page.getByTestId('count-cases').getAttribute('data-value')), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
      const firstCases = Number(await page.getByTestId('count-cases').getAttribute('data-value'));
      await capture(page, '05-operator-counters');
      await page.getByTestId('reject').first().waitFor({ timeout: 30_000 });
      await expect.poll(async () => Number(await page.getByTestId('count-cases').getAttribute('data-value')), { timeout: 30_000 }).toBeGreaterThan(firstCases);
      const reason = await page.getByTestId('reject').first().locator('.reject-reason').textContent();
      expect(reason).toMatch(/缺码|无读|重码|箱码异常|码包外|错码|超码|未关联|码已作废/);
      await page.getByTestId('read').first().waitFor({ timeout: 10_000 });
      await capture(page, '06-operator-reject');
      await expect.poll(() => demoOut.includes('演示箱已跑完'), { timeout: 30_000 }).toBe(true);
      await expect.poll(async () => Number(await page.getByTestId('count-cases').getAttribute('data-value'))
        + Number(await page.getByTestId('count-reject').getAttribute('data-value')), { timeout: 10_000 }).toBe(CASES);
      await capture(page, '07-operator-after-run');
      await logout(page);

      // QA: the reject → why, where, history → a signed rework action.
      await loginByBadge(page, USER.qa.badge);
      await page.getByTestId('qa-scan').waitFor({ timeout: 10_000 });
      await page.getByTestId('qa-reject').first().click();
      await page.getByTestId('code-tree').waitFor({ timeout: 10_000 });
      await page.getByTestId('qa-why').waitFor({ timeout: 5_000 });
      await capture(page, '08-qa-reject');
      await page.getByTestId('rework-reworkDestroy').click();
      await page.getByTestId('sign-dialog').waitFor({ timeout: 5_000 });
      await page.getByTestId('sign-reason').fill('剔除箱报废 (rejected case scrapped)');
      await page.getByTestId('sign-pin').fill(USER.qa.pin);
      await capture(page, '09-qa-sign');
      await page.getByTestId('sign-confirm').click();
      await expect.poll(() => page.getByTestId('notice').textContent(), { timeout: 10_000 }).toMatch(/已完成|—/);
      expect(await page.getByTestId('notice').textContent()).toContain('已完成');
      await capture(page, '10-qa-after-rework');

      // QA closes the batch (signed) on the line screen; the station stops taking cases.
      await page.getByTestId('tab-operator').click();
      await page.getByTestId('close-batch').click();
      await page.getByTestId('sign-reason').fill('计划完成');
      await page.getByTestId('sign-pin').fill(USER.qa.pin);
      await page.getByTestId('sign-confirm').click();
      // The closed-batch panel, or already the product list for the next batch (a status push may redraw first).
      await page.locator(`[data-testid="batch-closed"], [data-testid="product-${DEMO_PRODUCT_ID}"], .notice-error`).first().waitFor({ timeout: 15_000 });
      expect(await page.locator('.notice-error').count(), (await page.getByTestId('notice').textContent()) ?? '').toBe(0);
      await expect.poll(async () => (await api.call('status')).batch, { timeout: 10_000 }).toBeNull();
      expect((await api.call('getBatch', { params: { batchId } })).state).toBe('closed');
      await capture(page, '11-batch-closed');
      await logout(page);

      // IT: the batch list with the closed batch's report (PDF and CSV), devices, packages, sync, charts.
      await loginByBadge(page, USER.it.badge);
      await page.getByTestId('chart-throughput').waitFor({ timeout: 10_000 });
      await page.getByTestId('it-batches').locator('table').waitFor({ timeout: 10_000 });
      await capture(page, '12-it');
      const [pdf] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.getByTestId(`report-pdf-${batchId}`).first().click()]);
      const pdfPath = dir.file('report.pdf');
      await pdf.saveAs(pdfPath);
      expect(readFileSync(pdfPath).subarray(0, 5).toString()).toBe('%PDF-');
      const [csv] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.getByTestId(`report-csv-${batchId}`).first().click()]);
      const csvPath = dir.file('report.csv');
      await csv.saveAs(csvPath);
      expect(readFileSync(csvPath, 'utf8').length).toBeGreaterThan(20);

      // English switch, remembered across a reload.
      await page.getByTestId('lang-switch').click();
      await expect.poll(() => page.getByTestId('tab-it').textContent(), { timeout: 5_000 }).toBe('IT');
      await page.reload();
      await expect.poll(() => page.evaluate(() => document.documentElement.lang), { timeout: 10_000 }).toBe('en');
      await page.getByTestId('chart-throughput').waitFor({ timeout: 10_000 });
      await capture(page, '13-it-english');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
    console.log(`UI walk-through: ${((performance.now() - started) / 1000).toFixed(1)} s`);

    // No full cap-inner / case-inner code on any page (DESIGN §1), nor in the demo's output.
    const db = new Database(dbPath, { readonly: true });
    try {
      const inner = db.prepare('SELECT code FROM codes WHERE kind IN (1, 3)').pluck().all() as string[];
      expect(inner.length).toBeGreaterThan(100);
      const found = pageTexts.flatMap((p) => inner.filter((c) => p.text.includes(c)).map((c) => `${p.screen}: ${c.slice(0, 4)}…`));
      expect(found).toEqual([]);
      expect(inner.filter((c) => demoOut.includes(c) || demoErr.includes(c)).length).toBe(0);
      // Every case went to the operator's batch, the only one; the demo started none of its own.
      const q = (sql: string, ...p: unknown[]): unknown => db.prepare(sql).pluck().get(...p);
      expect(q('SELECT count(*) FROM batches')).toBe(1);
      expect(q(`SELECT actor FROM audit_log WHERE action = 'batch.start'`)).toBe(USER.operator.id);
      expect(Number(q(`SELECT count(*) FROM containers WHERE level = 'case' AND batch_id = ?`, batchId)) + Number(q(`SELECT count(*) FROM rejects WHERE batch_id = ? AND station = 'case'`, batchId))).toBe(CASES);
    } finally {
      db.close();
    }
  });
});
