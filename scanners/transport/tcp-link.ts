import { connect, createServer, type Server, type Socket } from 'node:net';
import { DeviceOfflineError, TimeoutError } from '../errors.ts';
import type { ByteLink } from './byte-link.ts';

/** Wraps a connected socket as a ByteLink. `extraClose` releases whatever else the link owns (a server). */
export function socketLink(socket: Socket, describe: string, extraClose?: () => Promise<void>): ByteLink {
  let closeError: Error | undefined;
  let closedFired = false;
  const closeListeners: ((error: Error | undefined) => void)[] = [];
  socket.setNoDelay(true);
  socket.on('error', (error) => { closeError = error; });
  const closed = new Promise<void>((resolve) => {
    socket.once('close', () => {
      closedFired = true;
      void (extraClose?.() ?? Promise.resolve()).finally(() => {
        const error = closeError ?? (userClosed ? undefined : new DeviceOfflineError(`读码器断开连接: ${describe} (reader closed the connection)`));
        for (const l of closeListeners) l(error);
        resolve();
      });
    });
  });
  let userClosed = false;
  return {
    describe,
    write: (bytes) => new Promise<void>((resolve, reject) => {
      if (socket.destroyed) {
        reject(new DeviceOfflineError(`连接已关闭: ${describe} (link closed)`));
        return;
      }
      socket.write(bytes, (error) => { if (error) reject(new DeviceOfflineError(`写入失败: ${describe} (write failed)`, { cause: error })); else resolve(); });
    }),
    onData: (listener) => { socket.on('data', (chunk: Buffer) => { listener(chunk); }); },
    onClose: (listener) => { closeListeners.push(listener); },
    close: async () => {
      userClosed = true;
      if (!closedFired) socket.destroy();
      await closed;
    },
  };
}

/** Connects to a reader that listens (Cognex, Keyence, Hikrobot server mode). */
export function connectTcp(host: string, port: number, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ByteLink> {
  const describe = `tcp ${host}:${port}`;
  const timeoutMs = options.timeoutMs ?? 5_000;
  return new Promise<ByteLink>((resolve, reject) => {
    const socket = connect({ host, port });
    const fail = (error: Error): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(error);
    };
    const onAbort = (): void => { fail(new DeviceOfflineError(`连接已取消: ${describe} (connect aborted)`)); };
    const timer = setTimeout(() => { fail(new TimeoutError(`连接读码器超时 ${timeoutMs} ms: ${describe} (connect timed out)`)); }, timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      fail(new DeviceOfflineError(`无法连接读码器 ${describe}: ${error.code ?? error.message} (cannot connect)`, { cause: error }));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      resolve(socketLink(socket, describe));
    });
  });
}

/**
 * Listens and waits for the reader to connect to us (Hikrobot "TCP client" output mode, notes/devices.md §2.3).
 * One reader per link; the listening server is closed together with the link. `onListening` reports the
 * bound port (port 0 = any free port).
 */
export function acceptTcp(host: string, port: number, options: { timeoutMs?: number; signal?: AbortSignal; onListening?: (port: number) => void } = {}): Promise<ByteLink> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise<ByteLink>((resolve, reject) => {
    const server: Server = createServer();
    const closeServer = (): Promise<void> => new Promise((r) => { server.close(() => { r(); }); });
    const fail = (error: Error): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      void closeServer().then(() => { reject(error); });
    };
    const onAbort = (): void => { fail(new DeviceOfflineError(`等待读码器连接已取消 (waiting for the reader was aborted)`)); };
    const timer = setTimeout(() => { fail(new TimeoutError(`${timeoutMs} ms 内读码器未连接到 ${host}:${port} (reader did not connect in time)`)); }, timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    server.once('error', (error: NodeJS.ErrnoException) => { fail(new DeviceOfflineError(`无法监听 ${host}:${port}: ${error.code ?? error.message} (cannot listen)`, { cause: error })); });
    server.once('connection', (socket) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      // Later connection attempts are refused while this reader is attached.
      server.on('connection', (extra: Socket) => { extra.destroy(); });
      resolve(socketLink(socket, `tcp ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'} → ${host}:${port}`, closeServer));
    });
    server.listen(port, host, () => {
      const address = server.address();
      if (address !== null && typeof address === 'object') options.onListening?.(address.port);
    });
  });
}
