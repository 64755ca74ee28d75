import { ALARM_TEXT, type AlarmKind, type AlarmLevel } from './alarm-catalog.ts';
import type { StackLight } from '../plc/plc-port.ts';

/** One alarm as the operator sees it. `id` is the kind plus the source (`reader-offline:camera`). */
export interface Alarm {
  readonly id: string;
  readonly kind: AlarmKind;
  readonly level: AlarmLevel;
  readonly message: string;
  readonly action: string;
  readonly needsAck: boolean;
  /** ISO 8601. */
  readonly raisedAt: string;
  readonly clearedAt: string | null;
  /** How often it was raised again while active. */
  readonly repeats: number;
}

/** Where alarm changes are recorded (the audit log, in main.ts); must not throw into the station. */
export type AlarmRecorder = (action: 'alarm.raise' | 'alarm.clear', alarm: Alarm, actor: string) => void;

/** Stack light for a set of active alarms: red + buzzer on any stop, yellow on any warning, green when running. */
export function stackLightFor(active: readonly Alarm[], running: boolean): StackLight {
  const stop = active.some((a) => a.level === 'stop');
  const warn = active.some((a) => a.level === 'warning');
  return { green: running && !stop && !warn, yellow: warn && !stop, red: stop, buzzer: stop };
}

/**
 * The station's alarms, in memory (active ones plus a bounded history) and recorded through `record`
 * (the audit log). Raising an active alarm again counts a repeat (and takes the new detail, if any); clearing an
 * inactive one is a no-op.
 */
export class AlarmBoard {
  readonly #active = new Map<string, Alarm>();
  readonly #history: Alarm[] = [];
  readonly #listeners = new Set<() => void>();
  readonly #record: AlarmRecorder;
  readonly #now: () => number;

  constructor(record: AlarmRecorder, now: () => number = Date.now) {
    this.#record = record;
    this.#now = now;
  }

  raise(kind: AlarmKind, source: string, detail?: string): Alarm {
    const id = `${kind}:${source}`;
    const existing = this.#active.get(id);
    if (existing !== undefined) {
      // A new detail replaces the old one (e.g. a running count of unseen cases); without one the message stays.
      const message = detail === undefined ? existing.message : `${ALARM_TEXT[kind].message}: ${detail}`;
      const again = { ...existing, message, repeats: existing.repeats + 1 };
      this.#active.set(id, again);
      this.#emit();
      return again;
    }
    const text = ALARM_TEXT[kind];
    const alarm: Alarm = {
      id, kind, level: text.level, needsAck: text.needsAck, action: text.action,
      message: detail === undefined ? text.message : `${text.message}: ${detail}`,
      raisedAt: new Date(this.#now()).toISOString(), clearedAt: null, repeats: 0,
    };
    this.#active.set(id, alarm);
    this.#record('alarm.raise', alarm, 'station');
    this.#emit();
    return alarm;
  }

  /** Clears one alarm (by the condition going away, or by an operator's acknowledge). */
  clear(id: string, actor = 'station'): boolean {
    const alarm = this.#active.get(id);
    if (alarm === undefined) return false;
    this.#active.delete(id);
    const cleared = { ...alarm, clearedAt: new Date(this.#now()).toISOString() };
    this.#history.push(cleared);
    if (this.#history.length > 200) this.#history.shift();
    this.#record('alarm.clear', cleared, actor);
    this.#emit();
    return true;
  }

  /** Clears every active alarm of a kind (e.g. the condition went away for all sources). */
  clearKind(kind: AlarmKind, actor = 'station'): void {
    for (const a of [...this.#active.values()]) if (a.kind === kind) this.clear(a.id, actor);
  }

  has(kind: AlarmKind): boolean {
    for (const a of this.#active.values()) if (a.kind === kind) return true;
    return false;
  }

  active(): Alarm[] {
    return [...this.#active.values()];
  }

  history(): Alarm[] {
    return [...this.#history];
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => { this.#listeners.delete(listener); };
  }

  #emit(): void {
    for (const l of this.#listeners) l();
  }
}
