import type { Db } from './open.ts';

/** How a deferred write ended: its value, or the error that rolled back its savepoint (and only it). */
export type DeferredOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

export interface WriteGroupOptions {
  /** A deferred write waits at most this long for a commit to ride on before it commits alone. Default 50 ms. */
  readonly maxDelayMs?: number;
  /**
   * False while the line has a decision in hand: the timer then waits for that decision's commit, which carries
   * the deferred writes, instead of taking the write lock (and an fsync) in front of it. Default: always idle.
   */
  readonly idle?: () => boolean;
}

interface Deferred {
  readonly work: () => unknown;
  readonly settle: (outcome: DeferredOutcome<unknown>) => void;
}

/**
 * Group commit for writes no one waits on (issue 12: at most one fsync per accepted case). The pallet station's
 * stacking of a case (a persisted list; nothing is told to a device when it is stored) is deferred; the next
 * durable commit of the line (a case decision) carries it in the same transaction, each deferred write in its
 * own savepoint so a refused one rolls back alone and never the decision. With no commit to ride on within
 * `maxDelayMs` (a slow or stopped line) the deferred writes commit on their own once the line is idle.
 *
 * Outcomes are settled only after the transaction that carried them committed: a caller never acts on a write
 * that a rollback undid. A main write that throws rolls back everything it carried; the deferred writes stay
 * queued for the next commit. A crash loses at most the deferred writes of the last `maxDelayMs` (at 100
 * cases/s: one case period), never a decision.
 */
export class WriteGroup {
  readonly #db: Db;
  readonly #maxDelayMs: number;
  readonly #idle: () => boolean;
  #queue: Deferred[] = [];
  #timer: NodeJS.Timeout | null = null;
  #carried = 0;
  #alone = 0;

  constructor(db: Db, options: WriteGroupOptions = {}) {
    this.#db = db;
    this.#maxDelayMs = options.maxDelayMs ?? 50;
    this.#idle = options.idle ?? (() => true);
  }

  /** Deferred writes waiting for a commit. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Deferred writes committed with a main write / on their own (for the bench and the status). */
  get stats(): { readonly carried: number; readonly alone: number } {
    return { carried: this.#carried, alone: this.#alone };
  }

  /** Queues a write; `settle` is called once, after the commit that carried it (or with the error that refused it). */
  defer<T>(work: () => T, settle: (outcome: DeferredOutcome<T>) => void): void {
    this.#queue.push({ work, settle: settle as (outcome: DeferredOutcome<unknown>) => void });
    this.#arm();
  }

  /**
   * Runs `main` in ONE IMMEDIATE transaction together with every deferred write (after it, each in its own
   * savepoint) and returns main's value. Transactions `main` opens itself nest as savepoints.
   */
  commitWith<T>(main: () => T): T {
    if (this.#queue.length === 0) return this.#db.transaction(main).immediate();
    const taken = this.#queue;
    this.#queue = [];
    let outcomes: DeferredOutcome<unknown>[] = [];
    let value: T;
    try {
      value = this.#db.transaction(() => {
        const v = main();
        outcomes = taken.map((d) => this.#attempt(d));
        return v;
      }).immediate();
    } catch (error) {
      // Rolled back whole: the deferred writes did not happen (or never ran); they wait for the next commit.
      this.#queue = [...taken, ...this.#queue];
      this.#arm();
      throw error;
    }
    this.#carried += taken.length;
    this.#settle(taken, outcomes);
    return value;
  }

  /** Commits the deferred writes now, on their own (before a pallet is closed, at stop). */
  flush(): void {
    this.#disarm();
    if (this.#queue.length === 0) return;
    const taken = this.#queue;
    this.#queue = [];
    let outcomes: DeferredOutcome<unknown>[];
    try {
      outcomes = this.#db.transaction(() => taken.map((d) => this.#attempt(d))).immediate();
    } catch (error) {
      // The transaction itself failed (disk, lock): every write in it is refused with that error.
      outcomes = taken.map(() => ({ ok: false as const, error }));
    }
    this.#alone += taken.length;
    this.#settle(taken, outcomes);
  }

  /** Stops the timer; what is still queued is committed first. */
  close(): void {
    this.flush();
  }

  #attempt(d: Deferred): DeferredOutcome<unknown> {
    try {
      return { ok: true, value: this.#db.transaction(d.work)() };
    } catch (error) {
      return { ok: false, error };
    }
  }

  #settle(taken: readonly Deferred[], outcomes: readonly DeferredOutcome<unknown>[]): void {
    taken.forEach((d, i) => { d.settle(outcomes[i] ?? { ok: false, error: new Error('deferred write without an outcome') }); });
  }

  #arm(): void {
    if (this.#timer !== null || this.#queue.length === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#queue.length === 0) return;
      if (this.#idle()) this.flush();
      else this.#arm();
    }, this.#maxDelayMs);
  }

  #disarm(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
