/**
 * What a framer yields for each chunk it is fed (one vocabulary for every framer; STYLE.md "Framers are small
 * stream transforms with a bounded frame size"). Framers never throw on device input and never buffer more than
 * their frame limit: an over-long or malformed frame is a `rejected` value naming how many bytes were discarded.
 *
 * - `oversize`: the frame outgrew the limit and was discarded up to its end;
 * - `garbage`: bytes outside any frame, or a frame abandoned for a new start byte (reader framing);
 * - `truncated`: a frame cut off by a new start or a bad escape (printer framing);
 * - `empty`: a terminator with nothing before it, where that is reported.
 */
export type FrameRejectReason = 'oversize' | 'garbage' | 'truncated' | 'empty';

/** A complete frame. `bytes` is the payload between the delimiters (unescaped); `start`/`trailer` when the format has them. */
export interface Frame {
  readonly kind: 'frame';
  readonly bytes: Uint8Array;
  readonly start?: number;
  readonly trailer?: number;
}

/** A single control byte outside any frame (ACK, NAK, ENQ, Linx print-go / print-end). */
export interface ControlByte {
  readonly kind: 'control';
  readonly byte: number;
}

/** Bytes that did not become a frame, with the reason; `detail` is Chinese then English and holds no payload. */
export interface FrameRejection<R extends FrameRejectReason = FrameRejectReason> {
  readonly kind: 'rejected';
  readonly reason: R;
  readonly byteLength: number;
  readonly detail: string;
}

export type FrameEvent = Frame | ControlByte | FrameRejection;

export interface Framer<E extends FrameEvent = FrameEvent> {
  push(chunk: Uint8Array): E[];
  /** Drops any partial frame (after a reconnect or a parser reset). */
  reset(): void;
}
