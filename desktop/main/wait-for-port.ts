import { connect, createServer } from 'node:net';

/**
 * Resolves once `host:port` accepts a TCP connection; retries every `intervalMs`; rejects after `timeoutMs` or
 * when `signal` aborts. This is how the shell knows edge's local API is up without depending on its routes.
 */
export async function waitForPort(
  port: number,
  options: { readonly host?: string; readonly timeoutMs?: number; readonly intervalMs?: number; readonly signal?: AbortSignal } = {},
): Promise<void> {
  const host = options.host ?? '127.0.0.1';
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const intervalMs = options.intervalMs ?? 100;
  for (;;) {
    options.signal?.throwIfAborted();
    if (await canConnect(host, port)) return;
    if (Date.now() >= deadline) throw new Error(`edge 未在 ${host}:${port} 上监听 (edge is not listening on ${host}:${port})`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, intervalMs);
      options.signal?.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
    });
  }
}

export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => { socket.destroy(); resolve(false); });
  });
}

/** A port on 127.0.0.1 that was free a moment ago (the OS picks it). edge binds it next; the race is accepted. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
