import { CodeFeed } from '../../scanners/index.ts';

/**
 * What an emulated reader sees when items pass it one by one: each trigger takes the next item in arrival
 * order; with nothing in view the reader reports a no-read. The conveyor pushes one entry per item, so the
 * n-th trigger of the station reads the n-th item even when several cases are in flight.
 */
export class QueueFeed extends CodeFeed {
  readonly #items: (readonly string[])[] = [];

  constructor() {
    super([[]]);
  }

  push(codes: readonly string[]): void {
    this.#items.push(codes);
  }

  get waiting(): number {
    return this.#items.length;
  }

  /** Drops what no trigger will read any more (cases that passed a stopped station). */
  clear(): void {
    this.#items.length = 0;
  }

  override next(): readonly string[] {
    return this.#items.shift() ?? [];
  }
}

/**
 * A label under a fixed verifier: every trigger sees the label printed last (the one now in front of it) until
 * the next one is printed; before any label, a no-read.
 */
export class LabelFeed extends CodeFeed {
  #label: readonly string[] = [];

  constructor() {
    super([[]]);
  }

  show(codes: readonly string[]): void {
    this.#label = codes;
  }

  override next(): readonly string[] {
    return this.#label;
  }
}
