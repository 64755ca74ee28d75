import { readFileSync } from 'node:fs';

/**
 * Resident memory of one process, read from /proc/<pid>/status (Linux only). Both figures cover the whole
 * process, so worker threads are included. `rssMiB` is VmRSS (resident now); `hwmMiB` is VmHWM (the kernel's own
 * high-water mark of VmRSS since the process started, so a peak between two samples is never missed).
 * Returns null when the process has gone (or never was).
 */
export function sampleRss(pid: number): { rssMiB: number; hwmMiB: number } | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const rssKb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  const hwmKb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  // A zombie (exited, not yet reaped) has no Vm* lines: it holds no memory any more.
  if (rssKb === undefined || hwmKb === undefined) return null;
  return { rssMiB: Number(rssKb) / 1024, hwmMiB: Number(hwmKb) / 1024 };
}

/** What an RssSampler found for one pid. MiB, rounded to 0.1. */
export interface RssFigures {
  /** Largest VmHWM seen: the process's peak resident set up to its last sample. */
  peakMiB: number;
  /** Median VmRSS over the last third of the samples: the level it settled at. */
  steadyMiB: number;
  /** How many samples were taken while the process was alive. */
  samples: number;
}

/**
 * Samples VmRSS and VmHWM of the given pids every `intervalMs` until `stop()`. A pid may be added later (a child
 * started after the sampler). A process that exits keeps the figures of its last sample (its VmHWM then is its
 * lifetime peak up to that moment; sample often enough, or call `sampleNow()` just before it exits).
 */
export class RssSampler {
  readonly #series = new Map<number, { rss: number[]; hwm: number }>();
  readonly #timer: NodeJS.Timeout;

  constructor(pids: readonly number[], intervalMs = 100) {
    for (const pid of pids) this.add(pid);
    this.sampleNow();
    this.#timer = setInterval(() => this.sampleNow(), intervalMs);
    this.#timer.unref();
  }

  add(pid: number): void {
    if (!this.#series.has(pid)) this.#series.set(pid, { rss: [], hwm: Number.NaN });
  }

  sampleNow(): void {
    for (const [pid, s] of this.#series) {
      const r = sampleRss(pid);
      if (r === null) continue;
      s.rss.push(r.rssMiB);
      s.hwm = Number.isNaN(s.hwm) ? r.hwmMiB : Math.max(s.hwm, r.hwmMiB);
    }
  }

  /** Stops sampling (after one last sample) and returns the figures per pid. */
  stop(): Map<number, RssFigures> {
    clearInterval(this.#timer);
    this.sampleNow();
    const out = new Map<number, RssFigures>();
    for (const [pid, s] of this.#series) {
      const tail = s.rss.slice(Math.floor((s.rss.length * 2) / 3)).sort((a, b) => a - b);
      const steady = tail.length === 0 ? Number.NaN : (tail[Math.floor((tail.length - 1) / 2)] ?? Number.NaN);
      out.set(pid, { peakMiB: round1(s.hwm), steadyMiB: round1(steady), samples: s.rss.length });
    }
    return out;
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
