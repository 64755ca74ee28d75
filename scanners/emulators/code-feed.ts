import { readFileSync } from 'node:fs';

/**
 * What the emulated camera "sees", one entry per trigger, cycling. An entry is the list of codes in the image;
 * an empty list is a no-read. File format (`wuma emulate reader --codes FILE`): one trigger per line, codes
 * separated by TAB, `-` alone = no-read, `#` starts a comment line; `\x1d` (or a real GS byte) marks a GS1
 * separator.
 */
export class CodeFeed {
  readonly #reads: readonly (readonly string[])[];
  #next = 0;

  constructor(reads: readonly (readonly string[])[]) {
    if (reads.length === 0) throw new RangeError('a code feed needs at least one entry');
    this.#reads = reads;
  }

  static fromText(text: string, source = 'codes'): CodeFeed {
    const reads: string[][] = [];
    text.split(/\r?\n/).forEach((line, index) => {
      if (line.trim() === '' || line.startsWith('#')) return;
      if (line.trim() === '-') {
        reads.push([]);
        return;
      }
      const codes = line.split('\t').map((c) => c.replaceAll('\\x1d', '\x1d').replaceAll('\\x1D', '\x1d'));
      if (codes.some((c) => c.length === 0)) throw new RangeError(`${source}:${index + 1}: 空的条码 (empty code between TABs)`);
      reads.push(codes);
    });
    if (reads.length === 0) throw new RangeError(`${source}: 没有条码 (no codes in file)`);
    return new CodeFeed(reads);
  }

  static fromFile(path: string): CodeFeed {
    return CodeFeed.fromText(readFileSync(path, 'utf8'), path);
  }

  /** The next entry, cycling. */
  next(): readonly string[] {
    const read = this.#reads[this.#next % this.#reads.length] ?? [];
    this.#next += 1;
    return read;
  }

  get size(): number {
    return this.#reads.length;
  }
}
