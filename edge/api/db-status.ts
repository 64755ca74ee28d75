import { openBatches } from '../store/batches.ts';
import type { Db } from '../store/open.ts';
import type { LastReadView, StationStatus } from './contract.ts';
import { batchView } from './views.ts';

const LAST_READS = 10;
const NO_READ = 1;

/**
 * The status snapshot from the database alone (no station in this process, e.g. `wuma api` beside a station
 * running elsewhere, or after hours): the newest open batch, its counters, the open pallet stack and the last
 * case commits and rejects. There is no case being filled and no alarms: those live only in a running station.
 * `line` is the configured line when the API was given a station config (`wuma api --config`), else null.
 */
export function statusFromDb(db: Db, now = new Date(), line: string | null = null): StationStatus {
  return db.transaction((): StationStatus => {
    const open = openBatches(db);
    const batch = open[open.length - 1] ?? null;
    const base = { source: 'database' as const, at: now.toISOString(), line, currentCase: null, alarms: [] };
    if (batch === null) {
      return { ...base, running: false, batch: null, counters: { good: 0, reject: 0, noRead: 0, cases: 0, pallets: 0 }, currentPallet: null, lastReads: [] };
    }
    const levels = db.prepare(`SELECT level, count(*) AS n FROM containers WHERE batch_id = ? AND level IN ('case', 'pallet') GROUP BY level`).all(batch.id) as { level: string; n: number }[];
    const rejects = db.prepare(`SELECT count(*) AS n, coalesce(sum(reason = ${NO_READ}), 0) AS noRead FROM rejects WHERE batch_id = ? AND station = 'case'`).get(batch.id) as { n: number; noRead: number };
    const cases = levels.find((l) => l.level === 'case')?.n ?? 0;
    const ratio = db.prepare('SELECT cases_per_pallet FROM products WHERE id = ?').pluck().get(batch.productId) as number;
    const stack = db.prepare(`SELECT s.id, count(c.case_code) AS n FROM pallet_stacks s LEFT JOIN pallet_stack_cases c ON c.stack_id = s.id
      WHERE s.batch_id = ? AND s.state = 'open' GROUP BY s.id ORDER BY s.id DESC LIMIT 1`).get(batch.id) as { id: number; n: number } | undefined;
    const goods = (db.prepare(`SELECT code, created_at FROM containers WHERE batch_id = ? AND level = 'case' ORDER BY created_at DESC LIMIT ${LAST_READS}`)
      .all(batch.id) as { code: string; created_at: string }[]).map((r): LastReadView => ({ at: r.created_at, code: r.code, outcome: 'good', reason: null }));
    // Reject rows hold read data with secret codes already masked (edge/store/rejects.ts).
    const bad = (db.prepare(`SELECT at, reason, read_data FROM rejects WHERE batch_id = ? AND station = 'case' ORDER BY id DESC LIMIT ${LAST_READS}`)
      .all(batch.id) as { at: string; reason: number; read_data: string }[]).map((r): LastReadView => {
      const read = JSON.parse(r.read_data) as { caseCode: string | null };
      return { at: r.at, code: read.caseCode ?? '', outcome: r.reason === NO_READ ? 'no-read' : 'reject', reason: String(r.reason) };
    });
    const lastReads = [...goods, ...bad].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, LAST_READS);
    return {
      ...base,
      running: batch.state === 'running',
      batch: batchView(batch),
      counters: { good: cases, reject: rejects.n, noRead: rejects.noRead, cases, pallets: levels.find((l) => l.level === 'pallet')?.n ?? 0 },
      currentPallet: stack === undefined ? null : { code: null, cases: stack.n, ratio },
      lastReads,
    };
  })();
}
