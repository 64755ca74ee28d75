/**
 * The SQLite adapter of the receiver's storage port: `ReceiverStore` (synchronous better-sqlite3, one writer,
 * one process) behind the port's promises. The embedded default of `wuma receiver` and the demo.
 */
import type { CaptureJobResult } from './capture-job.ts';
import { ReceiverStore } from './receiver-store.ts';
import type { EpcState, EventQuery, IngestOptions, IngestOutcome, PageWindow, QueryPage, ReceiverStorage, SiteActivity, StoredConflict } from './storage-port.ts';

export class SqliteReceiverStorage implements ReceiverStorage {
  readonly kind = 'sqlite' as const;
  readonly store: ReceiverStore;

  constructor(path: string, options: { clockSkewMs?: number } = {}) {
    this.store = new ReceiverStore(path, options);
  }

  async ingest(events: readonly unknown[], options: IngestOptions): Promise<IngestOutcome> { return this.store.ingest(events, options); }
  async event(eventID: string): Promise<string | undefined> { return this.store.event(eventID); }
  async queryBound(): Promise<number> { return this.store.queryBound(); }
  async queryEvents(query: EventQuery, window: PageWindow, perPage: number): Promise<QueryPage> { return this.store.queryEvents(query, window, perPage); }
  async epcState(epc: string): Promise<EpcState | null> { return this.store.epcState(epc); }
  async conflicts(limit: number): Promise<StoredConflict[]> { return this.store.conflicts(limit); }
  async sites(): Promise<SiteActivity[]> { return this.store.sites(); }
  async eventCount(): Promise<number> { return this.store.eventCount(); }
  async saveJob(job: CaptureJobResult): Promise<void> { this.store.saveJob(job); }
  async job(captureID: string): Promise<string | undefined> { return this.store.job(captureID); }
  async close(): Promise<void> { this.store.close(); }
}
