/**
 * Contract of the links package (types only): how a driver reaches a device's bytes. Printers and readers both
 * talk to their devices through a ByteLink; what the bytes mean is the driver's business.
 */

export interface Disposable {
  dispose(): void;
}

/**
 * A bidirectional byte pipe to one device (node-opcua's ISocketLike shape, serialport's bindings-interface
 * reduced to what drivers need). A link is built closed; `open` connects it (TCP), waits for the device to
 * connect (TCP listen) or opens the port (serial). A closed link may be opened again; listeners stay subscribed.
 */
export interface ByteLink {
  /** Human-readable endpoint for messages and logs, e.g. `tcp 127.0.0.1:9100` or `serial /dev/ttyUSB0@9600`. */
  readonly description: string;
  readonly isOpen: boolean;
  /** Rejects with a LinkError (DEVICE_OFFLINE, or TIMEOUT when the connect timed out). */
  open(signal?: AbortSignal): Promise<void>;
  /** Resolves once the bytes are handed to the OS; rejects with LinkOfflineError when the link is closed or the write fails. */
  write(bytes: Uint8Array): Promise<void>;
  /** Received chunks in arrival order (views: copy what you keep). */
  onData(listener: (bytes: Uint8Array) => void): Disposable;
  /** Fires once per open: `undefined` after `close()`, else the error that broke the link. */
  onClose(listener: (error: Error | undefined) => void): Disposable;
  /** Idempotent; resolves once the underlying handle is released and the close listeners have run. */
  close(): Promise<void>;
}
