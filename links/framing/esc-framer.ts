import type { FrameEvent, Framer } from './frame-event.ts';
import { FrameBuffer } from './frame-buffer.ts';

export const ESC = 0x1b;

export interface EscFramerOptions {
  /** Bytes that may follow ESC to open a frame (Linx RCI: STX 0x02 from the host, ACK 0x06 / NAK 0x15 from the printer). */
  readonly startBytes: readonly number[];
  /** Byte that follows ESC to close a frame (ETX 0x03); one trailer byte (the checksum) follows it. */
  readonly endByte: number;
  /** Single bytes meaningful outside a frame (Linx print-go 0x0F, print-end 0x19); reported as `control`. */
  readonly controlBytes?: readonly number[];
  /** Longest unescaped payload between the start byte and ESC ETX. */
  readonly maxFrame: number;
}

/**
 * Linx RCI style frames `ESC <start> payload ESC <end> <checksum>` (RCI Reference Manual MP65038 §2).
 * Inside a frame `ESC ESC` stands for one data byte 0x1B [?: doubling assumed, see notes/devices.md §1.3].
 * The framer does not check the checksum; it reports it as `trailer` for the codec to verify.
 */
export class EscFramer implements Framer {
  readonly #starts: ReadonlySet<number>;
  readonly #end: number;
  readonly #control: ReadonlySet<number>;
  readonly #frame: FrameBuffer;
  #mode: 'outside' | 'esc-outside' | 'inside' | 'esc-inside' | 'trailer' = 'outside';
  #start = 0;
  #garbage = 0;

  constructor(options: EscFramerOptions) {
    this.#frame = new FrameBuffer(options.maxFrame);
    this.#starts = new Set(options.startBytes);
    this.#end = options.endByte;
    this.#control = new Set(options.controlBytes ?? []);
  }

  #flushGarbage(out: FrameEvent[]): void {
    if (this.#garbage > 0) {
      out.push({ kind: 'rejected', reason: 'garbage', byteLength: this.#garbage, detail: `${this.#garbage} byte(s) outside ESC frames discarded` });
      this.#garbage = 0;
    }
  }

  push(chunk: Uint8Array): FrameEvent[] {
    const out: FrameEvent[] = [];
    for (const byte of chunk) {
      switch (this.#mode) {
        case 'outside':
          if (byte === ESC) this.#mode = 'esc-outside';
          else if (this.#control.has(byte)) { this.#flushGarbage(out); out.push({ kind: 'control', byte }); }
          else this.#garbage += 1;
          break;
        case 'esc-outside':
          if (this.#starts.has(byte)) {
            this.#flushGarbage(out);
            this.#mode = 'inside';
            this.#start = byte;
            this.#frame.clear();
          } else if (byte !== ESC) {
            this.#garbage += 2;
            this.#mode = 'outside';
          } else {
            this.#garbage += 1;
          }
          break;
        case 'inside':
          if (byte === ESC) this.#mode = 'esc-inside';
          else this.#frame.append(byte);
          break;
        case 'esc-inside':
          if (byte === ESC) { this.#frame.append(ESC); this.#mode = 'inside'; }
          else if (byte === this.#end) this.#mode = 'trailer';
          else if (this.#starts.has(byte)) {
            out.push({ kind: 'rejected', reason: 'truncated', byteLength: this.#frame.length + this.#frame.overflow, detail: 'new frame inside a frame: partial frame discarded' });
            this.#start = byte;
            this.#frame.clear();
            this.#mode = 'inside';
          } else {
            out.push({ kind: 'rejected', reason: 'truncated', byteLength: this.#frame.length + this.#frame.overflow + 2, detail: `ESC followed by 0x${byte.toString(16).padStart(2, '0')} inside a frame: frame discarded` });
            this.#frame.clear();
            this.#mode = 'outside';
          }
          break;
        case 'trailer':
          if (this.#frame.overflow > 0) {
            out.push({ kind: 'rejected', reason: 'oversize', byteLength: this.#frame.overflow, detail: `frame longer than ${this.#frame.max} bytes discarded` });
          } else {
            out.push({ kind: 'frame', start: this.#start, bytes: this.#frame.take(), trailer: byte });
          }
          this.#frame.clear();
          this.#mode = 'outside';
          break;
      }
    }
    this.#flushGarbage(out);
    return out;
  }

  reset(): void {
    this.#mode = 'outside';
    this.#frame.clear();
    this.#garbage = 0;
  }
}
