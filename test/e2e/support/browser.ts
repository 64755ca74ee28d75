import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { join, normalize, sep } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { serveModule } from '../../../edge/api/serve-module.ts';

/** Debian's Chromium, headless, with everything that phones home switched off. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', '--autoplay-policy=no-user-gesture-required'],
    timeout: 30_000,
  });
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RENDERER = join(ROOT, 'desktop/renderer');
/** Files outside desktop/renderer the browser may load, by URL path (the renderer's `../../edge/api/…` imports). */
const EXTRA: Readonly<Record<string, string>> = {
  '/edge/api/contract.ts': join(ROOT, 'edge/api/contract.ts'),
  '/edge/api/client.ts': join(ROOT, 'edge/api/client.ts'),
};

export interface UiServer {
  readonly url: string;
  /** Ends every open connection (between tests, so no socket outlives the test that opened it). */
  dropConnections(): void;
  close(): Promise<void>;
}

/**
 * Test-only: serves the renderer through `serveModule` (type-stripped `.ts`) on its own loopback port and
 * forwards `/api/*` and the `/api/ws` upgrade to a running API, with Host and Origin rewritten to the API's own
 * (the API refuses foreign ones). Used while the API's static handler serves `.ts` files as they are. Cookies are
 * per host, not per port, so the token cookie the API sets for 127.0.0.1 reaches both.
 */
export async function startUiServer(apiUrl: string): Promise<UiServer> {
  const api = new URL(apiUrl);
  let self = '';
  const rewrite = (headers: IncomingMessage['headers']): IncomingMessage['headers'] => ({
    ...headers, host: api.host, ...(headers.origin === undefined ? {} : { origin: api.origin }),
    ...(headers.referer === undefined ? {} : { referer: headers.referer.replace(self, api.origin) }),
  });
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      const upstream = request({ host: api.hostname, port: api.port, path: req.url, method: req.method, headers: rewrite(req.headers), agent: false }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => { res.destroy(); });
      req.pipe(upstream);
      return;
    }
    const file = EXTRA[url.pathname] ?? normalize(join(RENDERER, url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname)));
    if (EXTRA[url.pathname] === undefined && !file.startsWith(RENDERER + sep)) { res.writeHead(404).end(); return; }
    try {
      const served = serveModule(file);
      res.writeHead(200, { 'content-type': served.contentType, 'cache-control': 'no-store' }).end(served.body);
    } catch {
      res.writeHead(404).end();
    }
  });
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    const up = connect(Number(api.port), api.hostname, () => {
      const headers = rewrite(req.headers);
      const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`, ...Object.entries(headers).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).filter((x) => x !== undefined).map((x) => `${k}: ${x}`))];
      up.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) up.write(head);
      up.pipe(socket).pipe(up);
    });
    const end = (): void => { up.destroy(); socket.destroy(); };
    up.on('error', end);
    socket.on('error', end);
    socket.on('close', end);
    up.on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  self = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  server.on('upgrade', (_req, s) => { sockets.add(s as import('node:net').Socket); });
  return {
    url: self,
    dropConnections: () => { for (const s of sockets) s.destroy(); server.closeAllConnections(); },
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
