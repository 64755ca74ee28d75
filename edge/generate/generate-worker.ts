/**
 * Worker-thread entry of bulk generation (started by start-generation.ts): opens its own store connection
 * (synchronous=FULL like every connection, a larger page cache, no checkpointer thread), runs
 * generatePackage, checkpoints the WAL, and posts progress and exactly one result or failure message.
 * Generation and insertion are synchronous; running them here keeps the caller's event loop free.
 */
import { randomFillSync } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../store/open.ts';
import { generatePackage, type GenerateRequest } from './generate-package.ts';
import type { WorkerMessage } from './worker-messages.ts';

interface WorkerInput {
  readonly dbPath: string;
  readonly request: GenerateRequest;
  /** Int32Array over a SharedArrayBuffer: [0] = 1 asks the worker to stop at the next batch boundary. */
  readonly cancel: Int32Array;
  readonly cacheMiB: number;
}

const input = workerData as WorkerInput;
const port = parentPort;
const post = (message: WorkerMessage): void => { port?.postMessage(message); };

function describe(error: unknown): { code: string; message: string; issues?: unknown } {
  const code = (error as { code?: unknown }).code;
  const issues = (error as { issues?: unknown }).issues;
  return {
    code: typeof code === 'string' ? code : 'UNEXPECTED',
    message: error instanceof Error ? error.message : String(error),
    ...(issues === undefined ? {} : { issues }),
  };
}

const store = openStore(input.dbPath, { checkpointer: false, cacheMiB: input.cacheMiB });
try {
  const result = await generatePackage(store.db, input.request, {
    random: (target) => { randomFillSync(target); },
    onProgress: (progress) => { post({ type: 'progress', progress }); },
    cancelled: () => Atomics.load(input.cancel, 0) === 1,
  });
  post({ type: 'progress', progress: { phase: 'checkpoint', done: 0, total: 1 } });
  const t0 = performance.now();
  await store.close();
  post({ type: 'done', result, checkpointMs: Math.round(performance.now() - t0) });
} catch (error) {
  await store.close();
  post({ type: 'failed', error: describe(error) });
}
