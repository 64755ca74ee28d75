/**
 * The printer contract (types only). Drivers in `drivers/<vendor>/driver.ts` implement `Printer`; emulators in
 * `emulators/` implement the device side of each protocol. Outcomes a caller branches on are values
 * (`PrintResult`); only transport breakage and bugs are thrown (see errors.ts).
 */
import type { Logger } from '../links/index.ts';

/** Driver kinds, one per protocol family; `drivers/registry.ts` maps each to a factory. */
export type PrinterKind = 'zpl' | 'linx' | 'videojet' | 'hitachi' | 'text' | 'opcua';

/**
 * Lifecycle of one driver instance. The transition table is `PRINTER_TRANSITIONS` in
 * `state/printer-state-machine.ts`; every state × event pair is decided there and tested.
 * - `ready`: link open, no job in flight. `busy`: at least one job sent and not yet settled.
 * - `faulted`: the device reports a fault (or stopped answering); new jobs are rejected without being sent.
 */
export type PrinterState = 'closed' | 'opening' | 'ready' | 'busy' | 'faulted' | 'closing';

export type PrinterEvent =
  | 'open'
  | 'opened'
  | 'open-failed'
  | 'job-sent'
  | 'jobs-settled'
  | 'fault'
  | 'fault-cleared'
  | 'link-lost'
  | 'close'
  | 'closed';

/** Conditions a printer can report. `offline` = the link is down or the device stopped answering status. */
export type PrinterFault =
  | 'ribbon-out'
  | 'paper-out'
  | 'head-open'
  | 'buffer-full'
  | 'paused'
  | 'jet-stopped'
  | 'over-temperature'
  | 'offline'
  | 'device-error';

export type Symbology = 'qr' | 'datamatrix' | 'gs1-datamatrix' | 'code128' | 'gs1-128' | 'text';

/**
 * What a driver can confirm about a job:
 * - `printed`: the device signals each print (ZPL label counters, Linx print-end, Videojet queue size, text "done").
 * - `accepted`: the device only acknowledges receipt (Hitachi ACK, text printer without a done pattern); the
 *   station must pace prints from the line (PLC / reader) because a later message may overwrite an unprinted one.
 */
export type ConfirmationLevel = 'printed' | 'accepted';

export interface PrinterCapabilities {
  readonly symbologies: readonly Symbology[];
  /** Jobs the driver keeps in flight at once (the device's buffer/queue it manages). */
  readonly queueDepth: number;
  readonly confirmation: ConfirmationLevel;
  /** The driver can ask the device for its status (faults, queue). */
  readonly statusPolling: boolean;
  /** The device pushes unsolicited status / print events. */
  readonly asyncEvents: boolean;
}

/** One code to print. `code` is the exact data to encode (GS1 element strings use ASCII 29 (GS) separators). */
export interface PrintJob {
  /** Caller's id for the job, echoed in logs (never the code itself). */
  readonly id: string;
  readonly code: string;
}

export type RejectReason = 'buffer-full' | 'faulted' | 'not-ready' | 'nak' | 'invalid-data';

/**
 * - `printed`: confirmed at the capability's confirmation level.
 * - `rejected`: the device (or the driver, before sending) refused it; it was **not** printed.
 * - `unknown`: it may or may not have been printed (link lost, no confirmation in time, fault mid-job);
 *   the station must void the code, never reuse it (DESIGN.md §4).
 */
export type PrintResult =
  | { readonly kind: 'printed' }
  | { readonly kind: 'rejected'; readonly reason: RejectReason; readonly detail: string }
  | { readonly kind: 'unknown'; readonly detail: string };

export interface PrinterStatus {
  readonly state: PrinterState;
  readonly faults: readonly PrinterFault[];
  /** Jobs sent but not yet confirmed by this driver. */
  readonly inFlight: number;
  /** Jobs the device reports as still queued, when it reports that; otherwise null. */
  readonly deviceQueued: number | null;
  /** Model / firmware / serial as the device reports it, or the protocol name when it cannot say. */
  readonly identity: string;
}

export interface Disposable {
  dispose(): void;
}

export type StateListener = (state: PrinterState, previous: PrinterState, faults: readonly PrinterFault[]) => void;

export interface Printer {
  readonly kind: PrinterKind;
  readonly capabilities: PrinterCapabilities;
  readonly state: PrinterState;
  /** Opens the link and reads the device status once; throws PrinterError (code DEVICE_OFFLINE etc.) on failure. */
  open(): Promise<void>;
  /** Sends one job and settles when the device confirms, refuses, or its fate becomes unknown. Never throws for device outcomes. */
  print(job: PrintJob): Promise<PrintResult>;
  /** Asks the device for its status (polling devices) or returns the last known one. */
  status(): Promise<PrinterStatus>;
  /** Idempotent and bounded in time; every job still in flight settles as `unknown`. */
  close(): Promise<void>;
  onStateChange(listener: StateListener): Disposable;
}

/** Where a device is reached. A pty path is a `serial` endpoint; `opcua` is a printer's own OPC UA server. */
export type Endpoint =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'serial'; readonly path: string; readonly baudRate: number }
  | { readonly kind: 'opcua'; readonly url: string };

/** The part of the one Logger (links/logger.ts) a printer driver uses; codes in fields must already be masked. */
export type PrinterLogger = Pick<Logger, 'debug' | 'warn'>;

/** Options every driver accepts; vendor options extend it (see drivers/registry.ts). */
export interface PrinterConfig {
  readonly kind: PrinterKind;
  readonly endpoint: Endpoint;
  /** Symbology the stored format/template uses; must be one of the driver's capabilities. */
  readonly symbology?: Symbology;
  /** How long a sent job may wait for its confirmation before it settles `unknown` (ms). */
  readonly confirmTimeoutMs?: number;
  /** How long a command may wait for its reply (ms). */
  readonly replyTimeoutMs?: number;
  /** Jobs kept in flight; capped by the driver's own maximum. */
  readonly queueDepth?: number;
  readonly logger?: PrinterLogger;
  /** Vendor-specific options, validated by the driver (see each driver's `…Options`). */
  readonly options?: Readonly<Record<string, unknown>>;
}
