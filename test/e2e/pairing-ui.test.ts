import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { READER_EMULATORS } from '../../scanners/index.ts';
import { parsePairingConfig } from '../../edge/config/pairing-config.ts';
import { QueueFeed } from '../../edge/demo/queue-feed.ts';
import { startPairingStation } from '../../edge/pairing/pairing-runtime.ts';
import type { PairingItemOutcome } from '../../edge/pairing/pairing-station.ts';
import { startPairingUi } from '../../edge/pairing/pairing-ui.ts';
import { startModbusPlcEmulator } from '../../edge/plc/emulators/modbus-plc-emulator.ts';
import { DEFAULT_REGISTER_MAP } from '../../edge/plc/register-map.ts';
import { SILENT_LOGGER } from '../../edge/station/logger.ts';
import { openStore } from '../../edge/store/open.ts';
import { closeAfterEach } from '../support/close-after-each.ts';
import { seedPairingMaterial } from '../support/pairing-material.ts';
import { makeTempDir } from '../support/temp-dir.ts';
import { launchChromium, visibleText } from './support/browser.ts';

const keep = closeAfterEach();
const HOST = '127.0.0.1';
const SCREENS = fileURLToPath(new URL('../../test-results/screens', import.meta.url));

/**
 * The pairing station's operator screen (issue 15 §2) in Debian's Chromium, against the real pairing station on
 * loopback emulators: counters, waste by reason and last items follow the line; no full inner code on the page;
 * a wrong token shows what to do instead of data.
 */
describe('pairing screen in Chromium', () => {
  it('shows counters, reasons and last items as the line runs, inner codes masked', async () => {
    const dir = keep(makeTempDir(), (d) => { d.remove(); });
    const seedStore = openStore(dir.file('supplier.db'), { checkpointer: false });
    const m = seedPairingMaterial(seedStore.db, { count: 6 });
    await seedStore.close();
    const innerFeed = new QueueFeed();
    const outerFeed = new QueueFeed();
    const listen = { kind: 'tcp-listen', host: HOST, port: 0 } as const;
    const innerEm = keep(await READER_EMULATORS.keyence({ endpoint: listen, feed: innerFeed }).start(), (e) => e.stop());
    const outerEm = keep(await READER_EMULATORS.cognex({ endpoint: listen, feed: outerFeed }).start(), (e) => e.stop());
    const plc = keep(await startModbusPlcEmulator({ map: DEFAULT_REGISTER_MAP, tcp: { host: HOST, port: 0 }, confirm: { mode: 'delay', ms: 2 }, heartbeatMs: 100 }), (p) => p.close());
    const config = parsePairingConfig({
      mode: 'pairing', station: { id: 'CAP-P1', name: '瓶盖印刷 1 线', line: 'P1' }, database: dir.file('supplier.db'),
      pairing: {
        innerPackage: m.innerPackage, outerPackage: m.outerPackage,
        innerReader: { driver: 'keyence', tcp: `${HOST}:${innerEm.port}` }, outerReader: { driver: 'cognex', tcp: `${HOST}:${outerEm.port}` },
      },
      plc: { driver: 'modbus-tcp', tcp: `${HOST}:${plc.tcpPort ?? 0}` },
    });
    const running = keep(await startPairingStation(config, { logger: SILENT_LOGGER, plcTiming: { pollIntervalMs: 5 } }), (r) => r.stop());
    const ui = keep(await startPairingUi(() => running.status(), { port: 0, log: SILENT_LOGGER }), (u) => u.close());
    const outcomes: PairingItemOutcome[] = [];
    let wake: (() => void) | null = null;
    running.station.onOutcome((o) => { outcomes.push(o); wake?.(); });
    const pass = async (inner: string[], outer: string[]): Promise<void> => {
      const n = outcomes.length + 1;
      innerFeed.push(inner);
      outerFeed.push(outer);
      plc.plc.advanceTrigger(1);
      while (outcomes.length < n) await new Promise<void>((resolve) => { wake = resolve; });
    };
    await pass([m.inner[0]!], [m.outer[0]!]);
    await pass([], [m.outer[1]!]);
    await pass([m.inner[2]!], ['FOREIGN00001']);
    await pass([m.inner[3]!], [m.outer[3]!]);

    const browser = keep(await launchChromium(), (b) => b.close());
    const page = await browser.newPage();
    await page.goto(`${ui.url}/pairing.html?token=${ui.token}`);
    await page.waitForFunction(() => document.querySelector('[data-testid=count-items] .counter-value')?.textContent === '4');
    expect(await page.textContent('[data-testid=count-paired] .counter-value')).toBe('2');
    expect(await page.textContent('[data-testid=count-waste] .counter-value')).toBe('2');
    expect(await page.textContent('[data-testid=reason-one-side] .counter-value')).toBe('1');
    expect(await page.textContent('[data-testid=reason-foreign] .counter-value')).toBe('1');
    expect(page.url()).not.toContain(ui.token);
    const text = await visibleText(page);
    expect(text).toContain('单面无读');
    expect(text).toContain(m.outer[0]);
    for (const c of m.inner) expect(text).not.toContain(c);
    mkdirSync(SCREENS, { recursive: true });
    await page.screenshot({ path: `${SCREENS}/pairing.png`, fullPage: true });

    // The next item appears without a reload.
    await pass([m.inner[4]!], [m.outer[4]!]);
    await page.waitForFunction(() => document.querySelector('[data-testid=count-paired] .counter-value')?.textContent === '3');

    const stranger = await browser.newPage();
    await stranger.goto(`${ui.url}/pairing.html?token=wrong`);
    await stranger.waitForFunction(() => document.querySelector('[data-testid=notice]')?.hasAttribute('hidden') === false);
    expect(await stranger.textContent('[data-testid=notice]')).toMatch(/令牌无效/);
    expect(await stranger.$('[data-testid=item-1]')).toBeNull();
  });
});
