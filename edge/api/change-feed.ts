import { outboxCounts } from '../store/outbox.ts';
import { dataVersion, type Db } from '../store/open.ts';
import { lastRejectId, rejectsAfter, type RejectRow } from '../store/rejects.ts';
import type { AlarmView, BatchView, CaptureView, RejectView, StationStatus, SyncStatusView } from './contract.ts';
import { statusFromDb } from './db-status.ts';
import type { ApiLogger } from './logger.ts';
import type { PushHub } from './push-hub.ts';
import type { StationLike } from './station-like.ts';
import { maskStatus } from './views.ts';

export interface ChangeFeedOptions {
  readonly db: Db;
  readonly station: StationLike | undefined;
  readonly hub: PushHub;
  readonly logger: ApiLogger;
  /** How often to look for commits by other connections/processes (PRAGMA data_version), ms. */
  readonly pollMs: number;
  /** At most one sync-counts push per this many ms (counting the outbox is a scan). */
  readonly syncEveryMs: number;
  /** The configured line for the database-only status (no station in this process); null when unknown. */
  readonly line: string | null;
}

/**
 * Turns state changes into pushes. Three sources: the station's `onChange` (in-process, immediate), the API's own
 * mutations (`poke`, `batchChanged`), and commits by other connections — a station or CLI in another process —
 * seen through `PRAGMA data_version` polled every `pollMs`. Work is coalesced with setImmediate, so a burst of
 * changes in one tick sends one status. Status and alarms are pushed only when they differ from the last push;
 * new reject rows are pushed one by one (their codes are masked by the store); outbox counts at most every
 * `syncEveryMs`. A failure to build a push is logged and the next change tries again; it never reaches the station.
 */
export class ChangeFeed {
  readonly #o: ChangeFeedOptions;
  #unsubscribe: (() => void) | undefined;
  #poll: NodeJS.Timeout | undefined;
  #syncTimer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #dataVersion = 0;
  #lastStatus = '';
  #lastAlarms = '[]';
  #lastRejectId = 0;
  #lastSync = '';
  #lastSyncAt = 0;
  #closed = false;

  constructor(options: ChangeFeedOptions) {
    this.#o = options;
  }

  start(): void {
    const db = this.#o.db;
    this.#lastRejectId = lastRejectId(db);
    this.#dataVersion = dataVersion(db);
    this.#lastStatus = this.#statusKey(this.status());
    this.#unsubscribe = this.#o.station?.onChange(() => { this.poke(); });
    this.#poll = setInterval(() => {
      const v = db.open ? dataVersion(db) : this.#dataVersion;
      if (v !== this.#dataVersion) { this.#dataVersion = v; this.poke(); }
    }, this.#o.pollMs);
  }

  /** The status now: the station's or, without a station, the database's; known secret codes masked again either way. */
  status(): StationStatus {
    const station = this.#o.station;
    return maskStatus(this.#o.db, station === undefined ? statusFromDb(this.#o.db, new Date(), this.#o.line) : station.status());
  }

  /** Something changed: look at everything in the next turn of the event loop. */
  poke(): void {
    if (this.#closed || this.#immediate !== undefined) return;
    this.#immediate = setImmediate(() => {
      this.#immediate = undefined;
      if (this.#closed || !this.#o.db.open) return;
      try {
        this.#pushStatus();
        this.#pushRejects();
        this.#pushSync();
      } catch (error) {
        this.#o.logger.error('api.push.failed', { error: (error as Error).message });
      }
    });
  }

  /** A batch command was committed (by the station for its own batch, else in the store): push it and the new status. */
  batchChanged(batch: BatchView, change: 'start' | 'pause' | 'resume' | 'close' | 'update'): void {
    this.#o.hub.publish({ type: 'batch', at: new Date().toISOString(), batch, change });
    this.poke();
  }

  /** The API committed cases or pallets of a batch (manual capture): the station counts again, then a push. */
  storeChanged(batchId: number): void {
    try { this.#o.station?.storeChanged?.(batchId); } catch (error) {
      this.#o.logger.error('api.station.store-changed-failed', { batchId, error: (error as Error).message });
    }
    this.poke();
  }

  /** A manual-capture session changed (capture-routes.ts); null when it ended. Its codes are masked already. */
  publishCapture(batchId: number, capture: CaptureView | null): void {
    this.#o.hub.publish({ type: 'capture', at: new Date().toISOString(), batchId, capture });
  }

  /** Import progress of one upload (it-routes.ts importPackage). */
  publishImport(progress: { importId: string; linesRead: number; bytesReceived: number; phase: 'upload' | 'verify' | 'done' | 'failed' }): void {
    this.#o.hub.publish({ type: 'import', at: new Date().toISOString(), ...progress });
  }

  close(): void {
    this.#closed = true;
    this.#unsubscribe?.();
    clearInterval(this.#poll);
    clearTimeout(this.#syncTimer);
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
  }

  #statusKey(s: StationStatus): string {
    return JSON.stringify({ ...s, at: '' });
  }

  #pushStatus(): void {
    const status = this.status();
    const key = this.#statusKey(status);
    if (key !== this.#lastStatus) {
      this.#lastStatus = key;
      this.#o.hub.publish({ type: 'status', at: status.at, status });
    }
    const alarms: readonly AlarmView[] = status.alarms;
    const alarmKey = JSON.stringify(alarms);
    if (alarmKey !== this.#lastAlarms) {
      this.#lastAlarms = alarmKey;
      this.#o.hub.publish({ type: 'alarm', at: status.at, alarms });
    }
  }

  #pushRejects(): void {
    for (const r of rejectsAfter(this.#o.db, this.#lastRejectId, 200)) {
      this.#lastRejectId = r.id;
      this.#o.hub.publish({ type: 'reject', at: new Date().toISOString(), reject: rejectView(r) });
    }
  }

  #pushSync(): void {
    const wait = this.#lastSyncAt + this.#o.syncEveryMs - Date.now();
    if (wait > 0) {
      this.#syncTimer ??= setTimeout(() => { this.#syncTimer = undefined; this.poke(); }, wait);
      return;
    }
    this.#lastSyncAt = Date.now();
    const counts: SyncStatusView['counts'] = outboxCounts(this.#o.db);
    const key = JSON.stringify(counts);
    if (key === this.#lastSync) return;
    this.#lastSync = key;
    this.#o.hub.publish({ type: 'sync', at: new Date().toISOString(), counts });
  }
}

/** A reject row as the contract shows it; findings and read data were masked by the store when written. */
export function rejectView(r: RejectRow): RejectView {
  return {
    id: r.id, batchId: r.batchId, station: r.station, at: r.at, reason: r.reason,
    findings: r.findings, read: r.read, confirm: r.confirm, reworked: r.reworked,
  };
}
