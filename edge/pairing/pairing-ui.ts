import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { contentSecurityPolicy, readStaticFile } from '../api/static-files.ts';
import type { Logger } from '../station/logger.ts';

const RENDERER = fileURLToPath(new URL('../../desktop/renderer/', import.meta.url));

export interface PairingUi {
  readonly url: string;
  readonly port: number;
  /** The per-launch token (only in the link handed to the operator's browser and the token file). */
  readonly token: string;
  close(): Promise<void>;
}

/**
 * The pairing station's local page (issue 15 §2) on 127.0.0.1: `/pairing.html` (desktop/renderer, the same static
 * handler and CSP as the line station's UI) and `GET /api/pairing/status` (the station's status, inner codes
 * masked) behind a per-launch bearer token. Read-only: the pairing mode has no operator commands yet.
 */
export async function startPairingUi(status: () => unknown, options: { readonly port: number; readonly log: Logger }): Promise<PairingUi> {
  const token = randomBytes(24).toString('base64url');
  const want = Buffer.from(token);
  const authorised = (header: string | undefined): boolean => {
    const got = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
    return got.length === want.length && timingSafeEqual(got, want);
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (code: number, type: string, body: string | Buffer): void => {
      res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-security-policy': contentSecurityPolicy([]) });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, 'text/plain; charset=utf-8', '只读 (read-only)');
    if (url.pathname === '/api/pairing/status') {
      if (!authorised(req.headers.authorization)) return send(401, 'application/json', JSON.stringify({ error: { code: 'UNAUTHORIZED', message: '令牌无效 (invalid token)' } }));
      try {
        return send(200, 'application/json; charset=utf-8', JSON.stringify(status()));
      } catch (error) {
        options.log.error('配对状态读取失败 (pairing status failed)', { error: error instanceof Error ? error.message : String(error) });
        return send(500, 'application/json', JSON.stringify({ error: { code: 'INTERNAL', message: '状态读取失败 (status failed)' } }));
      }
    }
    const path = url.pathname === '/' ? '/pairing.html' : url.pathname;
    void readStaticFile(RENDERER, path).then((f) => {
      if (f.kind === 'missing') send(404, 'text/plain; charset=utf-8', '未找到 (not found)');
      else send(200, f.contentType, f.data);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`, port, token,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
