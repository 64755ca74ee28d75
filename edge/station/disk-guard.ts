import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';

/** Free bytes on the file system holding `path` (a port: tests pass a fake to simulate a full disk). */
export type FreeSpace = (path: string) => number;

export const statfsFreeSpace: FreeSpace = (path) => {
  const s = statfsSync(path);
  return Number(s.bavail) * Number(s.bsize);
};

/**
 * Checks free disk space before commits so the station stops safely (pause intake, red light, line stop) while
 * SQLite can still write — a commit that fails half-way on ENOSPC is rolled back by SQLite, but the line would
 * keep running with nowhere to put its cases. statfs is one syscall; the answer is reused for `cacheMs` so the
 * hot path at 100 cases/s pays for at most a few calls per second.
 */
export class DiskGuard {
  readonly #dir: string;
  readonly #minFree: number;
  readonly #free: FreeSpace;
  readonly #cacheMs: number;
  readonly #now: () => number;
  #checkedAt = -Infinity;
  #lastFree = Infinity;

  constructor(options: { readonly databasePath: string; readonly minFreeMiB: number; readonly freeSpace?: FreeSpace; readonly cacheMs?: number; readonly now?: () => number }) {
    this.#dir = options.databasePath === ':memory:' ? '.' : dirname(options.databasePath);
    this.#minFree = options.minFreeMiB * 1024 * 1024;
    this.#free = options.freeSpace ?? statfsFreeSpace;
    this.#cacheMs = options.cacheMs ?? 250;
    this.#now = options.now ?? Date.now;
  }

  /** Free bytes now (cached for `cacheMs`). */
  freeBytes(): number {
    const now = this.#now();
    if (now - this.#checkedAt >= this.#cacheMs) {
      this.#lastFree = this.#free(this.#dir);
      this.#checkedAt = now;
    }
    return this.#lastFree;
  }

  /** True when there is room to keep committing. */
  ok(): boolean {
    return this.freeBytes() >= this.#minFree;
  }

  /** Forgets the cached answer (after the operator freed space and pressed reset). */
  refresh(): void {
    this.#checkedAt = -Infinity;
  }

  get minFreeBytes(): number {
    return this.#minFree;
  }
}
