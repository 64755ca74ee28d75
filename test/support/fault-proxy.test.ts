import { createServer, request, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type Fault, type FaultProxy } from './fault-proxy.ts';

let server: Server;
let port = 0;
let handled = 0;
let proxy: FaultProxy | undefined;

beforeEach(async () => {
  handled = 0;
  server = createServer((req, res) => { handled += 1; req.resume(); req.on('end', () => { res.end(`ok ${req.method}`); }); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  port = a !== null && typeof a !== 'string' ? a.port : 0;
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

/** One request with a fresh connection; resolves to the body or the error code. */
function get(url: string, timeoutMs = 1_000): Promise<string> {
  return new Promise((resolve) => {
    const req = request(`${url}/x`, { method: 'POST', agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => { resolve(body); });
      res.on('error', () => { resolve('response-error'); });
    });
    req.setTimeout(timeoutMs, () => { req.destroy(new Error('timeout')); });
    req.on('error', (e: NodeJS.ErrnoException) => { resolve(e.message === 'timeout' ? 'timeout' : e.code ?? e.message); });
    req.end('hello');
  });
}

async function withFault(fault: Fault): Promise<FaultProxy> {
  proxy = await startFaultProxy({ target: { host: '127.0.0.1', port }, plan: () => fault });
  return proxy;
}

describe('fault proxy', () => {
  it('passes requests through and reports each exchange', async () => {
    const p = await withFault({ kind: 'pass' });
    const lines: string[] = [];
    p.onExchange((info) => { lines.push(info.requestLine); });
    expect(await get(p.url)).toBe('ok POST');
    expect(lines).toEqual(['POST /x HTTP/1.1']);
    expect(p.stats().faults.pass).toBe(1);
  });

  it('reset: the client sees a reset and the server never sees the request', async () => {
    const p = await withFault({ kind: 'reset' });
    expect(await get(p.url)).toBe('ECONNRESET');
    expect(handled).toBe(0);
  });

  it('drop-response: the server handles the request, the client never gets the answer', async () => {
    const p = await withFault({ kind: 'drop-response' });
    expect(['ECONNRESET', 'response-error', 'socket hang up']).toContain(await get(p.url));
    expect(handled).toBe(1);
  });

  it('blackhole: nothing reaches the server and the client times out', async () => {
    const p = await withFault({ kind: 'blackhole' });
    expect(await get(p.url, 200)).toBe('timeout');
    expect(handled).toBe(0);
  });

  it('latency delays the exchange by at least the configured time', async () => {
    const p = await withFault({ kind: 'latency', ms: 120 });
    const t = performance.now();
    expect(await get(p.url)).toBe('ok POST');
    expect(performance.now() - t).toBeGreaterThanOrEqual(115);
  });

  it('partition resets every connection until healed', async () => {
    const p = await withFault({ kind: 'pass' });
    p.partition();
    expect(await get(p.url)).toBe('ECONNRESET');
    expect(p.stats().refused).toBe(1);
    p.heal();
    expect(await get(p.url)).toBe('ok POST');
    expect(handled).toBe(1);
  });
});
