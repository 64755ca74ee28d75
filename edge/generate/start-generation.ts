import { Worker } from 'node:worker_threads';
import { CodeWriter } from '../store/code-writer.ts';
import { openStore } from '../store/open.ts';
import { GenerateError } from './errors.ts';
import type { GenerateProgress, GenerateRequest, GenerateResult } from './generate-package.ts';
import type { WorkerMessage } from './worker-messages.ts';

export interface StartOptions {
  onProgress?(progress: GenerateProgress): void;
  /** Aborting asks the worker to stop at the next batch boundary; the package is then removed whole. */
  readonly signal?: AbortSignal;
  /**
   * Page cache of the generator connection, MiB. Default 16: sorted batches touch only the right edge of the
   * B-tree, so a larger cache bought no speed (10M codes: 6.7 s at 64 MiB and at 256 MiB, 12.0 s at 16 and 12.4 s
   * at 64 on a busy machine) but resident memory (64 → 16 MiB: peak −35 MiB).
   */
  readonly cacheMiB?: number;
}

/** A failure reported by the worker, keeping the original error code (e.g. INVALID_PROFILE, CANCELLED). */
export class GenerationFailed extends Error {
  readonly code: string;
  readonly issues: unknown;
  constructor(code: string, message: string, issues?: unknown) {
    super(message);
    this.name = 'GenerationFailed';
    this.code = code;
    this.issues = issues;
  }
}

export interface GenerationOutcome {
  readonly result: GenerateResult;
  /** Time of the final WAL checkpoint when the worker closed its connection. */
  readonly checkpointMs: number;
}

/**
 * Runs generatePackage in a worker thread (generate-worker.ts) against the database at `dbPath`, forwarding
 * progress. Resolves with the result; rejects with GenerationFailed (the worker's error code) or
 * GenerateError('WORKER_FAILED') when the worker dies without reporting — in that case the package, which
 * this live process still owns, is aborted here so nothing half-written stays behind.
 */
export function startGeneration(dbPath: string, request: GenerateRequest, options: StartOptions = {}): Promise<GenerationOutcome> {
  const cancel = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL('./generate-worker.ts', import.meta.url), {
    workerData: { dbPath, request, cancel, cacheMiB: options.cacheMiB ?? 16 },
    // Its garbage is short-lived and its big buffers live outside the V8 heap: a 2 MiB young generation saves
    // ~20 MiB of resident memory (issue 12).
    resourceLimits: { maxYoungGenerationSizeMb: 2 },
  });
  const onAbort = (): void => { Atomics.store(cancel, 0, 1); };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  return new Promise<GenerationOutcome>((resolve, reject) => {
    let settled: { ok: true; value: GenerationOutcome } | { ok: false; error: Error } | null = null;
    let crash: unknown = null;
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') options.onProgress?.(message.progress);
      else if (message.type === 'done') settled = { ok: true, value: { result: message.result, checkpointMs: message.checkpointMs } };
      else settled = { ok: false, error: new GenerationFailed(message.error.code, message.error.message, message.error.issues) };
    });
    worker.on('error', (error) => { crash = error; });
    worker.on('exit', (exitCode) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (settled?.ok === true) {
        resolve(settled.value);
        return;
      }
      if (settled?.ok === false) {
        reject(settled.error);
        return;
      }
      let cleanup = '';
      try {
        const store = openStore(dbPath, { checkpointer: false, recover: false });
        try {
          const removed = CodeWriter.abort(store.db, request.uuid);
          cleanup = removed >= 0 ? `，已撤销码包 (package removed)` : '';
        } finally {
          void store.close();
        }
      } catch {
        cleanup = '，码包将在下次启动时撤销 (the package is removed on the next start)';
      }
      const why = crash instanceof Error ? crash.message : `exit code ${exitCode}`;
      reject(new GenerateError('WORKER_FAILED', `生成线程异常退出${cleanup} (the generator thread died): ${why}`, { cause: crash }));
    });
  });
}
