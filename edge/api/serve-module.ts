import { readFileSync, statSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { extname } from 'node:path';

/** What a static handler sends for one file of the browser UI. */
export interface ServedModule {
  readonly contentType: string;
  readonly body: Buffer | string;
}

const JS = 'text/javascript; charset=utf-8';
const TYPES: Readonly<Record<string, string>> = {
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.wav': 'audio/wav',
  '.js': JS,
};

/** Stripped sources by path and modification time: the renderer's modules are fetched on every page load. */
const cache = new Map<string, { readonly mtimeMs: number; readonly body: string }>();

/**
 * One file of the browser UI (desktop/renderer, desktop/shared, edge/api/contract.ts and client.ts) as a browser
 * can use it. Browsers cannot run TypeScript: a `.ts` file is type-stripped with Node's own
 * `module.stripTypeScriptTypes` (the same erasure Node applies when it runs the file, so what the tests and the
 * typechecker see is what the browser runs) and served as `text/javascript`. Import specifiers keep their `.ts`
 * extension: the browser resolves them as URLs, which this same function serves. Whitespace replaces the erased
 * types, so line and column numbers in browser errors match the source.
 *
 * The caller decides which paths may be served (it must confine them to those folders); this throws the fs
 * error for a missing file and a RangeError for a type it does not serve.
 */
export function serveModule(filePath: string): ServedModule {
  const ext = extname(filePath).toLowerCase();
  if (ext === '.ts') {
    const mtimeMs = statSync(filePath).mtimeMs;
    const hit = cache.get(filePath);
    if (hit !== undefined && hit.mtimeMs === mtimeMs) return { contentType: JS, body: hit.body };
    const body = stripTypeScriptTypes(readFileSync(filePath, 'utf8'), { mode: 'strip' });
    cache.set(filePath, { mtimeMs, body });
    return { contentType: JS, body };
  }
  const contentType = TYPES[ext];
  if (contentType === undefined) throw new RangeError(`serveModule: files of type ${JSON.stringify(ext)} are not served`);
  return { contentType, body: readFileSync(filePath) };
}
