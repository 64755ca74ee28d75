/**
 * Reader contract (types only). Drivers implement `Reader`; emulators implement the device side of the same
 * protocols without importing driver code (STYLE.md "Shape"). Protocol facts are from notes/devices.md §2.
 */

/** Every driver kind; each has one factory in `drivers/registry.ts`. */
export type ReaderKind = 'cognex' | 'keyence' | 'hikrobot' | 'text' | 'serial' | 'opcua';

/**
 * Symbology from the AIM symbology identifier (ISO/IEC 15424; notes/standards.md §2.3). `gs1` marks the
 * identifiers whose data is a GS1 element string (FNC1 in first position). `unknown` = no AIM id was sent.
 */
export type Symbology =
  | 'datamatrix' | 'gs1-datamatrix'
  | 'qr' | 'gs1-qr'
  | 'code128' | 'gs1-128'
  | 'ean-upc' | 'databar' | 'dotcode' | 'gs1-dotcode'
  | 'other' | 'unknown';

/** Position of a code in the camera image, in pixels (OPC 30010 `Position`: X, Y, SizeX, SizeY, Rotation°). */
export interface CodePosition {
  readonly x: number;
  readonly y: number;
  readonly sizeX?: number;
  readonly sizeY?: number;
  readonly rotation?: number;
}

/** One decoded symbol. */
export interface ReadCode {
  /** Decoded data with the AIM id removed; GS (0x1D) separators of GS1 data are kept intact. */
  readonly text: string;
  /** Exactly the bytes the reader sent for this code, AIM id included. */
  readonly raw: Uint8Array;
  readonly symbology: Symbology;
  /** The AIM symbology identifier as sent, e.g. `]d2`; absent when the reader sent none. */
  readonly aimId?: string;
  /** True when the symbology identifier says the data is a GS1 element string. */
  readonly gs1: boolean;
  /** GS1 data split at GS (0x1D): one string per field run; `[text]` for non-GS1 data. */
  readonly fields: readonly string[];
  /** ISO/IEC 15415 overall grade 4..0 (A..F) when the reader reports one. */
  readonly grade?: number;
  readonly position?: CodePosition;
}

/** A piece of the reader's output that could not become a code, with the reason (never silently dropped). */
export interface RejectedPart {
  readonly reason: RejectReason;
  /** Human-readable detail (Chinese, then English). Contains no full code text. */
  readonly detail: string;
  /** Bytes of the rejected data; for a `too-many` summary, of all the rejections it counts. */
  readonly byteLength: number;
  /** How many rejections this entry stands for; absent = one. Only a `too-many` summary counts more. */
  readonly count?: number;
}

/**
 * `too-many`: one summary entry, last in a result's `rejected`, for the rejections beyond the ones a driver keeps
 * for one result (bounded memory); `count` says how many, `detail` how many of each reason.
 */
export type RejectReason =
  | 'oversize'
  | 'garbage'
  | 'invalid-utf8'
  | 'control-characters'
  | 'empty'
  | 'count-mismatch'
  | 'protocol'
  | 'too-many';

/** Where a read came from: the software trigger we sent, or the reader's own (photo-eye / hardware) trigger. */
export type TriggerSource = 'software' | 'external';

export interface TriggerRef {
  /** Increasing per reader instance; `external` reads get their own ids from the same sequence. */
  readonly id: number;
  readonly source: TriggerSource;
}

/** The outcome of one trigger. A no-read is a value, not an error. */
export type ReadResult =
  | {
      readonly kind: 'read';
      readonly trigger: TriggerRef;
      /** 1..n codes (24 caps in one trigger is normal for a case station). */
      readonly codes: readonly ReadCode[];
      /** Codes dropped because they were seen within the duplicate-suppression window. */
      readonly suppressed: number;
      readonly rejected: readonly RejectedPart[];
      /** Milliseconds since the epoch, station clock. */
      readonly at: number;
    }
  | {
      readonly kind: 'no-read';
      readonly trigger: TriggerRef;
      /** `reader` = the reader said no-read; `timeout` = no answer within the trigger timeout. */
      readonly cause: 'reader' | 'timeout' | 'all-suppressed' | 'all-rejected';
      readonly suppressed: number;
      readonly rejected: readonly RejectedPart[];
      readonly at: number;
    };

/** Reader lifecycle (transition table in `reader-state.ts`). */
export type ReaderState = 'closed' | 'opening' | 'ready' | 'triggered' | 'faulted' | 'closing';

export type ReaderEvent =
  | 'open'
  | 'opened'
  | 'open-failed'
  | 'trigger'
  | 'result'
  | 'link-lost'
  | 'close'
  | 'closed';

export interface Disposable {
  dispose(): void;
}

export interface TriggerOptions {
  /** Wait at most this long for the result, then send the stop trigger and return a `timeout` no-read. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface ReaderIdentity {
  readonly vendor: string;
  readonly model?: string;
  readonly serial?: string;
  readonly firmware?: string;
}

export interface Reader {
  readonly kind: ReaderKind;
  readonly state: ReaderState;
  /** Connects (or, for readers that connect to us, listens and waits for the reader). */
  open(signal?: AbortSignal): Promise<void>;
  /** Software trigger: sends the start command and resolves with the next result. One trigger at a time. */
  trigger(options?: TriggerOptions): Promise<ReadResult>;
  /** Every result, software-triggered or external. */
  onRead(listener: (result: ReadResult) => void): Disposable;
  onStateChange(listener: (state: ReaderState, previous: ReaderState) => void): Disposable;
  /** Asks the reader who it is, where the protocol allows; otherwise returns what is configured. */
  identify(): Promise<ReaderIdentity>;
  /** Idempotent, bounded in time. */
  close(): Promise<void>;
}

/** How a multi-code message is split (notes/devices.md §2.5). */
export interface MultiCodeFormat {
  /** Text between codes in one message, e.g. `,` or `;`. Must not occur inside codes and must not be GS. */
  readonly separator: string;
  /** When true the message starts with the code count and a separator (`3,A,B,C`); a mismatch is rejected. */
  readonly countPrefix?: boolean;
}

/** Where the reader is. */
export type ReaderEndpoint =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  /** The reader connects to us (Hikrobot "TCP client" mode, notes/devices.md §2.3). */
  | { readonly kind: 'tcp-listen'; readonly host: string; readonly port: number }
  | { readonly kind: 'serial'; readonly path: string; readonly baudRate: number }
  | { readonly kind: 'opcua'; readonly url: string };

/** Options every driver understands. Vendor fields are documented on each driver. */
export interface ReaderConfig {
  readonly kind: ReaderKind;
  readonly endpoint: ReaderEndpoint;
  /** Default software-trigger timeout in ms. */
  readonly triggerTimeoutMs?: number;
  /** Drop a code seen again within this many ms (0 = off). */
  readonly duplicateWindowMs?: number;
  readonly multi?: MultiCodeFormat;
  /**
   * A partial frame with no new byte for this long (ms) is discarded and reported, so a frame cut off mid-way
   * never glues onto the next one (Keyence SR discards input after a 10 s gap [D]; ours defaults to 1000).
   */
  readonly interCharTimeoutMs?: number;
  /** Longest frame accepted from the reader, bytes. */
  readonly maxFrameBytes?: number;
  /** Vendor options (strings for [?] protocol facts that must stay configurable). */
  readonly options?: Readonly<Record<string, string | number | boolean>>;
  /** Clock for reads and the duplicate window (tests inject one). */
  readonly now?: () => number;
}

export type ProbeResult =
  | { readonly ok: true; readonly kind: ReaderKind; readonly state: ReaderState; readonly identity: ReaderIdentity; readonly elapsedMs: number }
  | { readonly ok: false; readonly kind: ReaderKind; readonly code: string; readonly reason: string; readonly elapsedMs: number };
