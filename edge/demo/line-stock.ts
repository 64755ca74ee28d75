import { kindToInt } from '../domain/kinds.ts';
import type { Db } from '../store/open.ts';

/**
 * The physical material at the demo line: pre-printed caps and cartons that have not been used yet, i.e. the
 * cap-outer and case-outer codes of the batch's packages that are still available or printed and in no parent.
 * Read once at start (the database is the truth after a restart: caps of a case that was in flight when the
 * process died are still unused and come round again). Only outer codes: the line never sees inner codes.
 */
export class LineStock {
  readonly #caps: string[];
  readonly #cases: string[];
  #nextCap = 0;
  #nextCase = 0;

  constructor(caps: string[], cases: string[]) {
    this.#caps = caps;
    this.#cases = cases;
  }

  static load(db: Db, batchId: number): LineStock {
    const select = db.prepare(`SELECT c.code FROM codes c JOIN batch_packages bp ON bp.package_id = c.package_id AND bp.batch_id = ?
      WHERE c.kind = ? AND c.status IN (0, 1) AND c.parent IS NULL ORDER BY c.code`).pluck();
    return new LineStock(select.all(batchId, kindToInt('cap-outer')) as string[], select.all(batchId, kindToInt('case-outer')) as string[]);
  }

  /** Cases that can still be built from what is left (one carton and `unitsPerCase` caps each). */
  casesLeft(unitsPerCase: number): number {
    return Math.min(this.#cases.length - this.#nextCase, Math.floor((this.#caps.length - this.#nextCap) / unitsPerCase));
  }

  /** The next `n` caps, or null when the stock is out. */
  takeCaps(n: number): string[] | null {
    if (this.#nextCap + n > this.#caps.length) return null;
    const caps = this.#caps.slice(this.#nextCap, this.#nextCap + n);
    this.#nextCap += n;
    return caps;
  }

  takeCase(): string | null {
    const code = this.#cases[this.#nextCase];
    if (code === undefined) return null;
    this.#nextCase += 1;
    return code;
  }
}
