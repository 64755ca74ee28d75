import type { FrameEvent, Framer } from './frame-event.ts';
import { FrameBuffer } from './frame-buffer.ts';

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

/**
 * Splits a byte stream on a one-byte delimiter with a bounded frame size (printer text protocols). Bytes in
 * `ignore` are dropped wherever they appear; an over-long frame is reported once, at its delimiter, as
 * `oversize` with its whole length. DelimitedFramer covers start bytes, multi-byte terminators and reported
 * empty frames (reader protocols).
 */
export class DelimiterFramer implements Framer {
  readonly #delimiter: number;
  readonly #ignore: ReadonlySet<number>;
  readonly #emitEmpty: boolean;
  readonly #frame: FrameBuffer;

  constructor(options: DelimiterFramerOptions) {
    this.#frame = new FrameBuffer(options.maxFrame);
    this.#delimiter = options.delimiter;
    this.#ignore = new Set(options.ignore ?? []);
    this.#emitEmpty = options.emitEmpty ?? false;
  }

  push(chunk: Uint8Array): FrameEvent[] {
    const out: FrameEvent[] = [];
    for (const byte of chunk) {
      if (byte === this.#delimiter) {
        if (this.#frame.overflow > 0) {
          out.push({ kind: 'rejected', reason: 'oversize', byteLength: this.#frame.overflow, detail: `frame longer than ${this.#frame.max} bytes discarded` });
        } else if (this.#frame.length > 0 || this.#emitEmpty) {
          out.push({ kind: 'frame', bytes: this.#frame.take() });
        }
        this.#frame.clear();
        continue;
      }
      if (this.#ignore.has(byte)) continue;
      this.#frame.append(byte);
    }
    return out;
  }

  reset(): void {
    this.#frame.clear();
  }
}
