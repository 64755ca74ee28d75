import { SerialPort } from 'serialport';
import { DeviceOfflineError } from '../errors.ts';
import type { ByteLink } from './byte-link.ts';
import { LinkEvents } from './link-events.ts';
import { settleWrite } from './settle-write.ts';

export interface SerialLinkOptions {
  readonly path: string;
  /** Bits per second; printers commonly default to 9600 8N1 (ZPL ~HS field aaa, Linx drivers [C]). */
  readonly baudRate: number;
}

/** A serial link through node-serialport. A pty (socat) works too; it ignores the baud rate. */
export class SerialLink extends LinkEvents implements ByteLink {
  readonly description: string;
  readonly #options: SerialLinkOptions;
  #port: SerialPort | null = null;

  constructor(options: SerialLinkOptions) {
    super();
    this.#options = options;
    this.description = `serial ${options.path}@${options.baudRate}`;
  }

  get isOpen(): boolean {
    return this.#port?.isOpen ?? false;
  }

  open(): Promise<void> {
    if (this.#port) return Promise.reject(new DeviceOfflineError(`串口已打开 (link already open: ${this.description})`));
    return new Promise<void>((resolve, reject) => {
      const port = new SerialPort({ path: this.#options.path, baudRate: this.#options.baudRate, autoOpen: false });
      port.open((error) => {
        if (error) {
          reject(new DeviceOfflineError(`无法打开串口 ${this.description} (cannot open serial port: ${error.message})`, { cause: error }));
          return;
        }
        this.#port = port;
        let failure: Error | null = null;
        port.on('error', (e: Error) => { failure = e; });
        port.on('data', (chunk: Buffer) => { this.emitData(chunk); });
        port.once('close', (e: (Error & { disconnected?: boolean }) | null) => {
          if (this.#port === port) this.#port = null;
          const err = e ?? failure;
          this.emitClose(err ? new DeviceOfflineError(`串口断开 (serial link lost: ${err.message})`, { cause: err }) : null);
        });
        resolve();
      });
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    const port = this.#port;
    if (!port?.isOpen) return Promise.reject(new DeviceOfflineError(`串口未打开 (link closed: ${this.description})`));
    return settleWrite(this.description, (done) => { port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), done); });
  }

  async close(): Promise<void> {
    const port = this.#port;
    if (!port) return;
    this.#port = null;
    if (!port.isOpen) return;
    await new Promise<void>((resolve) => { port.close(() => { resolve(); }); });
  }
}
