import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupDemoLine, DEMO_PRODUCT_ID } from '../../edge/demo/setup-demo-line.ts';
import { closeBatch, openStore } from '../../edge/store/index.ts';
import { addUser } from '../../edge/store/users.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { launchChromium, startUiServer, type UiServer } from './support/browser.ts';

/**
 * The operator / QA / IT UI in Debian's Chromium against the real thing: `wuma api` serving a station database
 * and `wuma demo` (child processes) producing cases into the batch the operator started in the browser. Issue 6
 * "Must show": badge login, start a batch, counters rising, a reject with its reason, QA rework, batch close and
 * report download, a screenshot of every screen, no full inner code and no untranslated key on any page.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE = `${ROOT}node_modules/.bin/node`;
const SCREENS = `${ROOT}test-results/screens`;
const BADGES = { operator: 'BADGE-OP-7731', qa: 'BADGE-QA-5520', it: 'BADGE-IT-9902' } as const;
const PINS = { operator: '246810', qa: '135791', it: '864213' } as const;
const KEY_LIKE = /^(app|lang|screen|live|role|error|login|common|batch|count|op|read|reason|alarm|kind|status|action|rework|field|sign|qa|report|it)\.[A-Za-z0-9.-]+$/;

let dir: TempDir;
let dbPath: string;
let api: ChildProcess | null = null;
let apiUrl = '';
let token = '';
let ui: UiServer | null = null;
let browser: Browser | null = null;
const pageTexts: { screen: string; text: string }[] = [];

function wuma(args: readonly string[]): ChildProcess {
  return spawn(NODE, [`${ROOT}edge/cli/main.ts`, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' } });
}

/** The first JSON line a child prints, within `ms`. */
function firstJson(child: ChildProcess, ms: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no JSON within ${ms} ms; stderr: ${err}`)), ms);
    child.stderr?.on('data', (c: Buffer) => { err += c.toString(); });
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.trim().startsWith('{'));
      if (line !== undefined) { clearTimeout(timer); resolve(JSON.parse(line) as Record<string, unknown>); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}: ${err}`)); });
  });
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
  const text = await page.evaluate(() => {
    const parts: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) parts.push(n.textContent ?? '');
    for (const el of document.querySelectorAll('input')) parts.push((el as HTMLInputElement).value);
    return parts.join('\n');
  });
  pageTexts.push({ screen: name, text });
  const keys = text.split('\n').map((s) => s.trim()).filter((s) => KEY_LIKE.test(s));
  expect(keys, `untranslated keys on ${name}`).toEqual([]);
}

async function loginByBadge(page: Page, badge: string): Promise<void> {
  const input = page.getByTestId('badge-input');
  await input.waitFor({ timeout: 10_000 });
  await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid')), { timeout: 5_000 }).toBe('badge-input');
  // A scan gun is a keyboard that types fast and ends with Enter.
  await page.keyboard.type(badge, { delay: 5 });
  await page.keyboard.press('Enter');
  await page.getByTestId('who').waitFor({ timeout: 10_000 });
}

async function logout(page: Page): Promise<void> {
  await page.getByTestId('logout').click();
  await page.getByTestId('badge-input').waitFor({ timeout: 10_000 });
}

describe('operator / QA / IT UI in Chromium against wuma api + wuma demo', () => {
  beforeAll(async () => {
    mkdirSync(SCREENS, { recursive: true });
    dir = makeTempDir('wuma-ui-');
    dbPath = dir.file('line.db');
    // IT's set-up, as the demo does it: product, generated and paired packages; then users with badges.
    const store = openStore(dbPath, { checkpointer: false });
    try {
      const line = await setupDemoLine(store.db, { unitsPerCase: 12, casesPerPallet: 10, cases: 80, line: 'DEMO-L1' });
      // The operator starts the batch in the browser: close the one the set-up started (nothing used yet).
      closeBatch(store.db, { batchId: line.batch.id, actor: 'it-setup', reason: '界面测试准备 (UI test set-up)' });
      addUser(store.db, { id: 'op1', name: '王师傅', role: 'operator', pin: PINS.operator, badge: BADGES.operator }, 'admin');
      addUser(store.db, { id: 'qa1', name: '李质检', role: 'qa', pin: PINS.qa, badge: BADGES.qa }, 'admin');
      addUser(store.db, { id: 'it1', name: '张工', role: 'it', pin: PINS.it, badge: BADGES.it }, 'admin');
    } finally {
      await store.close();
    }
    const config = dir.file('station.json');
    writeFileSync(config, JSON.stringify({ station: { id: 'DEMO', line: 'DEMO-L1' }, epcis: { identifiers: { uriTemplate: 'https://c.wuma.example/{kind}/{code}' } } }));
    api = wuma(['api', '--port', '0', '--db', dbPath, '--json', '--config', config, '--token-file', dir.file('api-token')]);
    const started = await firstJson(api, 30_000);
    apiUrl = String(started['url']);
    token = readFileSync(dir.file('api-token'), 'utf8').trim();
    ui = await startUiServer(apiUrl);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await ui?.close();
    if (api !== null && api.exitCode === null) { api.kill('SIGTERM'); await exited(api, 10_000).catch(() => { api?.kill('SIGKILL'); }); }
    dir?.remove();
  });

  it('badge login → start a batch → live counters and a reject → QA rework → close and download the report → IT; every screen shot', async () => {
    const context: BrowserContext = await browser!.newContext({ viewport: { width: 1600, height: 1000 }, acceptDownloads: true, locale: 'zh-CN' });
    let demo: ChildProcess | null = null;
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      // The launch link sets the token cookie (for 127.0.0.1, any port), then the UI opens.
      await page.goto(`${apiUrl}/?token=${token}`);
      await page.goto(ui!.url);
      await page.getByTestId('badge-input').waitFor({ timeout: 15_000 });
      await capture(page, '01-login');

      // Wrong badge: the error says so, and the field is ready for the next scan.
      await page.keyboard.type('BADGE-NOBODY', { delay: 5 });
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByTestId('login-message').textContent(), { timeout: 10_000 }).toMatch(/不正确|锁定|稍/);
      await capture(page, '02-login-error');
      await page.waitForTimeout(1_200); // the API's back-off after a failed attempt (1 s)

      // Operator: badge, product, start = 3 actions.
      await loginByBadge(page, BADGES.operator);
      await page.getByTestId(`product-${DEMO_PRODUCT_ID}`).waitFor({ timeout: 10_000 });
      await capture(page, '03-operator-choose-product');
      await page.getByTestId(`product-${DEMO_PRODUCT_ID}`).click();
      expect(await page.getByTestId('chosen-packages').locator('li').count()).toBe(4);
      await capture(page, '04-operator-confirm-batch');
      await page.getByTestId('start-batch').click();
      await expect.poll(() => page.getByTestId('batch-state').textContent(), { timeout: 10_000 }).toBe('生产中');

      // The line runs (the demo resumes the batch the operator started); counters rise over the WebSocket.
      demo = wuma(['demo', '--db', dbPath, '--cases', '30', '--rate', '6', '--faults', 'missing=0.15,duplicate=0,foreign=0,noread=0.05,label=0', '--seed', '11', '--json']);
      await expect.poll(async () => Number(await page.getByTestId('count-cases').getAttribute('data-value')), { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
      const firstCases = Number(await page.getByTestId('count-cases').getAttribute('data-value'));
      await page.getByTestId('reject').first().waitFor({ timeout: 60_000 });
      await expect.poll(async () => Number(await page.getByTestId('count-cases').getAttribute('data-value')), { timeout: 60_000 }).toBeGreaterThan(firstCases);
      const reason = await page.getByTestId('reject').first().locator('.reject-reason').textContent();
      expect(reason).toMatch(/缺码|无读|重码|箱码异常|码包外|错码|超码|未关联|码已作废/);
      await capture(page, '05-operator-running');
      expect(await exited(demo, 120_000)).toBe(0);
      demo = null;
      await page.waitForTimeout(500);
      await capture(page, '06-operator-after-run');
      await logout(page);

      // QA: the reject → why, where, history → a signed rework action.
      await loginByBadge(page, BADGES.qa);
      await page.getByTestId('qa-scan').waitFor({ timeout: 10_000 });
      await page.getByTestId('qa-reject').first().click();
      await page.getByTestId('code-tree').waitFor({ timeout: 10_000 });
      await page.getByTestId('qa-why').waitFor({ timeout: 5_000 });
      await capture(page, '07-qa-reject');
      await page.getByTestId('rework-reworkDestroy').click();
      await page.getByTestId('sign-dialog').waitFor({ timeout: 5_000 });
      await page.getByTestId('sign-reason').fill('剔除箱报废 (rejected case scrapped)');
      await page.getByTestId('sign-pin').fill(PINS.qa);
      await capture(page, '08-qa-sign');
      await page.getByTestId('sign-confirm').click();
      await expect.poll(() => page.getByTestId('notice').textContent(), { timeout: 10_000 }).toMatch(/已完成|—/);
      const reworkNotice = await page.getByTestId('notice').textContent();
      await capture(page, '09-qa-after-rework');
      expect(reworkNotice).toContain('已完成');

      // QA closes the batch (signed) on the line screen and downloads the report.
      await page.getByTestId('tab-operator').click();
      await page.getByTestId('close-batch').click();
      await page.getByTestId('sign-reason').fill('计划完成');
      await page.getByTestId('sign-pin').fill(PINS.qa);
      await page.getByTestId('sign-confirm').click();
      await page.locator('[data-testid="batch-closed"], .notice-error').first().waitFor({ timeout: 15_000 }).catch(async (e: unknown) => {
        await page.screenshot({ path: `${SCREENS}/zz-close-failed.png`, fullPage: true });
        throw e;
      });
      expect(await page.locator('.notice-error').count(), (await page.getByTestId('notice').textContent()) ?? '').toBe(0);
      await capture(page, '10-batch-closed');
      const [pdf] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.locator('[data-testid^="report-pdf-"]').first().click()]);
      const pdfPath = dir.file('report.pdf');
      await pdf.saveAs(pdfPath);
      expect(readFileSync(pdfPath).subarray(0, 5).toString()).toBe('%PDF-');
      const [csv] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.locator('[data-testid^="report-csv-"]').first().click()]);
      const csvPath = dir.file('report.csv');
      await csv.saveAs(csvPath);
      expect(readFileSync(csvPath, 'utf8').length).toBeGreaterThan(20);
      await logout(page);

      // IT: devices, packages, sync, reports, charts.
      await loginByBadge(page, BADGES.it);
      await page.getByTestId('chart-throughput').waitFor({ timeout: 10_000 });
      await page.getByTestId('it-batches').locator('table').waitFor({ timeout: 10_000 });
      await capture(page, '11-it');

      // English switch, remembered across a reload.
      await page.getByTestId('lang-switch').click();
      await expect.poll(() => page.getByTestId('tab-it').textContent(), { timeout: 5_000 }).toBe('IT');
      await page.reload();
      await expect.poll(() => page.evaluate(() => document.documentElement.lang), { timeout: 10_000 }).toBe('en');
      await page.getByTestId('chart-throughput').waitFor({ timeout: 10_000 });
      await page.screenshot({ path: `${SCREENS}/12-it-english.png`, fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      if (demo !== null && demo.exitCode === null) { demo.kill('SIGKILL'); await exited(demo, 10_000).catch(() => undefined); }
      await context.close();
      ui?.dropConnections();
    }

    // No full cap-inner / case-inner code on any page (DESIGN §1).
    const db = new Database(dbPath, { readonly: true });
    try {
      const inner = db.prepare('SELECT code FROM codes WHERE kind IN (1, 3)').pluck().all() as string[];
      expect(inner.length).toBeGreaterThan(100);
      const found = pageTexts.flatMap((p) => inner.filter((c) => p.text.includes(c)).map((c) => `${p.screen}: ${c.slice(0, 4)}…`));
      expect(found).toEqual([]);
    } finally {
      db.close();
    }
  });
});
