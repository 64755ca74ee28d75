import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateRecords } from '../codes/generate.ts';
import type { CodeProfile } from '../codes/profile.ts';
import type { RandomSource } from '../codes/random-source.ts';
import { profileRandomBits } from '../codes/validate-profile.ts';
import type { CodeKind } from '../domain/kinds.ts';
import type { SealKey } from '../packages/package-key.ts';
import { writeSealedPackage } from '../packages/seal.ts';
import { hasRunningBatch } from '../store/batches.ts';
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
 * Codes sorted together. Up to this many the whole package is one sorted run, so every transaction appends
 * to a fresh key range; above it (up to MAX_COUNT) memory stays bounded at SORT_BLOCK_ROWS × width bytes and
 * each block is one sorted run.
 */
export const SORT_BLOCK_ROWS = 20_000_000;
export const MAX_COUNT = 100_000_000;
/** Codes drawn per generateRecords call, so progress moves and cancellation is noticed during generation. */
const DRAW_ROWS = 1_000_000;
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
  /** Codes per sorted run (default SORT_BLOCK_ROWS). */
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
  const blockRows = Math.max(1, Math.min(request.sortBlockRows ?? SORT_BLOCK_ROWS, count));
  const width = generateRecords(profile, 0, hooks.random).width;
  const writer = new CodeWriter(db, width);
  const exporting = request.out !== null;
  const timings = { generate: 0, sort: 0, insert: 0 };
  const replaced = { withinRun: 0, alreadyStored: 0 };
  let transactions = 0;
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
      const records = generateRecords(profile, m, hooks.random);
      if (records.width !== width) throw new GenerateBug(`record width changed from ${width} to ${records.width}`);
      target.set(records.bytes.subarray(0, m * width), at * width);
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

  /** The records of a batch as export lines, leaving out the ones that were already stored. */
  const lines = (records: Uint8Array, n: number, skip: readonly number[]): Uint8Array => {
    const out = new Uint8Array((n - skip.length) * (width + 1));
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

  async function* committedChunks(): AsyncGenerator<Uint8Array> {
    writer.begin({ uuid: request.uuid, kind: request.kind, productId: request.productId, profileJson: JSON.stringify(profile) });
    const buffer = new Uint8Array(blockRows * width);
    for (let blockStart = 0; blockStart < count; blockStart += blockRows) {
      const n = Math.min(blockRows, count - blockStart);
      const lastBlock = blockStart + n >= count;
      draw(buffer, n, blockStart);
      hooks.onProgress({ phase: 'sort', done: 0, total: n });
      const distinct = sortRun(buffer, n);
      hooks.onProgress({ phase: 'sort', done: n, total: n });
      replaced.withinRun += n - distinct;
      checkCancel();
      for (let s = 0; s < distinct;) {
        const line = hasRunningBatch(db);
        const m = Math.min(line ? lineRows : batchRows, distinct - s);
        const records = buffer.subarray(s * width, (s + m) * width);
        const last = lastBlock && s + m >= distinct;
        const t0 = performance.now();
        let locked = 0;
        const parts = writer.transaction(() => {
          locked = performance.now();
          const outcome = writer.insertSorted(records, m);
          replaced.alreadyStored += outcome.collided.length;
          const made = exporting ? [lines(records, m, outcome.collided)] : [];
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
      }
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
