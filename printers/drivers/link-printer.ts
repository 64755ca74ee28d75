import type { ByteLink, FrameEvent, Framer } from '../../links/index.ts';
import type { Disposable, PrintJob, PrintResult, Printer, PrinterCapabilities, PrinterConfig, PrinterFault, PrinterKind, PrinterStatus } from '../contract.ts';
import { DeviceOfflineError, NotOpenError, PrinterError, ReplyTimeoutError, fromLinkError } from '../errors.ts';
import { PrinterCore } from './printer-core.ts';

/** What a status query tells the base class. `deviceQueued` = jobs the device still holds (null if it cannot say). */
export interface DeviceReport {
  readonly faults: readonly PrinterFault[];
  readonly deviceQueued: number | null;
}

/** Result of handing one job to the device: accepted into its queue, or refused (then it was not printed). */
export type SendOutcome = { readonly kind: 'accepted'; readonly deviceFull?: boolean } | Extract<PrintResult, { kind: 'rejected' }>;

interface Waiter {
  readonly match: (event: FrameEvent) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Shared machinery of the link-based drivers: one command in flight at a time (`request`), framing of what the
 * device sends, job confirmation and status polling (state machine and job FIFO: PrinterCore). Vendors supply
 * the codec parts. Link failures come out as PrinterErrors (DEVICE_OFFLINE).
 *
 * Failure semantics: a job settles exactly once. A refusal before or at send is `rejected` (not printed); once
 * the device has accepted it, only a confirmation makes it `printed` — a fault, a lost link, a close or the
 * confirmation timeout settles it `unknown` (the station voids the code, DESIGN.md §4).
 */
export abstract class LinkPrinter extends PrinterCore implements Printer {
  protected readonly link: ByteLink;
  readonly #framer: Framer;
  #waiter: Waiter | null = null;
  #chain: Promise<unknown> = Promise.resolve();
  #subs: Disposable[] = [];
  #poll: NodeJS.Timeout | null = null;
  #polling = false;

  protected constructor(kind: PrinterKind, capabilities: PrinterCapabilities, config: PrinterConfig, link: ByteLink, framer: Framer) {
    super(kind, capabilities, config, kind);
    this.link = link;
    this.#framer = framer;
  }

  protected override get deviceLabel(): string {
    return this.link.description;
  }

  /** After the link opens: read status / identity, store formats. Throw to fail open(). */
  protected abstract handshake(): Promise<DeviceReport>;
  /** Hands one job to the device (inside the command lock). */
  protected abstract sendJob(job: PrintJob): Promise<SendOutcome>;
  /** Asks for status (inside the command lock); null when the driver has no status query. */
  protected abstract queryStatus(): Promise<DeviceReport | null>;
  /** Frames nobody is waiting for: asynchronous print / fault events. Default: log and drop. */
  protected onUnsolicited(event: FrameEvent): void {
    this.logger.debug('unsolicited frame', { device: this.link.description, event: event.kind });
  }
  /** Status polling period while jobs are in flight (ms), or null for drivers confirmed by events. */
  protected pollIntervalMs(): number | null {
    return null;
  }

  async open(): Promise<void> {
    this.machine.apply('open');
    try {
      await this.link.open();
    } catch (error) {
      this.machine.apply('open-failed');
      throw fromLinkError(error);
    }
    this.#framer.reset();
    this.#subs = [
      this.link.onData((bytes) => { this.#onBytes(bytes); }),
      this.link.onClose((error) => { this.#onLinkClosed(error); }),
    ];
    try {
      const report = await this.handshake();
      if (this.machine.state !== 'opening') throw new DeviceOfflineError(`打开过程中连接断开 (link lost while opening ${this.link.description})`);
      this.#apply(report);
      if (this.machine.state === 'opening') this.machine.apply('opened');
      this.#schedulePoll();
    } catch (error) {
      await this.abandonOpen();
      throw fromLinkError(error);
    }
  }

  async print(job: PrintJob): Promise<PrintResult> {
    const refused = this.refuse();
    if (refused !== null) return refused;
    const { entry, result } = this.track(job, {});
    this.#locked(async () => {
      if (!this.isInFlight(entry)) return;
      const outcome = await this.sendJob(job);
      if (outcome.kind === 'rejected') {
        this.settle(entry, outcome);
        return;
      }
      // True after the device said its buffer is now full (Linx 0x42); cleared by the next accepted job or poll.
      this.deviceFull = outcome.deviceFull ?? false;
      if (this.capabilities.confirmation === 'accepted') this.settle(entry, { kind: 'printed' });
      else this.#schedulePoll();
    }).catch((error: unknown) => {
      const detail = error instanceof ReplyTimeoutError
        ? `发送后无应答 (no reply to the job: ${error.message})`
        : `发送失败 (send failed: ${error instanceof Error ? error.message : String(error)})`;
      this.settle(entry, { kind: 'unknown', detail });
    });
    return result;
  }

  async status(): Promise<PrinterStatus> {
    if (this.machine.state === 'ready' || this.machine.state === 'busy' || this.machine.state === 'faulted') {
      if (this.link.isOpen) {
        const report = await this.#locked(() => this.#pollOnce());
        if (report) this.#apply(report);
      }
    }
    return this.snapshot();
  }

  protected override async release(): Promise<void> {
    this.#teardown();
    await this.link.close();
  }

  /** Confirms the `n` oldest jobs as printed (device print-end event or counter drop). */
  protected confirmOldest(n: number): void {
    if (n > 0) this.deviceFull = false;
    for (let i = 0; i < n && this.inFlightCount > 0; i += 1) {
      const entry = this.inFlight[0];
      if (entry) this.settle(entry, { kind: 'printed' });
    }
  }

  /** Confirms the job carrying exactly this code; false when none is in flight (then the caller decides). */
  protected confirmCode(code: string): boolean {
    const entry = this.inFlight.find((e) => e.job.code === code);
    if (!entry) return false;
    this.deviceFull = false;
    this.settle(entry, { kind: 'printed' });
    return true;
  }

  /** Writes a command and waits for the first frame `match` accepts (returns non-undefined). Call inside `#locked`. */
  protected async request<T>(bytes: Uint8Array, match: (event: FrameEvent) => T | undefined, timeoutMs = this.replyTimeoutMs): Promise<T> {
    if (!this.link.isOpen) throw new NotOpenError(this.machine.state);
    const reply = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = null;
        reject(new ReplyTimeoutError(`${timeoutMs} ms 内设备无应答 (no reply from ${this.link.description} within ${timeoutMs} ms)`));
      }, timeoutMs);
      this.#waiter = { match, resolve: resolve as (v: unknown) => void, reject, timer };
    });
    try {
      await this.link.write(bytes);
    } catch (error) {
      const failed = fromLinkError(error);
      this.#clearWaiter(failed instanceof Error ? failed : new Error(String(failed)));
    }
    return reply;
  }

  /** Writes without waiting for a reply. */
  protected async send(bytes: Uint8Array): Promise<void> {
    try {
      await this.link.write(bytes);
    } catch (error) {
      throw fromLinkError(error);
    }
  }

  /** Runs `fn` with the command lock held: one request/response exchange at a time. */
  #locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  #clearWaiter(error: Error): void {
    const w = this.#waiter;
    if (!w) return;
    this.#waiter = null;
    clearTimeout(w.timer);
    w.reject(error);
  }

  #onBytes(bytes: Uint8Array): void {
    // Received bytes may echo a code: log their count only, never the content.
    this.logger.debug('rx', { device: this.link.description, bytes: bytes.length });
    for (const event of this.#framer.push(bytes)) {
      if (event.kind === 'rejected') {
        this.logger.warn('framing error', { device: this.link.description, reason: event.reason, bytes: event.byteLength, detail: event.detail });
        continue;
      }
      const w = this.#waiter;
      if (w) {
        const value = w.match(event);
        if (value !== undefined) {
          this.#waiter = null;
          clearTimeout(w.timer);
          w.resolve(value);
          continue;
        }
      }
      this.onUnsolicited(event);
    }
  }

  #onLinkClosed(error: Error | undefined): void {
    const detail = `连接断开，结果未知 (link lost: ${error?.message ?? 'closed'})`;
    this.#clearWaiter(new DeviceOfflineError(detail));
    if (this.machine.state === 'closing' || this.machine.state === 'closed') return;
    this.logger.warn('link lost', { device: this.link.description, error: error?.message });
    this.settleAll(detail);
    this.#stopPoll();
    this.machine.tryApply('link-lost', ['offline']);
  }

  #apply(report: DeviceReport): void {
    this.deviceQueued = report.deviceQueued;
    this.deviceFull = report.faults.includes('buffer-full');
    const state = this.machine.state;
    // A full buffer is back-pressure, not a fault: jobs are refused (`rejected: buffer-full`) until it drains.
    const blocking = report.faults.filter((f) => f !== 'buffer-full');
    if (blocking.length > 0) {
      if (state === 'ready' || state === 'busy' || state === 'opening' || (state === 'faulted' && blocking.join() !== this.machine.faults.join())) {
        if (state !== 'faulted') this.settleAll(`打印中出现故障，结果未知 (fault while printing: ${blocking.join(', ')})`);
        this.machine.tryApply('fault', blocking);
      }
    } else if (state === 'faulted' && this.link.isOpen) {
      this.machine.tryApply('fault-cleared');
    }
  }

  async #pollOnce(): Promise<DeviceReport | null> {
    const snapshot = this.inFlightCount;
    const report = await this.queryStatus();
    if (report?.deviceQueued !== null && report?.deviceQueued !== undefined && this.capabilities.confirmation === 'printed') {
      // The status request went out after every job counted in `snapshot`, so the device had them all:
      // whatever it no longer holds has been printed (ZPL ~HS eee + uuuuuuuu, Videojet QSZ).
      const done = Math.min(snapshot, this.inFlightCount, snapshot - report.deviceQueued);
      if (done > 0) this.confirmOldest(done);
    }
    return report;
  }

  #schedulePoll(): void {
    const every = this.pollIntervalMs();
    if (every === null || this.#poll !== null || this.#polling || !this.link.isOpen) return;
    if (this.machine.state !== 'busy' && this.machine.state !== 'ready' && this.machine.state !== 'faulted') return;
    if (this.inFlightCount === 0 && this.machine.state !== 'faulted') return;
    this.#poll = setTimeout(() => {
      this.#poll = null;
      this.#polling = true;
      this.#locked(() => this.#pollOnce())
        .then((report) => { if (report) this.#apply(report); })
        .catch((error: unknown) => {
          // ZPL: a printer may stay silent on ~HS while head open / media out (devices.md §1.1): treat as offline.
          if (error instanceof PrinterError && error.code === 'REPLY_TIMEOUT') this.#apply({ faults: ['offline'], deviceQueued: null });
          else this.logger.warn('status poll failed', { device: this.link.description, error: error instanceof Error ? error.message : String(error) });
        })
        .finally(() => {
          this.#polling = false;
          this.#schedulePoll();
        });
    }, every);
  }

  #stopPoll(): void {
    if (this.#poll) clearTimeout(this.#poll);
    this.#poll = null;
  }

  #teardown(): void {
    this.#stopPoll();
    for (const s of this.#subs) s.dispose();
    this.#subs = [];
    this.#clearWaiter(new DeviceOfflineError(`打印机已关闭 (printer closed)`));
  }
}
