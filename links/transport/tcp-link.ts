import { Socket } from 'node:net';
import { LinkOfflineError, LinkTimeoutError } from '../errors.ts';
import { SocketLink, type Dialled } from './socket-link.ts';

export interface TcpLinkOptions {
  readonly host: string;
  readonly port: number;
  /** Connect timeout in ms (default 3000). */
  readonly connectTimeoutMs?: number;
  /** What the device is called in messages (default `设备`). */
  readonly peer?: string;
}

/** A TCP client link to a device that listens (raw socket, e.g. ZPL port 9100, Cognex DMCC port 23). */
export class TcpLink extends SocketLink {
  readonly #options: TcpLinkOptions;

  constructor(options: TcpLinkOptions) {
    super(`tcp ${options.host}:${options.port}`, options.peer);
    this.#options = options;
  }

  protected override dial(signal: AbortSignal | undefined, done: Dialled): void {
    const timeoutMs = this.#options.connectTimeoutMs ?? 3_000;
    const socket = new Socket();
    const fail = (error: Error): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      done.failed(error);
    };
    const onAbort = (): void => { fail(new LinkOfflineError(`连接已取消: ${this.description} (connect aborted)`)); };
    const timer = setTimeout(() => { fail(new LinkTimeoutError(`连接${this.peer}超时 ${timeoutMs} ms: ${this.description} (connect timed out)`)); }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      fail(new LinkOfflineError(`无法连接${this.peer} ${this.description}: ${error.code ?? error.message} (cannot connect)`, { cause: error }));
    });
    socket.connect({ host: this.#options.host, port: this.#options.port }, () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      done.connected(socket);
    });
  }
}
