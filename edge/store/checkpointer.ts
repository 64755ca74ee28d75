import { Worker } from 'node:worker_threads';

export interface CheckpointStats {
  readonly runs: number;
  readonly lastLogFrames: number;
  readonly lastCheckpointed: number;
  readonly errors: readonly string[];
}

/** Runs checkpoint-worker.ts in a worker thread; `stop()` ends it and waits for its connection to close. */
export class Checkpointer {
  readonly #worker: Worker;
  #runs = 0;
  #lastLog = 0;
  #lastDone = 0;
  readonly #errors: string[] = [];
  #stopping: Promise<void> | undefined;

  /**
   * @param intervalMs checkpoint at least this often without nudges.
   * @param minGapMs a nudge checkpoints once this long has passed since the last checkpoint (default: 80 % of
   *   `intervalMs`, so on a busy line every checkpoint comes from a nudge, between two commits).
   */
  constructor(path: string, intervalMs: number, minGapMs = Math.round(intervalMs * 0.8)) {
    this.#worker = new Worker(new URL('./checkpoint-worker.ts', import.meta.url), {
      workerData: { path, intervalMs, minGapMs },
      // The worker only runs PRAGMA wal_checkpoint: a small young generation keeps its isolate small (issue 12).
      resourceLimits: { maxYoungGenerationSizeMb: 2 },
    });
    this.#worker.unref();
    this.#worker.on('message', (msg: { type: string; log?: number; checkpointed?: number; message?: string }) => {
      if (msg.type === 'checkpointed') {
        this.#runs += 1;
        this.#lastLog = msg.log ?? 0;
        this.#lastDone = msg.checkpointed ?? 0;
      } else if (msg.type === 'error' && msg.message !== undefined) {
        this.#errors.push(msg.message);
        if (this.#errors.length > 20) this.#errors.shift();
      }
    });
    this.#worker.on('error', (error) => { this.#errors.push(String(error)); });
  }

  get stats(): CheckpointStats {
    return { runs: this.#runs, lastLogFrames: this.#lastLog, lastCheckpointed: this.#lastDone, errors: [...this.#errors] };
  }

  /**
   * The writer has just committed and has nothing in hand: a good moment for the (due) checkpoint, which then
   * copies pages and fsyncs the database file between two commits rather than during the next one.
   */
  nudge(): void {
    if (this.#stopping === undefined) this.#worker.postMessage({ type: 'nudge' });
  }

  stop(): Promise<void> {
    this.#stopping ??= new Promise<void>((resolve) => {
      const done = (): void => { clearTimeout(guard); resolve(); };
      const guard = setTimeout(() => { void this.#worker.terminate().then(done, done); }, 5_000);
      this.#worker.once('exit', done);
      this.#worker.postMessage({ type: 'stop' });
    });
    return this.#stopping;
  }
}
