/**
 * The sender's public entry point, for processes that only send (`wuma sync`): the store-and-forward sender and
 * the capture document assembler, without the receiver, the validators or the PostgreSQL driver that
 * `sync/index.ts` also exports.
 */
export { Sender } from './sender.ts';
export type { AssembleDocument, RunOptions, SenderClock, SenderOptions, SyncLog, SyncLogLevel } from './sender.ts';
export { assembleCaptureDocument } from './assemble-document.ts';
export type { OutboxEntry, OutboxSource, SyncState, SyncSummary } from '../contract.ts';
