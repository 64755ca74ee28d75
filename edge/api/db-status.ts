import type { Db } from '../store/open.ts';
import { getProduct } from '../store/products.ts';
import { batchCounts, lastReads, lineBatch, openStack } from '../store/station-queries.ts';
import type { StationStatus } from './contract.ts';
import { batchView } from './views.ts';

/**
 * The status snapshot from the database alone (no station in this process, e.g. `wuma api` beside a station
 * running elsewhere, or after hours): the line's open batch, its counters, the open pallet stack and the last
 * case commits and rejects — read by the same store queries the line runtime uses (edge/store/station-queries.ts),
 * so both modes show the same fields the same way. There is no case being filled and no alarms: those live only in
 * a running station. `line` is the configured line when the API was given a station config (`wuma api --config`),
 * else null (then the rule runs over every line's open batches).
 */
export function statusFromDb(db: Db, now = new Date(), line: string | null = null): StationStatus {
  return db.transaction((): StationStatus => {
    const batch = lineBatch(db, line);
    const base = { source: 'database' as const, at: now.toISOString(), line, currentCase: null, alarms: [] };
    if (batch === null) {
      return { ...base, running: false, batch: null, counters: { good: 0, reject: 0, noRead: 0, cases: 0, pallets: 0 }, currentPallet: null, lastReads: [] };
    }
    const counts = batchCounts(db, batch.id);
    const ratio = getProduct(db, batch.productId)?.casesPerPallet ?? 0;
    const stack = openStack(db, batch.id);
    return {
      ...base,
      running: batch.state === 'running',
      batch: batchView(batch),
      counters: { good: counts.good, reject: counts.reject, noRead: counts.noRead, cases: counts.good, pallets: counts.pallets },
      currentPallet: stack === null ? null : { code: null, cases: stack.cases, ratio },
      lastReads: lastReads(db, batch.id),
    };
  })();
}
