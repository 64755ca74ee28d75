import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/** Writes bench/results/<name>.json with the machine it ran on, and prints the figures. */
export function writeResults(name: string, figures: Record<string, unknown>): string {
  const dir = join(import.meta.dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.json`);
  const doc = {
    bench: name,
    at: new Date().toISOString(),
    machine: { node: process.version, arch: arch(), cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memGiB: Math.round(totalmem() / 2 ** 30) },
    figures,
  };
  writeFileSync(path, `${JSON.stringify(doc, null, 2)}\n`);
  console.log(JSON.stringify(figures, null, 2));
  console.log(`→ ${path}`);
  return path;
}

/** Percentile of an ascending-sorted array (nearest-rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** Samples process RSS every `everyMs` until stopped; returns the peak in MiB. */
export function trackPeakRss(everyMs = 50): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, everyMs);
  timer.unref();
  return { stop() { clearInterval(timer); peak = Math.max(peak, process.memoryUsage.rss()); return Math.round(peak / 2 ** 20); } };
}

/** This process's peak resident set since start or the last `/proc/self/clear_refs` reset (VmHWM), MiB. */
export function peakRssMiB(): number {
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
}
