import type { PrintJob, PrintResult, Printer, RejectReason } from '../contract.ts';

export interface PrintQueueOptions {
  /** Jobs kept in flight (capped by the printer's capability). */
  readonly depth?: number;
  /** How long to keep retrying a job the device refused as buffer-full before giving up (ms). Default 5000. */
  readonly bufferFullWaitMs?: number;
  /** Pause between buffer-full retries (ms). Default 20. */
  readonly retryMs?: number;
  /** Called as each job settles. */
  readonly onResult?: (job: PrintJob, result: PrintResult) => void;
}

/**
 * What happened to every job of a run; the four lists are disjoint and together hold every job.
 * - printed: confirmed at the printer's confirmation level.
 * - rejected: refused by the device; definitely not printed (the code may be used again).
 * - unknown: may have been printed; **void these codes** (DESIGN.md §4).
 * - unsent: never handed to the printer (still available).
 */
export interface PrintQueueReport {
  readonly printed: readonly PrintJob[];
  readonly rejected: ReadonlyArray<{ readonly job: PrintJob; readonly reason: RejectReason; readonly detail: string }>;
  readonly unknown: ReadonlyArray<{ readonly job: PrintJob; readonly detail: string }>;
  readonly unsent: readonly PrintJob[];
  /** Why feeding stopped early, or null when every job was handed over. */
  readonly stoppedBy: string | null;
}

/**
 * Buffer management: keeps the printer's queue at `depth`, confirms each code, and after a fault (a job settling
 * `unknown`, a `faulted` / `not-ready` refusal, the printer entering `faulted`) stops feeding, waits for the jobs
 * in flight to settle and reports each job's fate. A buffer-full refusal is retried (the job was not printed).
 */
export async function runPrintQueue(printer: Printer, jobs: readonly PrintJob[], options: PrintQueueOptions = {}): Promise<PrintQueueReport> {
  const depth = Math.max(1, Math.min(options.depth ?? printer.capabilities.queueDepth, printer.capabilities.queueDepth));
  const waitLimit = options.bufferFullWaitMs ?? 5_000;
  const retryMs = options.retryMs ?? 20;
  const printed: PrintJob[] = [];
  const rejected: Array<{ job: PrintJob; reason: RejectReason; detail: string }> = [];
  const unknown: Array<{ job: PrintJob; detail: string }> = [];
  let stoppedBy: string | null = null;
  const inFlight = new Set<Promise<void>>();
  const sub = printer.onStateChange((state, _previous, faults) => {
    if (state === 'faulted' && stoppedBy === null) stoppedBy = `打印机故障 (printer faulted: ${faults.join(', ')})`;
  });

  const todo: PrintJob[] = [...jobs];
  let fullSince: number | null = null;

  const settle = (job: PrintJob, result: PrintResult): void => {
    if (result.kind === 'rejected' && result.reason === 'buffer-full') {
      // Not printed: hand it over again once the device drained (bounded by bufferFullWaitMs).
      fullSince ??= Date.now();
      if (Date.now() - fullSince > waitLimit) {
        stoppedBy ??= `缓冲区持续已满 ${waitLimit} ms (device buffer full for ${waitLimit} ms)`;
        rejected.push({ job, reason: result.reason, detail: result.detail });
        options.onResult?.(job, result);
      } else {
        todo.unshift(job);
      }
      return;
    }
    fullSince = null;
    options.onResult?.(job, result);
    if (result.kind === 'printed') printed.push(job);
    else if (result.kind === 'unknown') {
      unknown.push({ job, detail: result.detail });
      stoppedBy ??= `结果未知 (fate unknown: ${result.detail})`;
    } else {
      rejected.push({ job, reason: result.reason, detail: result.detail });
      if (result.reason === 'faulted' || result.reason === 'not-ready') stoppedBy ??= result.detail;
    }
  };

  try {
    for (;;) {
      while (inFlight.size >= depth || (todo.length === 0 && inFlight.size > 0)) await Promise.race(inFlight);
      if (stoppedBy !== null || todo.length === 0) break;
      if (fullSince !== null && inFlight.size === 0) await new Promise((r) => setTimeout(r, retryMs));
      const job = todo.shift();
      if (job === undefined) break;
      const tracked: Promise<void> = printer.print(job).then((r) => { inFlight.delete(tracked); settle(job, r); });
      inFlight.add(tracked);
      // Let an immediate refusal (driver-side buffer-full / faulted) land before feeding the next job.
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(inFlight);
  } finally {
    sub.dispose();
  }
  return { printed, rejected, unknown, unsent: todo, stoppedBy };
}
