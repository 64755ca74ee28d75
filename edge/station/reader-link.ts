import type { Reader, ReaderState } from '../../scanners/index.ts';
import type { AlarmBoard } from './alarm-board.ts';
import type { Logger } from './logger.ts';
import { RetryBackoff } from './retry-backoff.ts';

/**
 * Keeps one reader connected: opens it, raises `reader-offline` when its link drops (state `faulted`, or an
 * open that fails) and reopens it with a doubling back-off (200 ms … 5 s) until `close()`. The reader contract
 * leaves reconnecting to the owner (scanners/reader-state.ts). The alarm clears when the reader is `ready`.
 */
export class ReaderLink {
  readonly name: string;
  readonly reader: Reader;
  readonly #alarms: AlarmBoard;
  readonly #log: Logger;
  readonly #backoff = new RetryBackoff();
  #closed = false;
  #opening: Promise<void> | null = null;
  readonly #sub: { dispose(): void };

  constructor(name: string, reader: Reader, alarms: AlarmBoard, log: Logger) {
    this.name = name;
    this.reader = reader;
    this.#alarms = alarms;
    this.#log = log;
    this.#sub = reader.onStateChange((state, previous) => { this.#onState(state, previous); });
  }

  get state(): ReaderState {
    return this.reader.state;
  }

  /** First open; a failure raises the alarm and keeps retrying in the background (never throws). */
  async open(): Promise<void> {
    await this.#tryOpen();
  }

  #onState(state: ReaderState, previous: ReaderState): void {
    if (this.#closed) return;
    if (state === 'ready') {
      this.#backoff.reset();
      this.#alarms.clear(`reader-offline:${this.name}`);
    } else if (state === 'faulted') {
      this.#log.warn('读码器离线 (reader offline)', { deviceId: this.name, previous });
      this.#alarms.raise('reader-offline', this.name, this.name);
      this.#schedule();
    }
  }

  #tryOpen(): Promise<void> {
    this.#opening ??= (async () => {
      try {
        await this.reader.open();
      } catch (error) {
        if (this.#closed) return;
        this.#log.warn('读码器连接失败 (reader open failed)', { deviceId: this.name, error: error instanceof Error ? error.message : String(error) });
        this.#alarms.raise('reader-offline', this.name, this.name);
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
      if (this.reader.state === 'faulted' || this.reader.state === 'closed') void this.#tryOpen();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#backoff.cancel();
    this.#sub.dispose();
    await this.#opening?.catch(() => undefined);
    await this.reader.close();
  }
}
