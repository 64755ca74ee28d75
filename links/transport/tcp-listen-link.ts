import { createServer, type Server, type Socket } from 'node:net';
import { LinkOfflineError, LinkTimeoutError } from '../errors.ts';
import { SocketLink, type Dialled } from './socket-link.ts';

export interface TcpListenLinkOptions {
  readonly host: string;
  /** Port to listen on; 0 = any free port (see `onListening`). */
  readonly port: number;
  /** How long `open` waits for the device to connect, in ms (default 30000). */
  readonly acceptTimeoutMs?: number;
  /** Called with the bound port once listening. */
  readonly onListening?: (port: number) => void;
  /** What the device is called in messages (default `设备`). */
  readonly peer?: string;
}

/**
 * Listens and waits for the device to connect to us (Hikrobot "TCP client" output mode, notes/devices.md §2.3).
 * One device per open: later connection attempts are refused while it is attached, and the listening server is
 * closed together with the connection.
 */
export class TcpListenLink extends SocketLink {
  readonly #options: TcpListenLinkOptions;

  constructor(options: TcpListenLinkOptions) {
    super(`tcp listen ${options.host}:${options.port}`, options.peer);
    this.#options = options;
  }

  protected override dial(signal: AbortSignal | undefined, done: Dialled): void {
    const { host, port } = this.#options;
    const timeoutMs = this.#options.acceptTimeoutMs ?? 30_000;
    const server: Server = createServer();
    const closeServer = (): Promise<void> => new Promise((r) => { server.close(() => { r(); }); });
    const fail = (error: Error): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      void closeServer().then(() => { done.failed(error); });
    };
    const onAbort = (): void => { fail(new LinkOfflineError(`等待${this.peer}连接已取消 (waiting for the device was aborted)`)); };
    const timer = setTimeout(() => { fail(new LinkTimeoutError(`${timeoutMs} ms 内${this.peer}未连接到 ${host}:${port} (the device did not connect in time)`)); }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    server.once('error', (error: NodeJS.ErrnoException) => { fail(new LinkOfflineError(`无法监听 ${host}:${port}: ${error.code ?? error.message} (cannot listen)`, { cause: error })); });
    server.once('connection', (socket) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      server.on('connection', (extra: Socket) => { extra.destroy(); });
      done.connected(socket, { description: `tcp ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'} → ${host}:${port}`, release: closeServer });
    });
    server.listen(port, host, () => {
      const address = server.address();
      if (address !== null && typeof address === 'object') this.#options.onListening?.(address.port);
    });
  }
}
