import { pickFault, type FaultKind, type FaultRates } from './fault-rates.ts';
import type { LineStock } from './line-stock.ts';
import type { QueueFeed } from './queue-feed.ts';

/** One case as the conveyor built it (what is physically in the box), before the station saw it. */
export interface PlannedCase {
  readonly seq: number;
  /** The carton's case-outer code (on a damaged label the reader cannot read it). */
  readonly caseCode: string;
  /** What the camera sees through the case top (empty on a no-read). */
  readonly seen: readonly string[];
  readonly fault: FaultKind | 'none';
  /** performance.now() when the case reached the readers (its trigger). */
  readonly at: number;
}

/** Why the conveyor stopped: its case limit, out of stock, stop(), or its batch no longer running (paused, closed). */
export type ConveyorEnd = 'limit' | 'stock' | 'stopped' | 'batch';

export interface ConveyorOptions {
  /** The multi-code camera over the case top and the case-code reader: one entry per case, in conveyor order. */
  readonly camera: QueueFeed;
  readonly caseReader: QueueFeed;
  /** The photo-eye: tells the PLC a case is at the readers (the station's trigger). */
  readonly trigger: () => void;
  readonly stock: LineStock;
  readonly unitsPerCase: number;
  /** Cases per second. */
  readonly rate: number;
  readonly faults: FaultRates;
  /** Stop after this many cases (null: until stopped or out of stock). */
  readonly limit: number | null;
  /** Uniform [0, 1) draws for the fault dice (a seeded generator makes a run repeatable). */
  readonly random: () => number;
  /** A well-formed code from no package of the batch (码包外). */
  readonly foreignCode: () => string;
  /**
   * Asked before each case: false once the batch the stock belongs to is no longer running (the operator paused
   * or closed it), and the conveyor ends with `batch` instead of sending cases past a station that stopped.
   */
  readonly canFeed?: () => boolean;
  readonly onCase?: (planned: PlannedCase) => void;
}

/** Caps of accepted cases kept for "duplicate cap" faults (a copied code of a bottle already packed). */
const USED_CAPS_KEPT = 256;

/**
 * The simulated conveyor of the demo line. At `rate` cases per second it builds the next case from the stock,
 * rolls the fault dice, puts what each reader will see into the emulators' feeds and fires the photo-eye —
 * everything reaches the station through the real transports (camera and case reader over TCP, the PLC over
 * Modbus TCP); nothing is handed to the station directly.
 *
 * Timing: a 5 ms tick releases every case that is due by the wall clock since start, so a late tick catches up
 * instead of slowing the line (the station's trigger queue absorbs bursts, as a real accumulation table does).
 */
export class Conveyor {
  readonly #o: ConveyorOptions;
  readonly #usedCaps: string[] = [];
  readonly #inFlight = new Map<string, readonly string[]>();
  readonly #byFault: Record<FaultKind | 'none', number> = { none: 0, missing: 0, duplicate: 0, foreign: 0, noread: 0, label: 0 };
  #timer: NodeJS.Timeout | null = null;
  #started = 0;
  #fed = 0;
  #end: ConveyorEnd | null = null;
  #resolveDone: (end: ConveyorEnd) => void = () => {};
  readonly done: Promise<ConveyorEnd>;

  constructor(options: ConveyorOptions) {
    if (!(options.rate > 0)) throw new RangeError('conveyor rate must be positive');
    this.#o = options;
    this.done = new Promise((resolve) => { this.#resolveDone = resolve; });
  }

  get fed(): number {
    return this.#fed;
  }

  /** Cases sent down the line per planned fault. */
  get byFault(): Readonly<Record<FaultKind | 'none', number>> {
    return { ...this.#byFault };
  }

  start(): void {
    if (this.#timer !== null || this.#end !== null) return;
    this.#started = performance.now();
    this.#timer = setInterval(() => { this.#tick(); }, 5);
    this.#tick();
  }

  /** Stops feeding; cases already at the readers are still decided by the station. */
  stop(): void {
    this.#finish('stopped');
  }

  /** The station accepted this case: its caps are now packed and may turn up again as copied codes. */
  accepted(caseCode: string): void {
    const caps = this.#inFlight.get(caseCode);
    this.#inFlight.delete(caseCode);
    if (caps === undefined) return;
    for (const c of caps) {
      this.#usedCaps.push(c);
      if (this.#usedCaps.length > USED_CAPS_KEPT) this.#usedCaps.shift();
    }
  }

  /** The station rejected (or never decided) this case. */
  settled(caseCode: string): void {
    this.#inFlight.delete(caseCode);
  }

  #finish(end: ConveyorEnd): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#end !== null) return;
    this.#end = end;
    this.#resolveDone(end);
  }

  #tick(): void {
    const due = Math.floor(((performance.now() - this.#started) * this.#o.rate) / 1000) + 1;
    while (this.#fed < due && this.#end === null) {
      if (this.#o.limit !== null && this.#fed >= this.#o.limit) { this.#finish('limit'); return; }
      if (this.#o.canFeed?.() === false) { this.#finish('batch'); return; }
      if (!this.#release()) { this.#finish('stock'); return; }
    }
    if (this.#o.limit !== null && this.#fed >= this.#o.limit) this.#finish('limit');
  }

  /** Builds one case, feeds the readers and fires the photo-eye; false when the stock is out. */
  #release(): boolean {
    const o = this.#o;
    if (o.stock.casesLeft(o.unitsPerCase) < 1) return false;
    const fault = pickFault(o.faults, o.random());
    const caseCode = o.stock.takeCase();
    // A missing bottle leaves its cap in the stock; every other case uses a full set of fresh caps.
    const caps = o.stock.takeCaps(fault === 'missing' ? o.unitsPerCase - 1 : o.unitsPerCase);
    if (caseCode === null || caps === null) return false;
    let seen: string[] = caps;
    switch (fault) {
      case 'duplicate': {
        const copied = this.#usedCaps.length > 0 ? this.#usedCaps[Math.floor(o.random() * this.#usedCaps.length)] : undefined;
        // Before any case was packed the copy is of a bottle in this very case (duplicate within the read).
        seen = [...caps.slice(1), copied ?? caps[1] ?? ''];
        break;
      }
      case 'foreign': seen = [...caps.slice(1), o.foreignCode()]; break;
      case 'noread': seen = []; break;
      case 'none': case 'missing': case 'label': break;
    }
    this.#fed += 1;
    this.#byFault[fault] += 1;
    this.#inFlight.set(caseCode, fault === 'none' || fault === 'label' ? caps : []);
    o.camera.push(seen);
    o.caseReader.push(fault === 'label' ? [] : [caseCode]);
    const planned: PlannedCase = { seq: this.#fed, caseCode, seen, fault, at: performance.now() };
    o.onCase?.(planned);
    o.trigger();
    return true;
  }
}

