import { freezeEvent, mapFact, type EpcisContext, type LineFact } from '../../sync/index.ts';
import type { Db } from '../store/open.ts';
import { appendOutbox } from '../store/outbox.ts';

/** What the warehouse operations need from the station: its EPCIS context and a clock. */
export interface WarehouseEnv {
  readonly epcis: EpcisContext;
  readonly now: () => Date;
}

/** Freezes one fact and writes it to the outbox, inside the caller's transaction (DESIGN §3). */
export function emitFact(db: Db, env: WarehouseEnv, fact: LineFact, options: { readonly at: string; readonly batchId?: number | null; readonly pallet?: string | null }): number {
  return appendOutbox(db, freezeEvent(mapFact(fact, env.epcis)), {
    at: options.at,
    ...(options.batchId == null ? {} : { batchId: options.batchId }),
    ...(options.pallet == null ? {} : { pallet: options.pallet }),
  });
}
