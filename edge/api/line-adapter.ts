import type { Alarm } from '../station/alarm-board.ts';
import type { CaseOutcomeView } from '../station/case-station.ts';
import type { LineRuntime } from '../station/line-runtime.ts';
import type { PalletOutcome } from '../station/pallet-station.ts';
import { StationError } from '../station/station-errors.ts';
import type { StationStatus } from '../station/station-status.ts';
import { getBatch, type Batch, type CloseOutcome } from '../store/batches.ts';
import type { Db } from '../store/open.ts';
import { batchCounts } from '../store/station-queries.ts';
import type { AlarmView, EndPalletResult, LastReadView, StationStatus as ApiStationStatus } from './contract.ts';
import { ApiError } from './errors.ts';
import type { StationLike } from './station-like.ts';
import { batchView } from './views.ts';

/** What the adapter uses of the line runtime (edge/station/line-runtime.ts). */
export type AdaptableStation = Pick<LineRuntime, 'store' | 'status' | 'onChange' | 'batchId' | 'startBatch' | 'pauseBatch' | 'resumeBatch' | 'closeBatch' | 'recount' | 'endPallet'>;

export interface ApiAdapterOptions {
  /** Where a failed recount is reported (storeChanged must not throw). */
  readonly onError?: (error: unknown, batchId: number) => void;
  readonly now?: () => number;
}

/** A station alarm as the API shows it (the same fields; the message and action are catalogue text, no codes). */
export function alarmView(a: Alarm): AlarmView {
  return { id: a.id, kind: a.kind, level: a.level, message: a.message, action: a.action, needsAck: a.needsAck, raisedAt: a.raisedAt, clearedAt: a.clearedAt, repeats: a.repeats };
}

/**
 * One decided case as a "last read": the case code (secret kinds already masked by the station), good or not,
 * and the first reject reason as its key (`missing`, `no-read` …; the UI translates `reason.<key>`).
 */
export function lastReadView(r: CaseOutcomeView): LastReadView {
  const first = r.reasons[0] ?? null;
  return {
    at: r.at,
    code: r.caseCode ?? '',
    outcome: r.outcome === 'accepted' ? 'good' : first === 'no-read' ? 'no-read' : 'reject',
    reason: r.outcome === 'accepted' ? null : first,
  };
}

/** A batch the station is not running (paused, or not yet adopted): its counters as the database has them. */
function stoppedCounters(db: Db, batchId: number): ApiStationStatus['counters'] {
  const c = batchCounts(db, batchId);
  return { good: c.good, reject: c.reject, noRead: c.noRead, cases: c.good, pallets: c.pallets };
}

/**
 * The station's snapshot in the API contract's shape. The batch view is re-read from the store (the snapshot
 * carries only what the station needs); the case "being filled" is the case decided last (the camera reads a
 * whole case top at once), the pallet in progress is the open stack (its code is allocated only when it closes).
 */
export function apiStatus(db: Db, s: StationStatus, at: Date): ApiStationStatus {
  const stored = s.batch === null ? null : getBatch(db, s.batch.id);
  const batch = stored === null ? null : batchView(stored);
  const last = s.lastReads[0];
  const pallet = s.palletStation;
  return {
    source: 'station',
    at: at.toISOString(),
    line: s.station.line,
    running: s.running,
    batch,
    counters: batch === null ? { good: 0, reject: 0, noRead: 0, cases: 0, pallets: 0 } : s.running ? { ...s.counters } : stoppedCounters(db, batch.id),
    currentCase: s.batch === null ? null : {
      code: last?.caseCode ?? null, filled: last?.childCount ?? 0, ratio: s.batch.unitsPerCase,
    },
    currentPallet: s.batch === null || pallet === null ? null : { code: null, cases: pallet.cases, ratio: pallet.ratio || s.batch.casesPerPallet },
    lastReads: s.lastReads.map(lastReadView),
    alarms: s.alarms.map(alarmView),
  };
}

/** A station refusal (STATION_STATE) as 409 INVALID_STATE with the station's own message; anything else as is. */
function asApiError(error: unknown): unknown {
  return error instanceof StationError && error.code === 'STATION_STATE' ? new ApiError('INVALID_STATE', error.message) : error;
}

async function refusalsAsApiErrors<T>(command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch (error) {
    throw asApiError(error);
  }
}

function refusalsAsApiErrorsSync<T>(command: () => T): T {
  try {
    return command();
  } catch (error) {
    throw asApiError(error);
  }
}

/**
 * The line runtime → the API's StationLike port (edge/api/station-like.ts). A command for the runtime's own line
 * or batch is the runtime's, decided once (pause and close wait for the cases in hand); another line's batch answers
 * null and the API commits it in the store. A station refusal (no pallet station, empty, short without a reason
 * or stopped pallet, batch changed meanwhile) becomes 409 INVALID_STATE with the station's own message.
 */
export function stationApiAdapter(station: AdaptableStation, options: ApiAdapterOptions = {}): StationLike {
  const now = options.now ?? Date.now;
  const line = station.status().station.line;
  const holds = (batchId: number): boolean => station.batchId === batchId;
  return {
    status: () => apiStatus(station.store.db, station.status(), new Date(now())),
    onChange: (listener) => station.onChange(listener),
    startBatch(input): Batch | null {
      if (input.line !== line) return null;
      const { line: _line, ...rest } = input;
      return refusalsAsApiErrorsSync(() => station.startBatch(rest));
    },
    async pauseBatch(batchId, actor): Promise<Batch | null> {
      if (!holds(batchId)) return null;
      return refusalsAsApiErrors(() => station.pauseBatch(actor, batchId));
    },
    resumeBatch(batchId, actor): Batch | null {
      if (!holds(batchId)) return null;
      return refusalsAsApiErrorsSync(() => station.resumeBatch(actor, batchId));
    },
    async closeBatch(input): Promise<CloseOutcome | null> {
      if (!holds(input.batchId)) return null;
      return refusalsAsApiErrors(() => station.closeBatch(input));
    },
    storeChanged(batchId) {
      station.recount(batchId).catch((error: unknown) => { options.onError?.(error, batchId); });
    },
    async endPallet(actor, reason): Promise<EndPalletResult> {
      // The operator's own reason (the screen asks for it); none for a short pallet is refused by the station.
      const outcome: PalletOutcome = await refusalsAsApiErrors(() => station.endPallet({ actor, ...(reason === undefined ? {} : { reason }) }));
      return outcome.kind === 'committed'
        ? { kind: 'committed', detail: { palletCode: outcome.palletCode, cases: outcome.cases, short: outcome.short } }
        : { kind: 'failed', detail: outcome.detail };
    },
  };
}
