import type { Disposable } from '../contract.ts';

/** A tiny typed listener set; emitting calls listeners in subscription order. */
export class Listeners<A extends unknown[]> {
  readonly #set = new Set<(...args: A) => void>();
  add(listener: (...args: A) => void): Disposable {
    this.#set.add(listener);
    return { dispose: () => { this.#set.delete(listener); } };
  }
  emit(...args: A): void {
    for (const l of [...this.#set]) l(...args);
  }
  clear(): void {
    this.#set.clear();
  }
}
