/**
 * The payload of the frame being collected, bounded by `maxFrame` bytes (STYLE.md "Framers are small stream
 * transforms with a bounded frame size"). Storage starts at min(256, maxFrame) bytes and doubles up to
 * maxFrame. The byte after the limit discards the payload: from then on bytes are only counted in `overflow`
 * (the length of the too-long frame so far) until `clear()`.
 */
export class FrameBuffer {
  /** Longest payload kept, in bytes (1 … 1 MiB). */
  readonly max: number;
  #buf: Uint8Array;
  #len = 0;
  #overflow = 0;

  constructor(maxFrame: number) {
    if (!Number.isInteger(maxFrame) || maxFrame < 1 || maxFrame > 1 << 20) {
      throw new RangeError(`maxFrame 应为 1..1048576，收到 ${maxFrame} (maxFrame must be 1..1048576)`);
    }
    this.max = maxFrame;
    this.#buf = new Uint8Array(Math.min(256, maxFrame));
  }

  /** Payload bytes kept so far (0 once the frame overflowed). */
  get length(): number {
    return this.#len;
  }

  /** Bytes of a frame that outgrew `max` (0 while it fits). */
  get overflow(): number {
    return this.#overflow;
  }

  append(byte: number): void {
    if (this.#overflow > 0) { this.#overflow += 1; return; }
    if (this.#len === this.max) { this.#overflow = this.#len + 1; this.#len = 0; return; }
    if (this.#len === this.#buf.length) {
      const grown = new Uint8Array(Math.min(this.max, this.#buf.length * 2));
      grown.set(this.#buf);
      this.#buf = grown;
    }
    this.#buf[this.#len] = byte;
    this.#len += 1;
  }

  /** A copy of the payload kept so far. */
  take(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }

  /** Starts a new frame: drops the payload and the overflow count. */
  clear(): void {
    this.#len = 0;
    this.#overflow = 0;
  }
}
