import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveModule } from './serve-module.ts';

/**
 * Files outside the renderer directory the browser may load, by URL path: the renderer imports
 * `../../edge/api/client.ts` and `contract.ts`, which resolve to these URLs. Nothing else outside it is served.
 */
const EXTRA: Readonly<Record<string, string>> = {
  '/edge/api/contract.ts': fileURLToPath(new URL('./contract.ts', import.meta.url)),
  '/edge/api/client.ts': fileURLToPath(new URL('./client.ts', import.meta.url)),
  '/edge/api/warehouse-contract.ts': fileURLToPath(new URL('./warehouse-contract.ts', import.meta.url)),
};
/** Types serveModule handles (`.ts` is type-stripped for the browser). */
const MODULE_TYPES = new Set(['.ts', '.js', '.json', '.css', '.html', '.svg', '.wav']);

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf', '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg', '.ogg': 'audio/ogg', '.txt': 'text/plain; charset=utf-8', '.map': 'application/json; charset=utf-8',
};

/** The Content-Security-Policy of the UI: only our own origin, and WebSockets to loopback (or our LAN host). */
export function contentSecurityPolicy(wsOrigins: readonly string[]): string {
  return [
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'", "media-src 'self'",
    `connect-src 'self' ${wsOrigins.join(' ')}`, "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'",
  ].join('; ');
}

export type StaticFile = { readonly kind: 'file'; readonly data: Buffer; readonly contentType: string } | { readonly kind: 'missing' };

/**
 * Reads a file of the renderer directory for a URL path. `/` is `index.html`; paths are decoded, and a path that
 * leaves the directory (`..`, symlinks pointing out, NUL) is missing, never read. Dot-files are never served.
 */
export async function readStaticFile(root: string, urlPath: string): Promise<StaticFile> {
  const extra = EXTRA[urlPath];
  if (extra !== undefined) {
    const served = serveModule(extra);
    return { kind: 'file', data: Buffer.from(served.body), contentType: served.contentType };
  }
  let decoded: string;
  try { decoded = decodeURIComponent(urlPath); } catch { return { kind: 'missing' }; }
  if (decoded.includes('\0') || decoded.split('/').some((seg) => seg.startsWith('.'))) return { kind: 'missing' };
  const rel = decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  try {
    const base = await realpath(root);
    const full = await realpath(join(base, rel));
    if (full !== base && !full.startsWith(base + sep)) return { kind: 'missing' };
    if (!(await stat(full)).isFile()) return { kind: 'missing' };
    const ext = extname(full).toLowerCase();
    if (MODULE_TYPES.has(ext)) {
      const served = serveModule(full);
      return { kind: 'file', data: Buffer.from(served.body), contentType: served.contentType };
    }
    return { kind: 'file', data: await readFile(full), contentType: TYPES[ext] ?? 'application/octet-stream' };
  } catch {
    return { kind: 'missing' };
  }
}
