import type { AlarmBoard } from './alarm-board.ts';
import type { AlarmKind } from './alarm-catalog.ts';
import type { Logger } from './logger.ts';
import { RetryBackoff } from './retry-backoff.ts';

/** What a link needs of a device: its state, and an open and close of its own transport. */
export interface LinkedDevice<S extends string> {
  readonly state: S;
  open(): Promise<void>;
  /** Idempotent, bounded in time. */
  close(): Promise<void>;
}

/** A device reported `faulted`: what to log and alarm, and whether the link reopens it. */
export interface LinkFault {
  readonly fields: Readonly<Record<string, unknown>>;
  /** The alarm detail. */
  readonly detail: string;
  /** True when the fault is a lost link (only a reopen clears it); false for faults that clear by themselves. */
  readonly reopen: boolean;
}

/** How one kind of device is kept: its alarm, its usable states, its words, and how its faults are told. */
export interface DeviceLinkKind<D extends LinkedDevice<S>, S extends string> {
  /** Raised while the device is unusable, as `${alarm}:${name}`. */
  readonly alarm: AlarmKind;
  /** States in which the device works: the alarm clears and the back-off starts again at 200 ms. */
  readonly usable: readonly S[];
  /** Close the driver before a retry's open (a driver that stays `faulted` until it is closed). */
  readonly closeBeforeRetry: boolean;
  /** Logged on `faulted`. */
  readonly faultedLog: string;
  /** Logged when an open fails. */
  readonly openFailedLog: string;
  /** The alarm detail when an open fails. */
  openFailedDetail(name: string): string;
  /** Subscribes to the device's state changes; a `faulted` state comes with its LinkFault. */
  watch(device: D, name: string, listener: (state: S, fault: LinkFault) => void): { dispose(): void };
}

/**
 * Keeps one device connected: opens it, raises the kind's alarm when it faults (or an open fails) and reopens it
 * with a doubling back-off (RetryBackoff: 200 ms … 5 s) until `close()`. The reader and printer contracts leave
 * reconnecting to the owner (scanners/reader-state.ts, printers/state/printer-state-machine.ts). At most one open
 * runs at a time; `close()` waits for it, then closes the device.
 */
export class DeviceLink<D extends LinkedDevice<S>, S extends string> {
  readonly name: string;
  readonly device: D;
  readonly #kind: DeviceLinkKind<D, S>;
  readonly #alarms: AlarmBoard;
  readonly #log: Logger;
  readonly #backoff = new RetryBackoff();
  #closed = false;
  #opening: Promise<void> | null = null;
  readonly #sub: { dispose(): void };

  constructor(name: string, device: D, alarms: AlarmBoard, log: Logger, kind: DeviceLinkKind<D, S>) {
    this.name = name;
    this.device = device;
    this.#kind = kind;
    this.#alarms = alarms;
    this.#log = log;
    this.#sub = kind.watch(device, name, (state, fault) => { this.#onState(state, fault); });
  }

  get state(): S {
    return this.device.state;
  }

  /** First open; a failure raises the alarm and keeps retrying in the background (never throws). */
  async open(): Promise<void> {
    await this.#open(false);
  }

  #onState(state: S, fault: LinkFault): void {
    if (this.#closed) return;
    if (this.#kind.usable.includes(state)) {
      this.#backoff.reset();
      this.#alarms.clear(`${this.#kind.alarm}:${this.name}`);
    } else if (state === 'faulted') {
      this.#log.warn(this.#kind.faultedLog, { deviceId: this.name, ...fault.fields });
      this.#alarms.raise(this.#kind.alarm, this.name, fault.detail);
      if (fault.reopen) this.#schedule();
    }
  }

  #open(retry: boolean): Promise<void> {
    this.#opening ??= (async () => {
      try {
        if (retry && this.#kind.closeBeforeRetry) await this.device.close();
        // A link closed meanwhile (or before its first open) leaves the device closed.
        if (this.#closed) return;
        await this.device.open();
      } catch (error) {
        if (this.#closed) return;
        this.#log.warn(this.#kind.openFailedLog, { deviceId: this.name, error: error instanceof Error ? error.message : String(error) });
        this.#alarms.raise(this.#kind.alarm, this.name, this.#kind.openFailedDetail(this.name));
        this.#schedule();
      } finally {
        this.#opening = null;
      }
    })();
    return this.#opening;
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#backoff.schedule(() => {
      if (this.#closed) return;
      if (this.device.state === 'faulted' || this.device.state === 'closed') void this.#open(true);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#backoff.cancel();
    this.#sub.dispose();
    await this.#opening?.catch(() => undefined);
    await this.device.close();
  }
}
