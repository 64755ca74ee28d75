/**
 * The files of the HQ page (issue 14 §4) as the receiver serves them under `/hq/`: the page shell, its browser
 * module, its stylesheet, the station UI's stylesheet (desktop/renderer/styles.css, so both look alike) and the
 * two sync/epcis modules the page imports for masking. A fixed list — nothing else is ever read from disk.
 *
 * The files hold no data and no secret, so they are served without the token; the data behind them
 * (`GET /hq/overview`, `GET /epcs/{epc}`) needs the receiver's bearer token like every other endpoint.
 * `.ts` files are type-stripped with Node's own `module.stripTypeScriptTypes` (what Node runs is what the
 * browser runs); their import specifiers resolve to paths of this same list.
 */
import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));

const FILES: Readonly<Record<string, string>> = {
  '/hq/': here('./hq-page/index.html'),
  '/hq/index.html': here('./hq-page/index.html'),
  '/hq/hq-main.ts': here('./hq-page/hq-main.ts'),
  '/hq/hq.css': here('./hq-page/hq.css'),
  '/hq/station.css': here('../../desktop/renderer/styles.css'),
  // hq-main.ts imports '../../epcis/mask-secret.ts': from /hq/ that URL is /epcis/mask-secret.ts.
  '/epcis/mask-secret.ts': here('../epcis/mask-secret.ts'),
  '/epcis/line-fact.ts': here('../epcis/line-fact.ts'),
};

const TYPES: Readonly<Record<string, string>> = { html: 'text/html; charset=utf-8', ts: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

/** The page's Content-Security-Policy: its own origin only. */
export const HQ_PAGE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface HqPageFile {
  readonly contentType: string;
  readonly body: string;
}

const cache = new Map<string, HqPageFile>();

/** The file for a URL path, or undefined when the path is not one of the page's. `/hq` redirects are the caller's. */
export function hqPageFile(path: string): HqPageFile | undefined {
  const file = FILES[path];
  if (file === undefined) return undefined;
  const hit = cache.get(path);
  if (hit !== undefined) return hit;
  const ext = file.slice(file.lastIndexOf('.') + 1);
  const text = readFileSync(file, 'utf8');
  const served = { contentType: TYPES[ext] ?? 'application/octet-stream', body: ext === 'ts' ? stripTypeScriptTypes(text, { mode: 'strip' }) : text };
  cache.set(path, served);
  return served;
}
