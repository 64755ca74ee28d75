import type {
  Disposable, PrintJob, PrintResult, PrinterCapabilities, PrinterConfig, PrinterKind, PrinterLogger, PrinterState, PrinterStatus,
  StateListener,
} from '../contract.ts';
import { maskCode } from '../mask.ts';
import { PrinterStateMachine } from '../state/printer-state-machine.ts';
import { refuseJob } from './refuse-job.ts';

/** A job in flight, with the driver's own bookkeeping fields `E` (e.g. the device's job id). */
export type TrackedJob<E extends object> = E & { readonly job: PrintJob };

interface Ledger<E extends object> {
  readonly entry: TrackedJob<E>;
  readonly timer: NodeJS.Timeout;
  readonly resolve: (result: PrintResult) => void;
}

const SILENT: PrinterLogger = { debug() {}, warn() {} };

/**
 * What every printer driver shares: the state machine, the admission rules and the FIFO of jobs awaiting their
 * result. A job settles exactly once: by the driver (`settle`), or `unknown` when no confirmation came within
 * `confirmTimeoutMs` (the station voids the code, DESIGN.md §4). `close()` settles what is left `unknown`.
 */
export abstract class PrinterCore<E extends object = object> {
  readonly kind: PrinterKind;
  readonly capabilities: PrinterCapabilities;
  protected readonly machine = new PrinterStateMachine();
  protected readonly logger: PrinterLogger;
  protected readonly replyTimeoutMs: number;
  protected identity: string;
  /** The device said its buffer is full: jobs are refused `buffer-full` until it drains (back-pressure, not a fault). */
  protected deviceFull = false;
  /** Jobs the device reports it still holds, or null when it cannot say. */
  protected deviceQueued: number | null = null;
  readonly #confirmTimeoutMs: number;
  #jobs: Ledger<E>[] = [];

  protected constructor(kind: PrinterKind, capabilities: PrinterCapabilities, config: PrinterConfig, identity: string) {
    this.kind = kind;
    this.capabilities = capabilities;
    this.logger = config.logger ?? SILENT;
    this.replyTimeoutMs = config.replyTimeoutMs ?? 2_000;
    this.#confirmTimeoutMs = config.confirmTimeoutMs ?? 10_000;
    this.identity = identity;
  }

  /** Where the device is, for logs. */
  protected abstract get deviceLabel(): string;
  /** Lets go of the link (close, or a failed open). */
  protected abstract release(): Promise<void>;

  get state(): PrinterState {
    return this.machine.state;
  }

  onStateChange(listener: StateListener): Disposable {
    return this.machine.onChange(listener);
  }

  async close(): Promise<void> {
    if (this.machine.state === 'closed') return;
    this.machine.tryApply('close');
    this.settleAll('打印机已关闭，结果未知 (printer closed before confirmation)');
    await this.release();
    this.machine.tryApply('closed');
  }

  /** After a failed handshake: releases the link and lands in `closed`. */
  protected async abandonOpen(): Promise<void> {
    await this.release();
    this.machine.tryApply('open-failed');
    this.machine.tryApply('close');
    this.machine.tryApply('closed');
  }

  /** Why a new job is refused right now (not printed), or null when it may be sent. */
  protected refuse(): Extract<PrintResult, { kind: 'rejected' }> | null {
    return refuseJob({ machine: this.machine, deviceFull: this.deviceFull, inFlight: this.#jobs.length, queueDepth: this.capabilities.queueDepth });
  }

  /** Puts a job in flight (state `busy`); `result` settles through `settle` or the confirmation timeout. */
  protected track(job: PrintJob, fields: E): { readonly entry: TrackedJob<E>; readonly result: Promise<PrintResult> } {
    const entry = { ...fields, job } as TrackedJob<E>;
    const result = new Promise<PrintResult>((resolve) => {
      const ms = this.#confirmTimeoutMs;
      const timer = setTimeout(() => { this.settle(entry, { kind: 'unknown', detail: `${ms} ms 内未确认 (no confirmation within ${ms} ms)` }); }, ms);
      this.#jobs.push({ entry, timer, resolve });
    });
    this.machine.tryApply('job-sent');
    return { entry, result };
  }

  /** The jobs in flight, oldest first. */
  protected get inFlight(): readonly TrackedJob<E>[] {
    return this.#jobs.map((j) => j.entry);
  }

  protected get inFlightCount(): number {
    return this.#jobs.length;
  }

  protected isInFlight(entry: TrackedJob<E>): boolean {
    return this.#jobs.some((j) => j.entry === entry);
  }

  /** Settles one job (once: a job already settled is left alone). */
  protected settle(entry: TrackedJob<E>, result: PrintResult): void {
    const i = this.#jobs.findIndex((j) => j.entry === entry);
    if (i < 0) return;
    const [settled] = this.#jobs.splice(i, 1);
    if (settled === undefined) return;
    clearTimeout(settled.timer);
    this.logger.debug('print settled', { device: this.deviceLabel, jobId: entry.job.id, code: maskCode(entry.job.code), result: result.kind });
    settled.resolve(result);
    if (this.#jobs.length === 0) {
      this.onJobsSettled();
      this.machine.tryApply('jobs-settled');
    }
  }

  /** Settles every job in flight `unknown`. */
  protected settleAll(detail: string): void {
    for (const j of [...this.#jobs]) this.settle(j.entry, { kind: 'unknown', detail });
  }

  /** Called when the last job in flight settled, before the `jobs-settled` transition. */
  protected onJobsSettled(): void {}

  protected snapshot(): PrinterStatus {
    return { state: this.machine.state, faults: [...this.machine.faults], inFlight: this.#jobs.length, deviceQueued: this.deviceQueued, identity: this.identity };
  }
}
