import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateRecords } from '../codes/generate.ts';
import type { CodeProfile } from '../codes/profile.ts';
import type { RandomSource } from '../codes/random-source.ts';
import { profileRandomBits } from '../codes/validate-profile.ts';
import type { CodeKind } from '../domain/kinds.ts';
import type { SealKey } from '../packages/package-key.ts';
import { writeSealedPackage } from '../packages/seal.ts';
import { hasRunningBatch } from '../store/batches.ts';
import { generationScratchDir } from '../store/recover.ts';
import { CodeWriter } from '../store/code-writer.ts';
import type { Db } from '../store/open.ts';
import { GenerateBug, GenerateError } from './errors.ts';
import { writePlainExport } from './plain-export.ts';
import { sortRecords } from './sort-records.ts';

/** Rows per insert transaction (issue 2: sorted 1M-row transactions) while no line is running. */
export const BATCH_ROWS = 1_000_000;
/**
 * Line-friendly mode, used for every transaction that starts while a batch is running (a line is committing
 * cases, ~100 per second, each waiting for the write lock). A 1M-row transaction holds the lock ~0.4 s; here
 * each holds it about LINE_HOLD_MS: the row count starts at LINE_ROWS_START and follows the measured hold of
 * the previous line transaction (at most doubling per step), within LINE_ROWS_MIN..LINE_ROWS_MAX. The floor
 * keeps a slow disk, where the commit's fsync alone takes the target, from shrinking transactions to nothing.
 *
 * After each one the generator leaves the lock free for LINE_PAUSE_MS. A waiting writer does not queue: SQLite's
 * busy handler sleeps and retries 1, 3, 8, 18, 33, 53… ms after its first try (sqliteDefaultBusyCallback), so a
 * writer that began waiting during a hold of ≤ 18 ms retries at most 15 ms apart around the release, and a
 * 15 ms pause is what makes its next retry land while the lock is free. Shorter pauses starve it: with 5 ms a
 * writer committing every 10 ms waited up to ~0.9 s (as it does behind back-to-back 1M-row transactions).
 * Measured on a shared 2-core EPYC, 5M cap-outer codes, another connection committing 24 rows every 10 ms:
 * line mode holds p50 10 ms / p99 19–24 ms / max 22–27 ms, that writer waits p99 19–23 ms / max 25–34 ms,
 * 0.80–0.88M codes/s; fast mode holds 330–370 ms and shut that writer out for the whole 1.7 s insert phase,
 * 1.9M codes/s.
 */
export const LINE_HOLD_MS = 10;
export const LINE_PAUSE_MS = 15;
const LINE_ROWS_START = 10_000;
const LINE_ROWS_MIN = 5_000;
const LINE_ROWS_MAX = 100_000;
/**
 * Bytes of codes sorted together in memory (one sorted run). A package that fits is drawn, sorted and inserted
 * straight from one buffer. A larger one is drawn once and split by value into buckets of about this size
 * (splitters taken from an independent sample of the same profile, so buckets come out even), spilled to
 * scratch files beside the database; each bucket is then loaded, sorted and inserted in turn. Buckets are value
 * ranges in key order, so the inserts still walk the B-tree once, left to right, as one sorted run would, while
 * memory stays at one bucket (issue 12: 10M 17-byte codes in ≤ 256 MiB instead of a 170 MB buffer).
 */
export const SORT_RUN_BYTES = 32 * 2 ** 20;
/** Records of the sample the bucket splitters are picked from. */
const SPLITTER_SAMPLE = 65_536;
/** Bucket capacity over its expected size; a bucket that still overflows grows its buffer. */
const BUCKET_SLACK = 1.1;
/** Bytes buffered per bucket before they are written to its scratch file. */
const SPILL_BYTES = 256 * 1024;
export const MAX_COUNT = 100_000_000;
/** Codes drawn per generateRecords call, so progress moves and cancellation is noticed during generation. */
const DRAW_ROWS = 1_000_000;
/** Codes drawn per call while routing a bucketed package into its buckets (one reused buffer). */
const ROUTE_DRAW_ROWS = 65_536;
/** Rounds of drawing replacements for repeats before the code space is declared exhausted. */
const MAX_REPLACEMENT_ROUNDS = 64;
const NEWLINE = 0x0a;

export type GeneratePhase = 'generate' | 'sort' | 'insert' | 'checkpoint';

export interface GenerateProgress {
  readonly phase: GeneratePhase;
  readonly done: number;
  readonly total: number;
}

export type ExportTarget =
  | { readonly type: 'plain'; readonly path: string }
  | { readonly type: 'sealed'; readonly path: string; readonly key: SealKey };

export interface GenerateRequest {
  /** The package uuid (code_packages.uuid, also the sealed manifest's packageId). */
  readonly uuid: string;
  readonly kind: CodeKind;
  readonly productId: string | null;
  readonly profile: CodeProfile;
  readonly count: number;
  /** Who asked, for the audit row. */
  readonly actor: string;
  readonly out: ExportTarget | null;
  /** Rows per transaction; tests use small values to get several transactions cheaply. */
  readonly batchRows?: number;
  /** Codes per sorted run (default SORT_RUN_BYTES / width); above it the package is bucketed (SORT_RUN_BYTES). */
  readonly sortBlockRows?: number;
}

export interface GenerateHooks {
  readonly random: RandomSource;
  onProgress(progress: GenerateProgress): void;
  /** Polled between batches; true stops the run, which then aborts the package. */
  cancelled(): boolean;
}

export interface GenerateResult {
  readonly packageId: number;
  readonly uuid: string;
  readonly kind: CodeKind;
  readonly productId: string | null;
  readonly count: number;
  readonly width: number;
  /** SHA-256 of the plaintext export (one code per line), when one was written. */
  readonly sha256: string | null;
  readonly out: { readonly path: string; readonly bytes: number; readonly sealed: boolean } | null;
  /** Draws replaced because they repeated another draw of this run, or a code already stored. */
  readonly replaced: { readonly withinRun: number; readonly alreadyStored: number };
  readonly transactions: number;
  /** Sorted runs (1 unless the package was bucketed) and the most codes any of them held in memory. */
  readonly sortedRuns: { readonly count: number; readonly largest: number };
  /** How the insert transactions held the database's write lock. */
  readonly writeLock: WriteLockStats;
  readonly timingsMs: { readonly generate: number; readonly sort: number; readonly insert: number; readonly total: number };
}

/** Transactions per mode ('fast' = no batch running, batchRows each; 'line' = line-friendly, small + pause). */
export interface WriteLockStats {
  readonly transactions: { readonly fast: number; readonly line: number };
  /** Rows inserted by the largest transaction of each mode (0 when the mode was not used). */
  readonly largestRows: { readonly fast: number; readonly line: number };
  /** Write-lock hold per transaction, ms (BEGIN IMMEDIATE acquired → COMMIT done), over all transactions. */
  readonly holdMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

/** Byte order of record `records[from, from + width)` against `other` (the codes' key order). */
function compareRecord(records: Uint8Array, from: number, other: Uint8Array, width: number): number {
  for (let k = 0; k < width; k += 1) {
    const diff = (records[from + k] as number) - (other[k] as number);
    if (diff !== 0) return diff;
  }
  return 0;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

/**
 * Generates `count` new codes as one package (issue 2, DESIGN §5), in the calling thread (the CLI runs it
 * in a worker: start-generation.ts):
 *
 * 1. draw the codes as fixed-width records (edge/codes generateRecords) into one buffer per sorted run;
 * 2. sort them (byte order = the key order) and drop repeats;
 * 3. insert them in ≤ batchRows transactions through CodeWriter — or, while any batch is running (asked before
 *    each transaction), in small line-friendly ones with a pause after each (LINE_HOLD_MS, LINE_PAUSE_MS); the
 *    last transaction also inserts the replacements for repeats and for codes already stored, and flips the
 *    package to 'ready';
 * 4. stream each committed batch as lines to the export (plain or sealed), which appears under its final
 *    name only after the 'ready' commit. A file under the final name therefore always matches a ready package.
 *
 * On any failure or cancellation the package is aborted (codes deleted, row 'aborted') unless it was already
 * ready; a crash instead leaves it 'writing' with this pid, and recovery removes it on the next open.
 */
export async function generatePackage(db: Db, request: GenerateRequest, hooks: GenerateHooks): Promise<GenerateResult> {
  const started = performance.now();
  const { count, profile } = request;
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_COUNT) {
    throw new GenerateError('INVALID_REQUEST', `数量应在 1 到 ${MAX_COUNT} 之间，收到 ${count} (count must be between 1 and ${MAX_COUNT})`);
  }
  const bits = profileRandomBits(profile);
  if (bits < 53 && count > 2 ** bits / 2) {
    throw new GenerateError('CODE_SPACE_EXHAUSTED', `码规则只有 ${bits} 位随机数，容纳不了 ${count} 个码，请加长码长 (the profile carries only ${bits} random bits, too few for ${count} codes; use a longer code)`);
  }
  const batchRows = request.batchRows ?? BATCH_ROWS;
  const width = generateRecords(profile, 0, hooks.random).width;
  const runRows = Math.max(1, request.sortBlockRows ?? Math.floor(SORT_RUN_BYTES / width));
  const writer = new CodeWriter(db, width);
  const exporting = request.out !== null;
  const timings = { generate: 0, sort: 0, insert: 0 };
  const replaced = { withinRun: 0, alreadyStored: 0 };
  let transactions = 0;
  const runs = { count: 0, largest: 0 };
  let sha256: string | null = null;
  const lock = { fast: 0, line: 0, largestFast: 0, largestLine: 0, holds: [] as number[] };
  let lineRows = LINE_ROWS_START;

  const checkCancel = (): void => {
    if (hooks.cancelled()) throw new GenerateError('CANCELLED', '已取消，本次生成的码全部撤销 (cancelled; every code of this run was removed)');
  };

  /** Draws `n` records of the profile into `target` (which holds at least n × width bytes). */
  const draw = (target: Uint8Array, n: number, progressBase: number): void => {
    const t0 = performance.now();
    for (let at = 0; at < n; at += DRAW_ROWS) {
      const m = Math.min(DRAW_ROWS, n - at);
      // Straight into the target: no chunk array left behind for the collector.
      const records = generateRecords(profile, m, hooks.random, target.subarray(at * width, (at + m) * width));
      if (records.width !== width) throw new GenerateBug(`record width changed from ${width} to ${records.width}`);
      hooks.onProgress({ phase: 'generate', done: progressBase + at + m, total: count });
      checkCancel();
    }
    timings.generate += performance.now() - t0;
  };

  const sortRun = (buffer: Uint8Array, n: number): number => {
    const t0 = performance.now();
    const distinct = sortRecords(buffer, width, n);
    timings.sort += performance.now() - t0;
    return distinct;
  };

  /**
   * The records of a batch as export lines, leaving out the ones that were already stored. With `reuse`, they are
   * written into one buffer kept for the run (grown when needed) rather than a new 18 MB array per transaction
   * left to the collector: safe because both exporters consume a chunk whole before they pull the next one.
   */
  let exportBuffer: Uint8Array | undefined;
  const lines = (records: Uint8Array, n: number, skip: readonly number[], reuse = false): Uint8Array => {
    const bytes = (n - skip.length) * (width + 1);
    if (reuse && (exportBuffer === undefined || exportBuffer.length < bytes)) exportBuffer = new Uint8Array(bytes);
    const out = reuse && exportBuffer !== undefined ? exportBuffer.subarray(0, bytes) : new Uint8Array(bytes);
    let o = 0;
    let next = 0;
    for (let i = 0; i < n; i += 1) {
      if (skip[next] === i) {
        next += 1;
        continue;
      }
      const from = i * width;
      for (let k = 0; k < width; k += 1) out[o + k] = records[from + k] as number;
      out[o + width] = NEWLINE;
      o += width + 1;
    }
    return out;
  };

  const hash = createHash('sha256');

  /** Inserts replacements until the package holds `count` codes (inside the last transaction). */
  const fillDeficit = (parts: Uint8Array[]): void => {
    for (let round = 0; round < MAX_REPLACEMENT_ROUNDS; round += 1) {
      const deficit = count - writer.count;
      if (deficit === 0) return;
      const buffer = new Uint8Array(deficit * width);
      draw(buffer, deficit, writer.count);
      const distinct = sortRun(buffer, deficit);
      replaced.withinRun += deficit - distinct;
      const outcome = writer.insertSorted(buffer, distinct);
      replaced.alreadyStored += outcome.collided.length;
      if (exporting) parts.push(lines(buffer, distinct, outcome.collided));
    }
    if (writer.count < count) {
      throw new GenerateError('CODE_SPACE_EXHAUSTED', `码规则的码空间已将用尽，${MAX_REPLACEMENT_ROUNDS} 轮补码后仍缺 ${count - writer.count} 个，请加长码长 (the profile's code space is nearly used up; use a longer code)`);
    }
  };

  /** The package as sorted, deduplicated runs in ascending key order; `last` marks the final one. */
  function* sortedRuns(): Generator<{ records: Uint8Array; distinct: number; last: boolean }> {
    if (count <= runRows) {
      const buffer = new Uint8Array(count * width);
      draw(buffer, count, 0);
      yield { records: buffer, distinct: sortCounted(buffer, count), last: true };
      return;
    }
    yield* bucketedRuns();
  }

  /** Sorts a run of `n` drawn records, counting repeats and progress; returns the distinct count. */
  const sortCounted = (buffer: Uint8Array, n: number): number => {
    hooks.onProgress({ phase: 'sort', done: 0, total: n });
    const distinct = sortRun(buffer, n);
    hooks.onProgress({ phase: 'sort', done: n, total: n });
    replaced.withinRun += n - distinct;
    runs.count += 1;
    runs.largest = Math.max(runs.largest, n);
    checkCancel();
    return distinct;
  };

  /**
   * A package larger than one run (SORT_RUN_BYTES): splitters from an independent sample, one drawing pass that
   * routes each record to its bucket's scratch file, then each bucket loaded, sorted and yielded in key order.
   * Scratch files hold secret codes: they live in a 0700 directory beside the database, each is unlinked as soon
   * as it is loaded, the directory is removed at the end either way, and recovery removes it after a crash.
   */
  function* bucketedRuns(): Generator<{ records: Uint8Array; distinct: number; last: boolean }> {
    const buckets = Math.ceil((count * BUCKET_SLACK) / runRows);
    const sampleRows = Math.min(SPLITTER_SAMPLE, count);
    const sample = new Uint8Array(sampleRows * width);
    sample.set(generateRecords(profile, sampleRows, hooks.random).bytes.subarray(0, sampleRows * width));
    const distinctSample = sortRecords(sample, width, sampleRows);
    // Bucket b holds records r with splitter[b-1] <= r < splitter[b] (byte order = key order).
    const splitters: Uint8Array[] = [];
    for (let b = 1; b < buckets; b += 1) {
      const at = Math.floor((b * distinctSample) / buckets);
      splitters.push(sample.slice(at * width, at * width + width));
    }
    const dir = generationScratchDir(db.name, request.uuid);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      const files = splitters.map((_, b) => join(dir, `bucket-${b}`)).concat(join(dir, `bucket-${buckets - 1}`));
      const fds = files.map((f) => openSync(f, 'wx', 0o600));
      const pending = files.map(() => new Uint8Array(SPILL_BYTES - (SPILL_BYTES % width)));
      const filled = new Int32Array(files.length);
      const rows = new Float64Array(files.length);
      const spill = (b: number): void => {
        const buf = pending[b] as Uint8Array;
        const n = filled[b] as number;
        for (let off = 0; off < n;) off += writeSync(fds[b] as number, buf, off, n - off);
        filled[b] = 0;
      };
      try {
        const t0 = performance.now();
        const drawBuffer = new Uint8Array(ROUTE_DRAW_ROWS * width);
        let reported = 0;
        for (let at = 0; at < count; at += ROUTE_DRAW_ROWS) {
          const m = Math.min(ROUTE_DRAW_ROWS, count - at);
          const drawn = generateRecords(profile, m, hooks.random, drawBuffer);
          if (drawn.width !== width) throw new GenerateBug(`record width changed from ${width} to ${drawn.width}`);
          const bytes = drawn.bytes;
          for (let i = 0; i < m; i += 1) {
            const from = i * width;
            let lo = 0;
            let hi = splitters.length;
            while (lo < hi) {
              const mid = (lo + hi) >> 1;
              if (compareRecord(bytes, from, splitters[mid] as Uint8Array, width) < 0) hi = mid; else lo = mid + 1;
            }
            const buf = pending[lo] as Uint8Array;
            let o = filled[lo] as number;
            for (let k = 0; k < width; k += 1) buf[o + k] = bytes[from + k] as number;
            o += width;
            filled[lo] = o;
            rows[lo] = (rows[lo] as number) + 1;
            if (o + width > buf.length) spill(lo);
          }
          if (at + m - reported >= DRAW_ROWS || at + m === count) {
            reported = at + m;
            hooks.onProgress({ phase: 'generate', done: reported, total: count });
            checkCancel();
          }
        }
        for (let b = 0; b < files.length; b += 1) spill(b);
        timings.generate += performance.now() - t0;
      } finally {
        for (const fd of fds) closeSync(fd);
      }
      let buffer = new Uint8Array(Math.ceil(runRows) * width);
      for (let b = 0; b < files.length; b += 1) {
        const file = files[b] as string;
        const fd = openSync(file, 'r');
        let size: number;
        try {
          size = fstatSync(fd).size;
          if (size !== (rows[b] as number) * width) throw new GenerateBug(`scratch bucket ${b} holds ${size} bytes, expected ${(rows[b] as number) * width}`);
          if (size > buffer.length) buffer = new Uint8Array(size);
          for (let off = 0; off < size;) {
            const got = readSync(fd, buffer, off, size - off, off);
            if (got === 0) throw new GenerateBug(`scratch bucket ${b} ended early`);
            off += got;
          }
        } finally {
          closeSync(fd);
        }
        unlinkSync(file);
        const n = size / width;
        yield { records: buffer, distinct: sortCounted(buffer, n), last: b === files.length - 1 };
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async function* committedChunks(): AsyncGenerator<Uint8Array> {
    writer.begin({ uuid: request.uuid, kind: request.kind, productId: request.productId, profileJson: JSON.stringify(profile) });
    for (const run of sortedRuns()) {
      const { records: buffer, distinct } = run;
      // An empty run is skipped, except the last: its (empty) transaction still fills the deficit and finishes.
      if (distinct === 0 && !run.last) continue;
      let s = 0;
      do {
        const line = hasRunningBatch(db);
        const m = Math.min(line ? lineRows : batchRows, distinct - s);
        const records = buffer.subarray(s * width, (s + m) * width);
        const last = run.last && s + m >= distinct;
        const t0 = performance.now();
        let locked = 0;
        const parts = writer.transaction(() => {
          locked = performance.now();
          const outcome = writer.insertSorted(records, m);
          replaced.alreadyStored += outcome.collided.length;
          const made = exporting ? [lines(records, m, outcome.collided, true)] : [];
          if (last) {
            fillDeficit(made);
            if (exporting) {
              for (const part of made) hash.update(part);
              sha256 = hash.digest('hex');
            }
            writer.finish({ actor: request.actor, sha256, detail: { out: request.out === null ? null : { sealed: request.out.type === 'sealed' } } });
          } else if (exporting) {
            for (const part of made) hash.update(part);
          }
          return made;
        });
        const done = performance.now();
        const hold = done - locked;
        transactions += 1;
        timings.insert += done - t0;
        lock.holds.push(hold);
        if (line) {
          lock.line += 1;
          lock.largestLine = Math.max(lock.largestLine, m);
          lineRows = Math.round(Math.max(LINE_ROWS_MIN, Math.min(LINE_ROWS_MAX, 2 * m, m * LINE_HOLD_MS / Math.max(hold, 1))));
        } else {
          lock.fast += 1;
          lock.largestFast = Math.max(lock.largestFast, m);
        }
        s += m;
        hooks.onProgress({ phase: 'insert', done: writer.count, total: count });
        for (const part of parts) yield part;
        if (!last) {
          // Leave the lock free long enough for a waiting station writer's next busy retry (LINE_PAUSE_MS).
          if (line) await sleep(LINE_PAUSE_MS);
          checkCancel();
        }
      } while (s < distinct);
    }
  }

  let out: GenerateResult['out'] = null;
  try {
    const target = request.out;
    if (target === null) {
      for await (const chunk of committedChunks()) void chunk;
    } else if (target.type === 'plain') {
      const written = await writePlainExport(target.path, committedChunks());
      if (written.sha256 !== sha256) throw new GenerateBug('the export file hash differs from the hash recorded in the package row');
      out = { path: target.path, bytes: written.bytes, sealed: false };
    } else {
      const manifest = { packageId: request.uuid, kind: request.kind, count, productId: request.productId, createdAt: new Date().toISOString() };
      const written = await writeSealedPackage(target.path, manifest, committedChunks(), target.key);
      if (written.sha256 !== sha256) throw new GenerateBug('the sealed package hash differs from the hash recorded in the package row');
      out = { path: target.path, bytes: written.bytes, sealed: true };
    }
  } catch (error) {
    let removed = 0;
    try {
      removed = CodeWriter.abort(db, request.uuid);
    } catch (abortError) {
      throw new GenerateError('WORKER_FAILED', `生成失败且无法撤销码包 ${request.uuid}，下次启动时恢复 (generation failed and the package could not be removed now; recovery removes it on the next start)`, { cause: new AggregateError([error, abortError]) });
    }
    if (removed === -1 && request.out !== null) {
      throw new GenerateError('OUT_FAILED', `码包 ${request.uuid} 已完整入库，但导出文件 ${request.out.path} 未写成，请重新导出 (the package is stored whole, but the export file was not written; export it again): ${(error as Error).message}`, { cause: error });
    }
    throw error;
  }
  return {
    packageId: writer.packageId,
    uuid: request.uuid,
    kind: request.kind,
    productId: request.productId,
    count: writer.count,
    width,
    sha256,
    out,
    replaced,
    transactions,
    sortedRuns: { ...runs },
    writeLock: {
      transactions: { fast: lock.fast, line: lock.line },
      largestRows: { fast: lock.largestFast, line: lock.largestLine },
      holdMs: (() => {
        const sorted = lock.holds.sort((a, b) => a - b);
        const round = (x: number): number => Math.round(x * 10) / 10;
        return { p50: round(percentile(sorted, 0.5)), p99: round(percentile(sorted, 0.99)), max: round(sorted.at(-1) ?? 0) };
      })(),
    },
    timingsMs: { generate: Math.round(timings.generate), sort: Math.round(timings.sort), insert: Math.round(timings.insert), total: Math.round(performance.now() - started) },
  };
}
