import { request } from 'node:https';

export interface HttpsAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  readonly body: Buffer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly json: any;
}

/**
 * One HTTPS request to the local API on 127.0.0.1, the server's certificate checked against `ca` (the test
 * certificate: a LAN station's own). `body` is sent as JSON. Never follows redirects (the tests look at them).
 */
export function httpsCall(port: number, ca: string | Buffer, method: string, path: string, options: { readonly headers?: Readonly<Record<string, string>>; readonly body?: unknown } = {}): Promise<HttpsAnswer> {
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port, method, path, ca, servername: 'localhost', agent: false,
      headers: { host: `127.0.0.1:${port}`, ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(payload.length) }), ...options.headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        let json: unknown = null;
        try { json = JSON.parse(text); } catch { json = null; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}
