import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../edge/cli/commands/demo.ts';
import { DEMO_ORDER_ID } from '../../edge/demo/demo-warehouse.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { launchChromium, scanGun, visibleText } from './support/browser.ts';

/**
 * `wuma demo` with its warehouse (issue 13 §6), as a person tries it: the demo prints the PDA page's link; once the
 * line has made two pallets the sample order ships from the PDA page in Chromium at 360×640 — badge, the order's
 * id as the dispatch sheet's barcode types it, the first pallet whole, two cases off the second — and completes.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE = `${ROOT}node_modules/.bin/node`;
const SCREENS = `${ROOT}test-results/screens`;
const WH = DEMO_USERS.find((u) => u.role === 'warehouse');

let dir: TempDir;
let demo: ChildProcess | null = null;
let out = '';
let err = '';
let browser: Browser | null = null;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function until<T>(what: string, ms: number, probe: () => T | null): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (demo?.exitCode !== null) throw new Error(`wuma demo exited ${String(demo?.exitCode)}: ${err}`);
    const v = probe();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`${what} not within ${ms} ms; stdout: ${out} stderr: ${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function exited(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms);
    child.on('exit', () => { clearTimeout(timer); resolve(); });
  });
}

beforeAll(async () => {
  mkdirSync(SCREENS, { recursive: true });
  dir = makeTempDir('wuma-demo-wh-');
  const port = await freePort();
  demo = spawn(NODE, [`${ROOT}edge/cli/main.ts`, 'demo', '--db', dir.file('demo.db'), '--api-port', String(port), '--api-token-file', dir.file('api-token'),
    '--cases', '24', '--rate', '20', '--faults', 'none', '--stock', '40', '--hold'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' } });
  demo.stdout?.on('data', (c: Buffer) => { out += c.toString(); });
  demo.stderr?.on('data', (c: Buffer) => { err += c.toString(); });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (demo !== null && demo.exitCode === null) { demo.kill('SIGTERM'); await exited(demo, 20_000).catch(() => { demo?.kill('SIGKILL'); }); }
  dir?.remove();
});

describe('wuma demo with a warehouse', () => {
  it('prints the PDA page link; after two pallets the sample order ships from the PDA page', async () => {
    const link = await until('the PDA link', 90_000, () => /PDA 出库页 \(PDA dispatch page\): (http:\/\/127\.0\.0\.1:\d+\/pda\/\?device=[A-Za-z0-9_-]{43})/.exec(out)?.[1] ?? null);
    expect(out).toMatch(new RegExp(`演示发货单 \\(demo order\\) ${DEMO_ORDER_ID}: 12 箱`));
    expect(out).toContain('warehouse DEMO-WH-0001');
    const dbFile = dir.file('demo.db');
    const pallets = await until('two pallets', 90_000, () => {
      if (!existsSync(dbFile)) return null;
      const db = new Database(dbFile, { readonly: true, fileMustExist: true });
      try {
        const codes = db.prepare(`SELECT code FROM containers WHERE level = 'pallet' AND state = 'closed' ORDER BY closed_at, code LIMIT 2`).pluck().all() as string[];
        if (codes.length < 2) return null;
        return codes.map((code) => ({ code, cases: db.prepare('SELECT code FROM codes WHERE parent = ? ORDER BY code').pluck().all(code) as string[] }));
      } finally {
        db.close();
      }
    });
    const [first, second] = pallets;
    if (first === undefined || second === undefined || WH === undefined) throw new Error('no pallets');
    expect(first.cases.length).toBe(10);

    const context = await browser!.newContext({ viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(link);
      expect(new URL(page.url()).pathname).toBe('/pda/');
      await page.getByTestId('badge-input').waitFor({ timeout: 15_000 });
      await scanGun(page, WH.badge, 2);
      await page.getByTestId(`order-${DEMO_ORDER_ID}`).waitFor({ timeout: 10_000 });
      await scanGun(page, DEMO_ORDER_ID, 2);
      await page.getByTestId('line-1').waitFor({ timeout: 10_000 });
      await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('scan-input');
      await scanGun(page, first.code, 2);
      await page.getByTestId('scan-1').waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('result-word').textContent()).toBe('✓ +10 箱');
      await scanGun(page, second.cases[0] ?? '', 2);
      await scanGun(page, second.cases[1] ?? '', 2);
      await expect.poll(() => page.getByTestId('line-1').getAttribute('data-shipped'), { timeout: 10_000 }).toBe('12');
      await scanGun(page, second.cases[2] ?? '', 2);
      await page.getByTestId('scan-4').waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('result-word').textContent()).toBe('超量');
      await page.getByTestId('complete').click();
      await expect.poll(() => page.getByTestId('order-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('shipped');
      await page.screenshot({ path: `${SCREENS}/demo-pda-shipped.png`, fullPage: true });
      const text = await visibleText(page);
      expect(text).not.toContain(WH.badge);
      expect(text).not.toContain(new URL(link).searchParams.get('device'));
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      expect(db.prepare('SELECT state FROM dispatch_orders WHERE id = ?').pluck().get(DEMO_ORDER_ID)).toBe('shipped');
    } finally {
      db.close();
    }
  });
});
