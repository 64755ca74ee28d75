/**
 * A bidirectional byte stream to a reader (serialport's bindings-interface shape, reduced to what drivers
 * need). `onClose` fires exactly once, with the error that broke the link or `undefined` after `close()`.
 */
export interface ByteLink {
  /** e.g. `tcp 127.0.0.1:23`, for messages. */
  readonly describe: string;
  write(bytes: Uint8Array): Promise<void>;
  onData(listener: (chunk: Uint8Array) => void): void;
  onClose(listener: (error: Error | undefined) => void): void;
  /** Idempotent; resolves once the underlying handle is released. */
  close(): Promise<void>;
}
