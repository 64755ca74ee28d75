import type { Printer, PrinterFault, PrinterState } from '../../printers/index.ts';
import type { AlarmBoard } from './alarm-board.ts';
import type { Logger } from './logger.ts';
import { RetryBackoff } from './retry-backoff.ts';

/**
 * Keeps one printer usable: raises `printer-fault` while it reports a fault (ribbon out, head open …) and clears
 * it when the fault clears. A lost link (fault `offline`) cannot clear by itself: the driver stays `faulted`
 * (printers/state/printer-state-machine.ts), so the link is closed and reopened with a doubling back-off.
 */
export class PrinterLink {
  readonly name: string;
  readonly printer: Printer;
  readonly #alarms: AlarmBoard;
  readonly #log: Logger;
  readonly #backoff = new RetryBackoff();
  #closed = false;
  #work: Promise<void> | null = null;
  readonly #sub: { dispose(): void };

  constructor(name: string, printer: Printer, alarms: AlarmBoard, log: Logger) {
    this.name = name;
    this.printer = printer;
    this.#alarms = alarms;
    this.#log = log;
    this.#sub = printer.onStateChange((state, _previous, faults) => { this.#onState(state, faults); });
  }

  get state(): PrinterState {
    return this.printer.state;
  }

  async open(): Promise<void> {
    await this.#reopen(false);
  }

  #onState(state: PrinterState, faults: readonly PrinterFault[]): void {
    if (this.#closed) return;
    if (state === 'ready' || state === 'busy') {
      this.#backoff.reset();
      this.#alarms.clear(`printer-fault:${this.name}`);
    } else if (state === 'faulted') {
      this.#log.warn('打印机故障 (printer fault)', { deviceId: this.name, faults });
      this.#alarms.raise('printer-fault', this.name, `${this.name} ${faults.join(', ')}`);
      if (faults.includes('offline')) this.#schedule();
    }
  }

  #reopen(closeFirst: boolean): Promise<void> {
    this.#work ??= (async () => {
      try {
        if (closeFirst) await this.printer.close();
        if (this.#closed) return;
        await this.printer.open();
      } catch (error) {
        if (this.#closed) return;
        this.#log.warn('打印机连接失败 (printer open failed)', { deviceId: this.name, error: error instanceof Error ? error.message : String(error) });
        this.#alarms.raise('printer-fault', this.name, `${this.name} offline`);
        this.#schedule();
      } finally {
        this.#work = null;
      }
    })();
    return this.#work;
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#backoff.schedule(() => {
      if (!this.#closed && (this.printer.state === 'faulted' || this.printer.state === 'closed')) void this.#reopen(true);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#backoff.cancel();
    this.#sub.dispose();
    await this.#work?.catch(() => undefined);
    await this.printer.close();
  }
}
