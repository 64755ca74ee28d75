/**
 * edge/generate — bulk code generation into the store (issue 2): draw, sort, sorted 1M-row transactions,
 * export, in a worker thread. Explicit export list (STYLE.md "Shape").
 */
export { startGeneration, GenerationFailed } from './start-generation.ts';
export type { StartOptions, GenerationOutcome } from './start-generation.ts';
export { generatePackage, BATCH_ROWS, LINE_HOLD_MS, LINE_PAUSE_MS, SORT_RUN_BYTES, MAX_COUNT } from './generate-package.ts';
export type { GenerateRequest, GenerateResult, GenerateProgress, GeneratePhase, GenerateHooks, ExportTarget, WriteLockStats } from './generate-package.ts';
export { sortRecords } from './sort-records.ts';
export { writePlainExport } from './plain-export.ts';
export { GenerateError, GenerateBug } from './errors.ts';
export type { GenerateErrorCode } from './errors.ts';
