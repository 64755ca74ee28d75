import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startApi } from '../../edge/api/index.ts';
import { startBatch } from '../../edge/store/batches.ts';
import { openStore } from '../../edge/store/open.ts';
import { addUser } from '../../edge/store/users.ts';
import { verifyStore } from '../../edge/store/verify.ts';
import { closeAfterEach } from '../support/close-after-each.ts';
import { makeTempDir } from '../support/temp-dir.ts';
import { capsOfCase, packageUuids, seedLine, TEST_EPCIS } from './batch-line-fixture.ts';
import { launchChromium, scanGun, visibleText } from './support/browser.ts';

/**
 * The operator's manual-capture panel in Debian's Chromium against the local API serving the renderer (no station
 * in the process: the camera is down). Log in by badge → open 人工采集 → scan a whole case through the scan input
 * (a scan gun types and presses Enter): the prompt and the count advance, a bad scan turns red with its reason,
 * the case code commits the case. No full inner code on the page, no untranslated key.
 */
const SHOTS = fileURLToPath(new URL('../../test-results/capture/', import.meta.url));
const KEY_LIKE = /^(capture|reason|error|op|batch|common)\.[A-Za-z0-9.-]+$/;

const keep = closeAfterEach();

describe('manual capture panel in Chromium', () => {
  it('badge login → open the panel → scan a whole case: the prompt advances, a bad scan is refused in red, the case is committed', async () => {
    const dir = keep(makeTempDir('wuma-capture-ui-'), (d) => { d.remove(); });
    const store = keep(openStore(dir.file('wuma.db'), { checkpointer: false }), (s) => s.close());
    const m = seedLine(store.db, { cases: 4, spareCaps: 2 });
    const batchId = startBatch(store.db, { productId: m.productId, lot: 'L0301', productionDate: '2026-03-01', line: 'A1', packages: packageUuids(m), actor: 'op1' }).id;
    addUser(store.db, { id: 'op1', name: '王师傅', role: 'operator', pin: '246810', badge: 'BADGE-OP-0001' }, 'admin');
    const api = keep(await startApi({ store, epcis: TEST_EPCIS, line: 'A1' }), (a) => a.close());
    const browser = keep(await launchChromium(), (b) => b.close());
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, locale: 'zh-CN' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${api.url}/?token=${api.token}`);
    await page.getByTestId('badge-input').waitFor({ timeout: 15_000 });
    await page.getByTestId('badge-input').focus();
    await scanGun(page, 'BADGE-OP-0001', 2);
    await page.getByTestId('open-capture').click({ timeout: 10_000 });

    const prompt = page.getByTestId('capture-prompt');
    const count = page.getByTestId('capture-count');
    await expect.poll(() => prompt.textContent(), { timeout: 10_000 }).toBe('请扫瓶码');
    expect(await count.textContent()).toBe('0 / 4');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('capture-scan');

    const caps = capsOfCase(m, 0);
    const texts: string[] = [];
    for (const [i, code] of caps.entries()) {
      await scanGun(page, code, 2);
      await expect.poll(() => count.textContent(), { timeout: 5_000 }).toBe(`${i + 1} / 4`);
      if (i === 1) {
        // The same bottle again, then a cap turned over (its inner code): red, with the reason; the inner code masked.
        await scanGun(page, code, 2);
        await expect.poll(() => page.getByTestId('capture-refused').getAttribute('data-reason'), { timeout: 5_000 }).toBe('duplicate');
        expect(await page.getByTestId('capture-refused').textContent()).toContain('重码');
        await scanGun(page, m.caps[9]!.inner, 2);
        await expect.poll(() => page.getByTestId('capture-refused').textContent(), { timeout: 5_000 }).toContain('这是盖内码');
        expect(await page.getByTestId('capture-refused').textContent()).toContain('…');
        mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: `${SHOTS}/capture-refused.png`, fullPage: true });
        texts.push(await visibleText(page));
        expect(await count.textContent()).toBe('2 / 4');
      }
    }
    await expect.poll(() => prompt.textContent(), { timeout: 5_000 }).toBe('请扫箱码');
    expect(await page.getByTestId('capture-code').allTextContents()).toEqual(caps.map((c, i) => `${i + 1}.${c}`));
    await page.screenshot({ path: `${SHOTS}/capture-case-code.png`, fullPage: true });
    texts.push(await visibleText(page));

    await scanGun(page, m.cases[0]!.outer, 2);
    await expect.poll(() => page.getByTestId('capture-ok').getAttribute('data-action'), { timeout: 5_000 }).toBe('case-committed');
    expect(await page.getByTestId('capture-ok').textContent()).toContain('装箱成功');
    await expect.poll(() => prompt.textContent()).toBe('请扫瓶码');
    expect(await count.textContent()).toBe('0 / 4');
    expect(await page.getByTestId('capture-tally-cases').getAttribute('data-value')).toBe('1');
    expect(await page.getByTestId('capture-tally-refused').getAttribute('data-value')).toBe('2');
    texts.push(await visibleText(page));

    const db = store.db;
    expect(db.prepare('SELECT batch_id, child_count FROM containers WHERE code = ?').get(m.cases[0]!.outer)).toEqual({ batch_id: batchId, child_count: 4 });
    expect(db.prepare(`SELECT actor FROM audit_log WHERE action = 'case.manual-capture'`).pluck().all()).toEqual(['op1']);
    expect(verifyStore(db).checks.filter((c) => !c.ok)).toEqual([]);

    // The control buttons: to the pallet level and back; then end, back on the live screen.
    await page.getByTestId('capture-ctl-pallet').click();
    await expect.poll(() => prompt.textContent()).toBe('请扫箱码组垛');
    await page.getByTestId('capture-ctl-case').click();
    await expect.poll(() => prompt.textContent()).toBe('请扫瓶码');
    await page.getByTestId('capture-end').click();
    await page.getByTestId('batch-bar').waitFor({ timeout: 5_000 });
    expect(await page.getByTestId('notice').textContent()).toContain('人工采集结束');
    texts.push(await visibleText(page));

    const secrets = [...m.caps.map((c) => c.inner), ...m.cases.map((c) => c.inner)];
    const all = texts.join('\n');
    expect(all).toContain('…');
    expect(secrets.filter((s) => all.includes(s)).map((s) => `${s.slice(0, 4)}…`)).toEqual([]);
    expect(all.split('\n').map((s) => s.trim()).filter((s) => KEY_LIKE.test(s))).toEqual([]);
    expect(errors).toEqual([]);
  });
});
