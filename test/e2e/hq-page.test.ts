/**
 * Issue 14 §4: the HQ page in Debian's Chromium, served by the receiver itself at `/hq/`, on both storage
 * adapters (a SQLite file; a throwaway PostgreSQL 15 cluster). Two stations of two factories send real capture
 * documents over HTTP; station B commissions a cap-inner code station A already commissioned (a leaked code
 * package). The page asks for the token (a wrong one is refused), then shows sites → lines → stations with their
 * last capture, the conflict with what to do, and looks codes up — the inner code masked on every screen and in
 * the page source. A screenshot of each goes to test-results/screens/.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureDocument } from '../../sync/epcis/capture-document.ts';
import { parseEpcisContext } from '../../sync/epcis/epcis-context.ts';
import { freezeEvent } from '../../sync/epcis/freeze-event.ts';
import type { LineFact } from '../../sync/epcis/line-fact.ts';
import { mapFact } from '../../sync/epcis/map-fact.ts';
import { startReceiver, type RunningHqReceiver } from '../../sync/index.ts';
import { closeAfterEach } from '../support/close-after-each.ts';
import { startPgCluster } from '../support/postgres.ts';
import { makeTempDir } from '../support/temp-dir.ts';
import { launchChromium, visibleText } from './support/browser.ts';

const SCREENS = fileURLToPath(new URL('../../test-results/screens', import.meta.url));
const TOKEN = 'hq-page-test-token';
const INNER = 'N7K2P4X9Q8M3Z5';
const INNER_MASKED = 'N7K2…Z5';
const ID = (kind: string, code: string): string => `https://c.brand.example/${kind}/${code}`;
const CAPS = Array.from({ length: 12 }, (_, i) => `AO${String(i).padStart(8, '0')}`);

const keep = closeAfterEach();
let browser: Browser | null = null;
beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(SCREENS, { recursive: true });
}, 60_000);
afterAll(async () => { await browser?.close(); });

const station = (site: number, ext: string) => parseEpcisContext({
  readPoint: `urn:epc:id:sgln:6901234.${String(site).padStart(5, '0')}.${ext}`,
  bizLocation: `urn:epc:id:sgln:6901234.${String(site).padStart(5, '0')}.0`,
  identifiers: { uriTemplate: 'https://c.brand.example/{kind}/{code}' },
});

async function send(r: RunningHqReceiver, ctx: ReturnType<typeof station>, facts: readonly LineFact[]): Promise<void> {
  const bodies = facts.map((f) => freezeEvent(mapFact(f, ctx)).body);
  const res = await fetch(`${r.url}/capture`, { method: 'POST', body: captureDocument(bodies), headers: { 'Content-Type': 'application/ld+json', Authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(202);
  const job = await fetch(`${r.url}${res.headers.get('location') ?? ''}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  expect(((await job.json()) as { success: boolean }).success).toBe(true);
}

/** The planted story: station A (factory 1, line L1) packs a case; station B (factory 2, line L2) commissions A's cap-inner code again. */
async function plant(r: RunningHqReceiver): Promise<void> {
  const t = Date.now() - 60_000;
  await send(r, station(1, 'L1-S1'), [
    { type: 'commissioning', time: t, kind: 'cap-outer', codes: CAPS, lot: 'L2611' },
    { type: 'commissioning', time: t, kind: 'cap-inner', codes: [INNER], lot: 'L2611' },
    { type: 'commissioning', time: t, kind: 'case-outer', codes: ['AC00000001'], lot: 'L2611' },
    { type: 'packing', time: t, parentKind: 'case-outer', parent: 'AC00000001', childKind: 'cap-outer', children: CAPS },
  ]);
  await send(r, station(2, 'L2-S1'), [{ type: 'commissioning', time: t + 1000, kind: 'cap-inner', codes: [INNER], lot: 'L2611' }]);
}

async function noFullInnerCode(page: Page): Promise<void> {
  expect(await visibleText(page, { inputs: false })).not.toContain(INNER);
  expect(await page.content()).not.toContain(INNER);
}

async function checkPage(r: RunningHqReceiver, name: string): Promise<void> {
  // The shell needs no token; the data does.
  expect((await fetch(`${r.url}/hq/`)).status).toBe(200);
  expect((await fetch(`${r.url}/hq/overview`)).status).toBe(401);
  const context = await browser!.newContext({ viewport: { width: 1500, height: 1000 }, locale: 'zh-CN' });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${r.url}/hq`);
    await page.getByTestId('hq-token').fill('not-the-token');
    await page.getByTestId('hq-token-go').click();
    await expect.poll(async () => page.getByTestId('hq-token-error').textContent(), { timeout: 10_000 }).toContain('访问令牌错误');
    await page.getByTestId('hq-token').fill(TOKEN);
    await page.getByTestId('hq-token-go').click();
    await page.getByTestId('hq-conflict').first().waitFor({ timeout: 15_000 });

    const sites = await page.getByTestId('hq-sites').innerText();
    expect(sites).toContain('工厂 GLN 6901234000016');
    expect(sites).toContain('工厂 GLN 6901234000023');
    expect(sites).toContain('产线 L1');
    expect(sites).toContain('产线 L2');
    expect(await page.getByTestId('hq-station').count()).toBe(2);
    expect(sites).toMatch(/工位 S1\s+4\s/); // station A: 4 events
    expect(sites).toMatch(/秒前|分钟前/);

    const conflicts = page.getByTestId('hq-conflict');
    expect(await conflicts.count()).toBe(1);
    const text = await conflicts.first().innerText();
    expect(text).toContain('重复赋码 (COMMISSIONED_TWICE)');
    expect(await page.getByTestId('hq-conflict-code').innerText()).toBe(`https://c.brand.example/cap-inner/${INNER_MASKED}`);
    expect(text).toContain('https://id.gs1.org/414/6901234000016/254/L1-S1'); // who commissioned it first
    expect(text).toContain('处理建议');
    expect(text).toContain('码包');
    expect(await page.getByTestId('hq-conflict-count').innerText()).toContain('1');
    expect(await page.getByTestId('hq-events').innerText()).toContain('5');
    // events/s comes from two overviews: after the next refresh it is a number (no events arrived meanwhile: 0).
    await expect.poll(async () => page.getByTestId('hq-rate').innerText(), { timeout: 10_000 }).toMatch(/^0\n/);
    await noFullInnerCode(page);
    await page.screenshot({ path: `${SCREENS}/hq-${name}-overview.png`, fullPage: true });

    // Code lookup through GET /epcs/{epc}: a cap in its case; then the inner code, masked.
    await page.getByTestId('hq-lookup-input').fill(ID('cap-outer', CAPS[3] ?? ''));
    await page.getByTestId('hq-lookup-go').click();
    await expect.poll(async () => page.getByTestId('hq-lookup-result').innerText(), { timeout: 10_000 }).toContain(ID('case-outer', 'AC00000001'));
    const cap = await page.getByTestId('hq-lookup-result').innerText();
    expect(cap).toContain('事件数 (events)\n2');
    expect(cap).toContain('packing ADD');
    await page.screenshot({ path: `${SCREENS}/hq-${name}-lookup-cap.png`, fullPage: true });
    await page.getByTestId('hq-lookup-input').fill(ID('cap-inner', INNER));
    await page.getByTestId('hq-lookup-go').click();
    await expect.poll(async () => page.getByTestId('hq-lookup-result').innerText(), { timeout: 10_000 }).toContain(`cap-inner/${INNER_MASKED}`);
    await page.getByTestId('hq-lookup-input').fill('');
    await page.getByTestId('hq-lookup-input').fill(ID('cap-outer', 'NEVER-SEEN'));
    await page.getByTestId('hq-lookup-go').click();
    await expect.poll(async () => page.getByTestId('hq-lookup-result').innerText(), { timeout: 10_000 }).toContain('总部没有这个码的事件');
    await page.getByTestId('hq-lookup-input').fill('');
    await noFullInnerCode(page);
    await page.screenshot({ path: `${SCREENS}/hq-${name}-lookup.png`, fullPage: true });
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
}

describe('HQ page (Chromium)', () => {
  it('SQLite adapter: token, sites → lines → stations, the planted double commissioning masked with what to do, code lookup', async () => {
    const dir = keep(makeTempDir(), (d) => { d.remove(); });
    const r = keep(await startReceiver({ port: 0, dbPath: dir.file('hq.db'), token: TOKEN }), (x) => x.close());
    await plant(r);
    await checkPage(r, 'sqlite');
  }, 90_000);

  it('PostgreSQL adapter: the same page from a receiver on PostgreSQL 15', async () => {
    const cluster = keep(await startPgCluster(), (c) => { c.stop(); });
    const r = keep(await startReceiver({ port: 0, pg: cluster.url, pgPoolMax: 2, token: TOKEN }), (x) => x.close());
    await plant(r);
    await checkPage(r, 'postgres');
  }, 120_000);
});
