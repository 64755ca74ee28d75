/**
 * A one-line progress bar for long CLI commands, drawn on stderr only when it is a terminal (a pipe or file
 * gets nothing, so logs and `--json` output stay clean):
 *
 *   生成盖内码 写入数据库 [██████████░░░░░░░░░░]  50.0%  5,000,000/10,000,000  1.2M/s  剩余 4s
 *
 * Redraws at most every `minIntervalMs` (default 100 ms) and on every phase change; the rate and ETA are
 * measured from the start of the current phase. `finish()` ends the line.
 */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** Milliseconds clock; injectable for tests. */
  readonly now?: () => number;
  readonly minIntervalMs?: number;
  readonly barWidth?: number;
}

const FULL = '█';
const EMPTY = '░';

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '—/s';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)}M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k/s`;
  return `${Math.round(perSecond)}/s`;
}

/** Seconds as `4s`, `2分05秒`, `1时02分`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}分${String(s % 60).padStart(2, '0')}秒`;
  return `${Math.floor(s / 3600)}时${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}分`;
}

export class ProgressBar {
  readonly #stream: ProgressStream;
  readonly #label: string;
  readonly #now: () => number;
  readonly #minInterval: number;
  readonly #barWidth: number;
  readonly #enabled: boolean;
  #phase = '';
  #phaseStart = 0;
  #phaseStartDone = 0;
  #lastDraw = Number.NEGATIVE_INFINITY;
  #drawn = false;

  constructor(stream: ProgressStream, label: string, options: ProgressOptions = {}) {
    this.#stream = stream;
    this.#label = label;
    this.#now = options.now ?? (() => performance.now());
    this.#minInterval = options.minIntervalMs ?? 100;
    this.#barWidth = options.barWidth ?? 24;
    this.#enabled = stream.isTTY === true;
  }

  /** Whether anything will be drawn (stderr is a terminal). */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** Reports `done` of `total` in `phase` (a short Chinese label, e.g. 写入数据库). */
  update(phase: string, done: number, total: number): void {
    if (!this.#enabled) return;
    const now = this.#now();
    const phaseChanged = phase !== this.#phase;
    if (phaseChanged) {
      this.#phase = phase;
      this.#phaseStart = now;
      this.#phaseStartDone = done;
    }
    if (!phaseChanged && done < total && now - this.#lastDraw < this.#minInterval) return;
    this.#lastDraw = now;
    this.#stream.write(`\r${this.render(done, total, now)}\x1b[K`);
    this.#drawn = true;
  }

  /** The line for `done` of `total` at time `now` (no control characters). */
  render(done: number, total: number, now = this.#now()): string {
    const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
    const filled = Math.round(fraction * this.#barWidth);
    const bar = FULL.repeat(filled) + EMPTY.repeat(this.#barWidth - filled);
    const elapsed = (now - this.#phaseStart) / 1000;
    const rate = elapsed > 0 ? (done - this.#phaseStartDone) / elapsed : 0;
    const eta = done >= total ? '完成' : rate > 0 ? `剩余 ${formatDuration((total - done) / rate)}` : '剩余 —';
    const percent = `${(fraction * 100).toFixed(1)}%`.padStart(6);
    return `${this.#label} ${this.#phase} [${bar}] ${percent}  ${formatCount(done)}/${formatCount(total)}  ${formatRate(rate)}  ${eta}`;
  }

  /** Ends the progress line (a newline, if anything was drawn). */
  finish(): void {
    if (this.#drawn) this.#stream.write('\n');
    this.#drawn = false;
  }
}
