import type { FrameEvent, Framer } from './frame-event.ts';
import { PrinterConfigError } from '../errors.ts';

export const STX = 0x02;
export const ETX = 0x03;

export interface StxEtxFramerOptions {
  /** Longest payload between STX and ETX, in bytes (Hitachi IJ: 1500 including STX/ETX → 1498). */
  readonly maxFrame: number;
  /** Single bytes meaningful outside a frame (ACK 0x06, NAK 0x15, ENQ 0x05); reported as `control`. */
  readonly controlBytes?: readonly number[];
  /** Bytes silently skipped outside a frame (ZPL ~HS ends each frame with CR LF). */
  readonly ignoreOutside?: readonly number[];
}

/**
 * `STX payload ETX` frames with single control bytes between them. Other bytes outside a frame are garbage:
 * they are counted and reported once a frame or control byte follows. An STX inside a frame restarts it and
 * reports the truncated one.
 */
export class StxEtxFramer implements Framer {
  readonly #max: number;
  readonly #control: ReadonlySet<number>;
  readonly #ignore: ReadonlySet<number>;
  #buf: Uint8Array;
  #len = 0;
  #inFrame = false;
  #overflow = 0;
  #garbage = 0;

  constructor(options: StxEtxFramerOptions) {
    if (!Number.isInteger(options.maxFrame) || options.maxFrame < 1 || options.maxFrame > 1 << 20) {
      throw new PrinterConfigError('maxFrame', `应为 1..1048576，收到 ${options.maxFrame} (must be 1..1048576)`);
    }
    this.#max = options.maxFrame;
    this.#control = new Set(options.controlBytes ?? []);
    this.#ignore = new Set(options.ignoreOutside ?? []);
    this.#buf = new Uint8Array(Math.min(256, options.maxFrame));
  }

  #flushGarbage(out: FrameEvent[]): void {
    if (this.#garbage > 0) {
      out.push({ kind: 'error', reason: 'garbage', bytes: this.#garbage, detail: `${this.#garbage} byte(s) outside STX…ETX discarded` });
      this.#garbage = 0;
    }
  }

  push(chunk: Uint8Array): FrameEvent[] {
    const out: FrameEvent[] = [];
    for (const byte of chunk) {
      if (!this.#inFrame) {
        if (byte === STX) {
          this.#flushGarbage(out);
          this.#inFrame = true;
          this.#len = 0;
          this.#overflow = 0;
        } else if (this.#control.has(byte)) {
          this.#flushGarbage(out);
          out.push({ kind: 'control', byte });
        } else if (!this.#ignore.has(byte)) {
          this.#garbage += 1;
        }
        continue;
      }
      if (byte === ETX) {
        this.#inFrame = false;
        if (this.#overflow > 0) {
          out.push({ kind: 'error', reason: 'too-long', bytes: this.#overflow, detail: `frame longer than ${this.#max} bytes discarded` });
          this.#overflow = 0;
        } else {
          out.push({ kind: 'frame', bytes: this.#buf.slice(0, this.#len) });
        }
        this.#len = 0;
        continue;
      }
      if (byte === STX) {
        out.push({ kind: 'error', reason: 'truncated', bytes: this.#len + this.#overflow, detail: 'STX inside a frame: partial frame discarded' });
        this.#len = 0;
        this.#overflow = 0;
        continue;
      }
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
    this.#flushGarbage(out);
    return out;
  }

  reset(): void {
    this.#inFrame = false;
    this.#len = 0;
    this.#overflow = 0;
    this.#garbage = 0;
  }
}
