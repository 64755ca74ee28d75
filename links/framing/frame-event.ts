/**
 * What a framer yields for each chunk it is fed. Framers never throw on device input and never buffer more than
 * their `maxFrame`: an over-long or malformed frame is an `error` value naming how many bytes were discarded.
 */
export type FrameErrorReason = 'too-long' | 'garbage' | 'truncated';

export type FrameEvent =
  /** A complete frame. `bytes` is the payload between the delimiters (unescaped); `start`/`trailer` when the format has them. */
  | { readonly kind: 'frame'; readonly bytes: Uint8Array; readonly start?: number; readonly trailer?: number }
  /** A single control byte outside any frame (ACK, NAK, ENQ, Linx print-go / print-end). */
  | { readonly kind: 'control'; readonly byte: number }
  | { readonly kind: 'error'; readonly reason: FrameErrorReason; readonly bytes: number; readonly detail: string };

export interface Framer {
  push(chunk: Uint8Array): FrameEvent[];
  /** Drops any partial frame (after a reconnect or a parser reset). */
  reset(): void;
}
