import { SerialPort } from 'serialport';
import type { ByteLink } from '../contract.ts';
import { LinkOfflineError } from '../errors.ts';
import { LinkEvents } from './link-events.ts';
import { settleWrite } from './settle-write.ts';

export interface SerialLinkOptions {
  readonly path: string;
  /** Bits per second; printers and readers commonly default to 9600 8N1 (ZPL ~HS field aaa, Linx drivers [C]). */
  readonly baudRate: number;
}

interface Opened {
  readonly port: SerialPort;
  readonly closed: Promise<void>;
  closedByUs: boolean;
}

/**
 * A serial link through node-serialport: 8N1, no flow control (what printers, handheld and fixed readers default
 * to). A pty (socat) works too; it ignores the baud rate. A close not asked for is a LinkOfflineError whose cause
 * is the port's disconnect or last error.
 */
export class SerialLink extends LinkEvents implements ByteLink {
  readonly description: string;
  readonly #options: SerialLinkOptions;
  #opening = false;
  #opened: Opened | null = null;

  constructor(options: SerialLinkOptions) {
    super();
    this.#options = options;
    this.description = `serial ${options.path}@${options.baudRate}`;
  }

  get isOpen(): boolean {
    return this.#opened?.port.isOpen ?? false;
  }

  open(): Promise<void> {
    if (this.#opening || this.#opened !== null) return Promise.reject(new LinkOfflineError(`串口已打开 (link already open: ${this.description})`));
    this.#opening = true;
    return new Promise<void>((resolve, reject) => {
      const port = new SerialPort({ path: this.#options.path, baudRate: this.#options.baudRate, autoOpen: false });
      port.open((error) => {
        this.#opening = false;
        if (error) {
          reject(new LinkOfflineError(`无法打开串口 ${this.description}: ${error.message} (cannot open serial port)`, { cause: error }));
          return;
        }
        let failure: Error | undefined;
        let closed!: () => void;
        const opened: Opened = { port, closed: new Promise<void>((r) => { closed = r; }), closedByUs: false };
        this.#opened = opened;
        port.on('error', (e: Error) => { failure = e; });
        port.on('data', (chunk: Buffer) => { this.emitData(chunk); });
        port.once('close', (e: Error | null) => {
          if (this.#opened === opened) this.#opened = null;
          const cause = e ?? failure;
          this.emitClose(opened.closedByUs ? undefined : new LinkOfflineError(`串口断开: ${this.description} (serial link lost${cause ? `: ${cause.message}` : ''})`, { cause }));
          closed();
        });
        resolve();
      });
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    const port = this.#opened?.port;
    if (!port?.isOpen) return Promise.reject(new LinkOfflineError(`串口未打开 (link closed: ${this.description})`));
    return settleWrite(this.description, (done) => { port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), done); });
  }

  async close(): Promise<void> {
    const opened = this.#opened;
    if (opened === null) return;
    opened.closedByUs = true;
    if (opened.port.isOpen) opened.port.close();
    await opened.closed;
  }
}
