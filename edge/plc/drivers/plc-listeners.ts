import type { PlcEvent, TriggerEvent } from '../plc-port.ts';

/**
 * The listener bookkeeping every PLC driver shares: `onEvent` sees every link/watchdog fact, `onTrigger` only the
 * triggers. Listeners run synchronously in registration order; each subscription returns its unsubscribe.
 */
export class PlcListeners {
  readonly #trigger = new Set<(e: TriggerEvent) => void>();
  readonly #event = new Set<(e: PlcEvent) => void>();

  onTrigger(listener: (event: TriggerEvent) => void): () => void {
    this.#trigger.add(listener);
    return () => { this.#trigger.delete(listener); };
  }

  onEvent(listener: (event: PlcEvent) => void): () => void {
    this.#event.add(listener);
    return () => { this.#event.delete(listener); };
  }

  emit(event: PlcEvent): void {
    for (const l of this.#event) l(event);
    if (event.kind === 'trigger') for (const l of this.#trigger) l(event.trigger);
  }
}
