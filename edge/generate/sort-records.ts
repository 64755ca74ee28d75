/**
 * Sorts `count` fixed-width records packed back to back in `bytes` (no separators) into ascending byte order,
 * in place, and removes duplicates. Returns the number of distinct records, which now fill
 * `bytes[0, distinct * width)`; the bytes after them are left unspecified.
 *
 * Byte order is the order SQLite's BINARY collation gives the same ASCII text, so inserting the records in this
 * order appends each 1M-row transaction at the right edge of a fresh key range of the codes B-tree instead of
 * touching random pages all over it (feasibility §4a: sorted batches are the lever).
 *
 * Algorithm: in-place MSD radix sort ("American flag sort", McIlroy, Bostic & McIlroy 1993) on one byte per
 * level, with insertion sort for small buckets. No extra memory beyond a few KB of counters, so 10M 17-byte
 * codes sort inside their own 170 MB. A level where all records share the byte (a constant prefix) costs one
 * counting pass and no moves.
 */
const SMALL = 24;

interface Level {
  readonly counts: Int32Array;
  readonly next: Int32Array;
  readonly end: Int32Array;
}

export function sortRecords(bytes: Uint8Array, width: number, count: number): number {
  if (!Number.isInteger(width) || width < 1) throw new RangeError(`record width must be a positive integer, got ${width}`);
  if (!Number.isInteger(count) || count < 0 || count * width > bytes.length) {
    throw new RangeError(`${count} records of ${width} bytes do not fit in ${bytes.length} bytes`);
  }
  if (count < 2) return count;
  const levels: Level[] = [];
  for (let d = 0; d < width; d += 1) levels.push({ counts: new Int32Array(256), next: new Int32Array(256), end: new Int32Array(256) });
  const tmp = new Uint8Array(width);
  sortRange(bytes, width, 0, count, 0, levels, tmp);
  return dedupe(bytes, width, count);
}

function sortRange(b: Uint8Array, w: number, lo: number, hi: number, depth: number, levels: readonly Level[], tmp: Uint8Array): void {
  let d = depth;
  for (;;) {
    if (hi - lo < SMALL) {
      insertionSort(b, w, lo, hi, d, tmp);
      return;
    }
    const level = levels[d];
    if (level === undefined) return;
    const { counts, next, end } = level;
    counts.fill(0);
    for (let i = lo; i < hi; i += 1) counts[b[i * w + d] as number] = (counts[b[i * w + d] as number] as number) + 1;
    // All records share this byte (e.g. a constant prefix): nothing to move, go one byte deeper.
    if (counts[b[lo * w + d] as number] === hi - lo) {
      d += 1;
      if (d >= w) return;
      continue;
    }
    let pos = lo;
    for (let c = 0; c < 256; c += 1) {
      next[c] = pos;
      pos += counts[c] as number;
      end[c] = pos;
    }
    for (let c = 0; c < 256; c += 1) {
      const stop = end[c] as number;
      while ((next[c] as number) < stop) {
        const at = next[c] as number;
        let v = b[at * w + d] as number;
        while (v !== c) {
          const j = next[v] as number;
          next[v] = j + 1;
          swap(b, w, at, j);
          v = b[at * w + d] as number;
        }
        next[c] = at + 1;
      }
    }
    if (d + 1 >= w) return;
    // Recurse into each bucket; `end` of this level is read before the deeper level reuses its own arrays.
    let start = lo;
    for (let c = 0; c < 256; c += 1) {
      const stop = end[c] as number;
      if (stop - start > 1) sortRange(b, w, start, stop, d + 1, levels, tmp);
      start = stop;
    }
    return;
  }
}

function swap(b: Uint8Array, w: number, i: number, j: number): void {
  const x = i * w;
  const y = j * w;
  for (let k = 0; k < w; k += 1) {
    const t = b[x + k] as number;
    b[x + k] = b[y + k] as number;
    b[y + k] = t;
  }
}

/** Compares records i and j from byte `from` on; the bytes before `from` are known to be equal. */
function compare(b: Uint8Array, w: number, i: number, j: number, from: number): number {
  const x = i * w;
  const y = j * w;
  for (let k = from; k < w; k += 1) {
    const diff = (b[x + k] as number) - (b[y + k] as number);
    if (diff !== 0) return diff;
  }
  return 0;
}

function insertionSort(b: Uint8Array, w: number, lo: number, hi: number, from: number, tmp: Uint8Array): void {
  for (let i = lo + 1; i < hi; i += 1) {
    if (compare(b, w, i - 1, i, from) <= 0) continue;
    tmp.set(b.subarray(i * w, i * w + w));
    let j = i - 1;
    while (j >= lo && compareWith(b, w, j, tmp, from) > 0) j -= 1;
    b.copyWithin((j + 2) * w, (j + 1) * w, i * w);
    b.set(tmp, (j + 1) * w);
  }
}

function compareWith(b: Uint8Array, w: number, i: number, rec: Uint8Array, from: number): number {
  const x = i * w;
  for (let k = from; k < w; k += 1) {
    const diff = (b[x + k] as number) - (rec[k] as number);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Removes adjacent duplicates of a sorted run, compacting in place; returns the distinct count. */
function dedupe(b: Uint8Array, w: number, count: number): number {
  let out = 1;
  for (let i = 1; i < count; i += 1) {
    if (compare(b, w, out - 1, i, 0) === 0) continue;
    if (out !== i) b.copyWithin(out * w, i * w, i * w + w);
    out += 1;
  }
  return out;
}
