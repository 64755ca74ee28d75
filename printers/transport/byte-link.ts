import type { Disposable } from '../contract.ts';

/**
 * A bidirectional byte pipe to one device (node-opcua's ISocketLike shape). `write` resolves once the bytes are
 * handed to the OS; `onClose` fires exactly once, with an Error when the link broke rather than being closed.
 */
export interface ByteLink {
  /** Human-readable endpoint, e.g. `tcp 127.0.0.1:9100` or `serial /dev/ttyUSB0@9600`. */
  readonly description: string;
  readonly isOpen: boolean;
  open(): Promise<void>;
  write(bytes: Uint8Array): Promise<void>;
  onData(listener: (bytes: Uint8Array) => void): Disposable;
  onClose(listener: (error: Error | null) => void): Disposable;
  /** Idempotent. */
  close(): Promise<void>;
}
