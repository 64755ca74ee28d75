import type { Frame, FrameRejection, Framer } from './frame-event.ts';

/**
 * A bounded stream framer for reader output: optional single start byte (e.g. STX 0x02), a terminator of one
 * or more bytes (CR, CRLF, ETX), and a hard `maxFrameBytes`. Every byte either ends up in a frame or is
 * counted in a rejection with a reason; nothing grows without bound:
 *
 * - memory is one preallocated buffer of `maxFrameBytes + terminator length` bytes;
 * - a frame longer than `maxFrameBytes` is reported once as `oversize` the moment it becomes too long, then the
 *   rest of it is discarded up to the next terminator (resync);
 * - with a start byte, bytes outside frames are reported as `garbage` (in runs of at most `maxFrameBytes`), and
 *   a start byte inside a frame abandons the partial frame (reported as `garbage`) and starts a new one;
 * - two terminators in a row give an `empty` rejection; bytes in `skipBetweenFrames` (e.g. the LF of a CRLF
 *   sent to a CR-terminated parser) are dropped silently at a frame boundary only.
 *
 * DelimiterFramer is the simpler one-byte-delimiter framer of the printers (drops ignored bytes anywhere,
 * reports an over-long frame at its delimiter, drops empty frames).
 */
export type FramerOutput = Frame | FrameRejection<'oversize' | 'garbage' | 'empty'>;

export interface DelimitedFramerOptions {
  readonly start?: number;
  readonly end: Uint8Array | string;
  readonly maxFrameBytes: number;
  readonly skipBetweenFrames?: readonly number[];
}

export class DelimitedFramer implements Framer<FramerOutput> {
  readonly #start: number | undefined;
  readonly #end: Uint8Array;
  readonly #max: number;
  readonly #skip: Set<number>;
  readonly #acc: Uint8Array;
  #len = 0;
  #inFrame = false;
  #discarding = false;
  #discarded = 0;
  #garbage = 0;
  /** Last bytes seen while discarding, to find a terminator split across chunks. */
  #window: number[] = [];

  constructor(options: DelimitedFramerOptions) {
    const end = typeof options.end === 'string' ? new TextEncoder().encode(options.end) : options.end;
    if (end.length === 0 || end.length > 8) throw new RangeError('terminator must be 1..8 bytes');
    if (!Number.isSafeInteger(options.maxFrameBytes) || options.maxFrameBytes < 1 || options.maxFrameBytes > 16 * 2 ** 20) {
      throw new RangeError('maxFrameBytes must be 1..16 MiB');
    }
    if (options.start !== undefined && end.includes(options.start)) throw new RangeError('start byte must not occur in the terminator');
    this.#start = options.start;
    this.#end = end;
    this.#max = options.maxFrameBytes;
    this.#skip = new Set(options.skipBetweenFrames ?? []);
    this.#acc = new Uint8Array(options.maxFrameBytes + end.length);
  }

  /** Bytes currently held for an incomplete frame (never more than maxFrameBytes + terminator length). */
  get bufferedBytes(): number {
    return this.#len;
  }

  /** True while part of a frame (or of an oversize frame being discarded) is pending. */
  get midFrame(): boolean {
    return this.#len > 0 || this.#discarding || (this.#inFrame && this.#start !== undefined);
  }

  push(chunk: Uint8Array): FramerOutput[] {
    const out: FramerOutput[] = [];
    const end = this.#end;
    const endLen = end.length;
    const last = end[endLen - 1];
    const start = this.#start;
    for (let i = 0; i < chunk.length; i += 1) {
      const b = chunk[i] as number;
      if (start !== undefined) {
        if (!this.#inFrame) {
          if (b === start) {
            this.#flushGarbage(out);
            this.#inFrame = true;
            this.#len = 0;
          } else {
            this.#garbage += 1;
            if (this.#garbage >= this.#max) this.#flushGarbage(out);
          }
          continue;
        }
        if (b === start) {
          const lost = this.#discarding ? this.#discarded : this.#len;
          if (!this.#discarding || lost > 0) {
            out.push({ kind: 'rejected', reason: 'garbage', byteLength: lost + 1, detail: `帧未结束即出现新的起始符，丢弃 ${lost + 1} 字节 (start byte inside a frame; ${lost + 1} bytes dropped)` });
          }
          this.#len = 0;
          this.#discarding = false;
          this.#window = [];
          continue;
        }
      }
      if (this.#discarding) {
        this.#discarded += 1;
        this.#window.push(b);
        if (this.#window.length > endLen) this.#window.shift();
        if (this.#window.length === endLen && this.#window.every((x, k) => x === end[k])) {
          this.#discarding = false;
          this.#inFrame = false;
          this.#window = [];
        }
        continue;
      }
      if (this.#len === 0 && start === undefined && this.#skip.has(b)) continue;
      this.#acc[this.#len] = b;
      this.#len += 1;
      if (b === last && this.#len >= endLen && this.#endsWithTerminator()) {
        const frameLen = this.#len - endLen;
        this.#len = 0;
        this.#inFrame = false;
        if (frameLen === 0) {
          out.push({ kind: 'rejected', reason: 'empty', byteLength: 0, detail: '空帧 (empty frame)' });
        } else {
          out.push({ kind: 'frame', bytes: this.#acc.slice(0, frameLen) });
        }
        continue;
      }
      if (this.#len - (endLen - 1) > this.#max) {
        out.push({
          kind: 'rejected',
          reason: 'oversize',
          byteLength: this.#len,
          detail: `帧超过 ${this.#max} 字节上限，已丢弃至下一个结束符 (frame longer than ${this.#max} bytes; discarded up to the next terminator)`,
        });
        this.#discarding = true;
        this.#discarded = this.#len;
        this.#window = Array.from(this.#acc.subarray(this.#len - (endLen - 1), this.#len));
        this.#len = 0;
      }
    }
    return out;
  }

  /** End of stream (link closed): report whatever is pending. */
  flush(): FramerOutput[] {
    const out: FramerOutput[] = [];
    this.#flushGarbage(out);
    if (this.#len > 0) {
      out.push({ kind: 'rejected', reason: 'garbage', byteLength: this.#len, detail: `连接结束时帧不完整，丢弃 ${this.#len} 字节 (incomplete frame at end of stream)` });
    }
    this.reset();
    return out;
  }

  reset(): void {
    this.#len = 0;
    this.#inFrame = false;
    this.#discarding = false;
    this.#discarded = 0;
    this.#garbage = 0;
    this.#window = [];
  }

  #endsWithTerminator(): boolean {
    const end = this.#end;
    const off = this.#len - end.length;
    for (let k = 0; k < end.length; k += 1) if (this.#acc[off + k] !== end[k]) return false;
    return true;
  }

  #flushGarbage(out: FramerOutput[]): void {
    if (this.#garbage === 0) return;
    out.push({ kind: 'rejected', reason: 'garbage', byteLength: this.#garbage, detail: `帧外的 ${this.#garbage} 字节无效数据 (${this.#garbage} bytes outside any frame)` });
    this.#garbage = 0;
  }
}
