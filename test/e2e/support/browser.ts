import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium, headless, with everything that phones home switched off. The UI under test is served by
 * edge itself (the local API's static handler type-strips the renderer's `.ts` modules), so no test server sits
 * between the browser and the API.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', '--autoplay-policy=no-user-gesture-required'],
    timeout: 30_000,
  });
}
