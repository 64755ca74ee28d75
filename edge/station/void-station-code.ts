import type { EpcisContext } from '../../sync/index.ts';
import type { Db } from '../store/open.ts';
import { voidCodes } from '../store/void-codes.ts';

/**
 * Voids one code a station allocated that may already exist on a carton or label (actor `station`; rows, audit
 * and EPCIS event in one transaction). True when voided; false once the database refused, after handing the
 * error to `onDatabaseError` (the station halts there).
 */
export function voidStationCode(
  store: { readonly db: Db; readonly epcis: EpcisContext },
  code: string,
  reason: string,
  at: number,
  onDatabaseError: (error: unknown) => void,
): boolean {
  try {
    voidCodes(store.db, { codes: [code], reason, actor: 'station', at, epcis: store.epcis });
    return true;
  } catch (error) {
    onDatabaseError(error);
    return false;
  }
}
