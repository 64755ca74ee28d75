import { Socket } from 'node:net';
import { DeviceOfflineError } from '../errors.ts';
import type { ByteLink } from './byte-link.ts';
import { LinkEvents } from './link-events.ts';
import { settleWrite } from './settle-write.ts';

export interface TcpLinkOptions {
  readonly host: string;
  readonly port: number;
  /** Connect timeout in ms (default 3000). */
  readonly connectTimeoutMs?: number;
}

/** A TCP client link (raw socket, e.g. ZPL port 9100). Nagle is off: device frames are small and latency matters. */
export class TcpLink extends LinkEvents implements ByteLink {
  readonly description: string;
  readonly #options: TcpLinkOptions;
  #socket: Socket | null = null;

  constructor(options: TcpLinkOptions) {
    super();
    this.#options = options;
    this.description = `tcp ${options.host}:${options.port}`;
  }

  get isOpen(): boolean {
    return this.#socket !== null && !this.#socket.destroyed;
  }

  open(): Promise<void> {
    if (this.#socket) return Promise.reject(new DeviceOfflineError(`连接已打开 (link already open: ${this.description})`));
    const socket = new Socket();
    this.#socket = socket;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        this.#socket = null;
        reject(new DeviceOfflineError(`连接超时 ${this.description} (connect timeout after ${this.#options.connectTimeoutMs ?? 3000} ms)`));
      }, this.#options.connectTimeoutMs ?? 3000);
      socket.once('error', (error) => {
        clearTimeout(timer);
        this.#socket = null;
        socket.destroy();
        reject(new DeviceOfflineError(`无法连接 ${this.description} (cannot connect: ${error.message})`, { cause: error }));
      });
      socket.connect({ host: this.#options.host, port: this.#options.port }, () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        socket.removeAllListeners('error');
        let failure: Error | null = null;
        socket.on('error', (error) => { failure = error; });
        socket.on('data', (chunk: Buffer) => { this.emitData(chunk); });
        socket.once('close', () => {
          if (this.#socket === socket) this.#socket = null;
          this.emitClose(failure ?? (socket.readableEnded ? new DeviceOfflineError(`设备关闭了连接 (device closed ${this.description})`) : null));
        });
        socket.once('end', () => { failure ??= new DeviceOfflineError(`设备关闭了连接 (device closed ${this.description})`); socket.end(); });
        resolve();
      });
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    const socket = this.#socket;
    if (!socket || socket.destroyed) return Promise.reject(new DeviceOfflineError(`连接已断开 (link closed: ${this.description})`));
    return settleWrite(this.description, (done) => { socket.write(bytes, done); });
  }

  async close(): Promise<void> {
    const socket = this.#socket;
    if (!socket) return;
    this.#socket = null;
    if (socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => { resolve(); });
      socket.destroy();
    });
  }
}
