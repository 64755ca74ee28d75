import type { Product } from '../domain/product.ts';
import { SECRET_KINDS } from '../domain/kinds.ts';
import { maskCode } from '../domain/mask.ts';
import type { Batch } from '../store/batches.ts';
import { kindOfCode } from '../store/code-lookup.ts';
import type { Db } from '../store/open.ts';
import type { BatchView, LastReadView, ProductView, StationStatus } from './contract.ts';

/** Store rows → contract views: only the fields the UI needs, nothing secret. */
export function batchView(b: Batch): BatchView {
  return {
    id: b.id, productId: b.productId, lot: b.lot, productionDate: b.productionDate, line: b.line, plannedQty: b.plannedQty,
    state: b.state, startedAt: b.startedAt, closedAt: b.closedAt, closeReason: b.closeReason, closedBy: b.closedBy,
    packages: b.packages.map((p) => ({ uuid: p.uuid, kind: p.kind, count: p.count })),
  };
}

export function productView(p: Product): ProductView {
  return {
    id: p.id, name: p.name, gtin: p.gtin, unitsPerBox: p.unitsPerBox, boxesPerCase: p.boxesPerCase,
    unitsPerCase: p.unitsPerCase, casesPerPallet: p.casesPerPallet, pairingRequired: p.pairingRequired,
  };
}

/**
 * Masks a value the store knows as a secret kind. Defence in depth for values that come from outside the store's
 * own masking (the station's snapshot): a cap turned over under the camera reads as its inner code. The lookup is
 * prepared once per snapshot, as this runs on every status push.
 */
function secretMasker(db: Db): (code: string | null) => string | null {
  return (code) => {
    if (code === null || code.includes('…')) return code;
    const kind = kindOfCode(db, code);
    return kind !== null && SECRET_KINDS.has(kind) ? maskCode(code) : code;
  };
}

/** The station's snapshot with every read code passed through secretMasker. */
export function maskStatus(db: Db, s: StationStatus): StationStatus {
  const maskIfSecret = secretMasker(db);
  const reads: LastReadView[] = s.lastReads.map((r) => ({ ...r, code: maskIfSecret(r.code) ?? '' }));
  return {
    ...s,
    lastReads: reads,
    currentCase: s.currentCase === null ? null : { ...s.currentCase, code: maskIfSecret(s.currentCase.code) },
    currentPallet: s.currentPallet === null ? null : { ...s.currentPallet, code: maskIfSecret(s.currentPallet.code) },
  };
}
