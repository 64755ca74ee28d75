import type { GenerateProgress, GenerateResult } from './generate-package.ts';

/** Messages from generate-worker.ts to start-generation.ts: any number of progress, then one done or failed. */
export type WorkerMessage =
  | { readonly type: 'progress'; readonly progress: GenerateProgress }
  | { readonly type: 'done'; readonly result: GenerateResult; readonly checkpointMs: number }
  | { readonly type: 'failed'; readonly error: { readonly code: string; readonly message: string; readonly issues?: unknown } };
