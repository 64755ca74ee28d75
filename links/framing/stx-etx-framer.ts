import type { FrameEvent, Framer } from './frame-event.ts';
import { FrameBuffer } from './frame-buffer.ts';

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
  readonly #frame: FrameBuffer;
  readonly #control: ReadonlySet<number>;
  readonly #ignore: ReadonlySet<number>;
  #inFrame = false;
  #garbage = 0;

  constructor(options: StxEtxFramerOptions) {
    this.#frame = new FrameBuffer(options.maxFrame);
    this.#control = new Set(options.controlBytes ?? []);
    this.#ignore = new Set(options.ignoreOutside ?? []);
  }

  #flushGarbage(out: FrameEvent[]): void {
    if (this.#garbage > 0) {
      out.push({ kind: 'rejected', reason: 'garbage', byteLength: this.#garbage, detail: `${this.#garbage} byte(s) outside STX…ETX discarded` });
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
          this.#frame.clear();
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
        if (this.#frame.overflow > 0) {
          out.push({ kind: 'rejected', reason: 'oversize', byteLength: this.#frame.overflow, detail: `frame longer than ${this.#frame.max} bytes discarded` });
        } else {
          out.push({ kind: 'frame', bytes: this.#frame.take() });
        }
        this.#frame.clear();
        continue;
      }
      if (byte === STX) {
        out.push({ kind: 'rejected', reason: 'truncated', byteLength: this.#frame.length + this.#frame.overflow, detail: 'STX inside a frame: partial frame discarded' });
        this.#frame.clear();
        continue;
      }
      this.#frame.append(byte);
    }
    this.#flushGarbage(out);
    return out;
  }

  reset(): void {
    this.#inFrame = false;
    this.#frame.clear();
    this.#garbage = 0;
  }
}
