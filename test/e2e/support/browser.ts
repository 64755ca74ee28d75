import { chromium, type Browser, type Page } from 'playwright-core';

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

/** A scan gun is a keyboard that types fast and ends with Enter: types `text` into the focused field and submits. */
export async function scanGun(page: Page, text: string, delayMs = 5): Promise<void> {
  await page.keyboard.type(text, { delay: delayMs });
  await page.keyboard.press('Enter');
}

/**
 * The page's visible text, one text node per line (for masking and untranslated-key checks); with `inputs`, the
 * values of the input fields too.
 */
export function visibleText(page: Page, options: { readonly inputs?: boolean } = {}): Promise<string> {
  return page.evaluate((withInputs) => {
    const parts: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) parts.push(n.textContent ?? '');
    if (withInputs) for (const el of document.querySelectorAll('input')) parts.push((el as HTMLInputElement).value);
    return parts.join('\n');
  }, options.inputs === true);
}
