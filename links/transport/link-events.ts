import type { Disposable } from '../contract.ts';
import { Listeners } from './listeners.ts';

/**
 * The event half of a ByteLink over a Node stream (serial port, TCP socket): received chunks in arrival order
 * and the close event. A link extends it and calls `emitData` for each chunk and `emitClose` once per open.
 */
export abstract class LinkEvents {
  readonly #data = new Listeners<[Uint8Array]>();
  readonly #closed = new Listeners<[Error | undefined]>();

  onData(listener: (bytes: Uint8Array) => void): Disposable {
    return this.#data.add(listener);
  }

  onClose(listener: (error: Error | undefined) => void): Disposable {
    return this.#closed.add(listener);
  }

  /** One received chunk, passed on as a view of the Buffer (no copy). */
  protected emitData(chunk: Buffer): void {
    this.#data.emit(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }

  /** The link closed: `undefined` when closed on purpose, else why it broke. */
  protected emitClose(error: Error | undefined): void {
    this.#closed.emit(error);
  }
}
