import type { FrameEvent, Framer } from './frame-event.ts';
import { PrinterConfigError } from '../errors.ts';

export interface DelimiterFramerOptions {
  /** Byte that ends a frame (e.g. 0x0d CR for the Videojet text protocol). */
  readonly delimiter: number;
  /** Bytes dropped wherever they appear (e.g. 0x0a LF: Zipher accepts CRLF, "LF ignored"). */
  readonly ignore?: readonly number[];
  /** Longest payload kept, in bytes; longer frames are discarded up to the next delimiter and reported. */
  readonly maxFrame: number;
  /** Emit empty frames (a bare delimiter). Default false. */
  readonly emitEmpty?: boolean;
}

/** Splits a byte stream on a one-byte delimiter with a bounded frame size. */
export class DelimiterFramer implements Framer {
  readonly #delimiter: number;
  readonly #ignore: ReadonlySet<number>;
  readonly #max: number;
  readonly #emitEmpty: boolean;
  #buf: Uint8Array;
  #len = 0;
  #overflow = 0;

  constructor(options: DelimiterFramerOptions) {
    if (!Number.isInteger(options.maxFrame) || options.maxFrame < 1 || options.maxFrame > 1 << 20) {
      throw new PrinterConfigError('maxFrame', `应为 1..1048576，收到 ${options.maxFrame} (must be 1..1048576)`);
    }
    this.#delimiter = options.delimiter;
    this.#ignore = new Set(options.ignore ?? []);
    this.#max = options.maxFrame;
    this.#emitEmpty = options.emitEmpty ?? false;
    this.#buf = new Uint8Array(Math.min(256, options.maxFrame));
  }

  push(chunk: Uint8Array): FrameEvent[] {
    const out: FrameEvent[] = [];
    for (const byte of chunk) {
      if (byte === this.#delimiter) {
        if (this.#overflow > 0) {
          out.push({ kind: 'error', reason: 'too-long', bytes: this.#overflow, detail: `frame longer than ${this.#max} bytes discarded` });
          this.#overflow = 0;
        } else if (this.#len > 0 || this.#emitEmpty) {
          out.push({ kind: 'frame', bytes: this.#buf.slice(0, this.#len) });
        }
        this.#len = 0;
        continue;
      }
      if (this.#ignore.has(byte)) continue;
      if (this.#overflow > 0) { this.#overflow += 1; continue; }
      if (this.#len === this.#max) { this.#overflow = this.#len + 1; this.#len = 0; continue; }
      if (this.#len === this.#buf.length) {
        const grown = new Uint8Array(Math.min(this.#max, this.#buf.length * 2));
        grown.set(this.#buf);
        this.#buf = grown;
      }
      this.#buf[this.#len] = byte;
      this.#len += 1;
    }
    return out;
  }

  reset(): void {
    this.#len = 0;
    this.#overflow = 0;
  }
}
