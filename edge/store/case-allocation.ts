import { appendAudit } from './audit.ts';
import { batchFacts } from './case-commit.ts';
import { StoreError } from './errors.ts';
import type { Db } from './open.ts';
import { perConnection } from './statement-cache.ts';

/**
 * The case printer's side of the store (issue 4 §2, `caseCode.mode: 'print'`). A case code is allocated — and the
 * allocation committed — before it is sent to the printer; after that it is either committed with its case
 * (commitCase), rejected with its case (recordReject), or voided (voidCodes) because its print or read-back
 * failed. A code is allocated once, ever: `case_allocations.code` is the primary key.
 */

export interface AllocatedCaseCode {
  readonly code: string;
  readonly packageId: number;
}

export interface CaseAllocateOptions {
  readonly actor?: string;
  /** ISO 8601; now by default. */
  readonly at?: string;
}

/**
 * Hands out the next free case-outer code of the batch's case packages (in package order, then code order through
 * the partial index `codes_case_free`) and records the allocation and an audit row in ONE transaction. "Free":
 * available or printed, in no parent, never allocated, and — when the product requires pairing — paired with a
 * case-inner code that is itself unused, so the code can pass checkCase and commitCase.
 * Throws StoreError INVALID_STATE when the batch is not running and NOT_FOUND when no free code is left.
 */
export function allocateCaseCode(db: Db, batchId: number, options: CaseAllocateOptions = {}): AllocatedCaseCode {
  return allocator(db)(batchId, options.actor ?? 'station', options.at ?? new Date().toISOString());
}

type Allocate = (batchId: number, actor: string, at: string) => AllocatedCaseCode;

/** Runs once per printed case (print mode): statements and the transaction are prepared once per connection. */
const allocator = perConnection((db: Db): Allocate => {
  const packages = db.prepare(`SELECT p.id FROM batch_packages bp JOIN code_packages p ON p.id = bp.package_id
    WHERE bp.batch_id = ? AND p.kind = 4 AND p.state = 'ready' ORDER BY p.id`).pluck();
  const free = db.prepare(`SELECT code FROM codes INDEXED BY codes_case_free
    WHERE package_id = @pkg AND kind = 4 AND status IN (0, 1) AND parent IS NULL
      AND NOT EXISTS (SELECT 1 FROM case_allocations a WHERE a.code = codes.code)
      AND (pair IS NOT NULL OR @pairing = 0)
      AND (pair IS NULL OR EXISTS (SELECT 1 FROM codes i WHERE i.code = codes.pair AND i.status IN (0, 1) AND i.parent IS NULL))
    LIMIT 1`).pluck();
  const insert = db.prepare('INSERT INTO case_allocations (code, batch_id, allocated_at) VALUES (?, ?, ?)');
  const run = db.transaction((batchId: number, actor: string, at: string): AllocatedCaseCode => {
    const facts = batchFacts(db, batchId);
    if (facts.state !== 'running') throw new StoreError('INVALID_STATE', `批次 ${batchId} 状态为 ${facts.state}，不能分配箱码 (batch is not running)`);
    for (const pkg of packages.all(batchId) as number[]) {
      const code = free.get({ pkg, pairing: facts.pairingRequired ? 1 : 0 }) as string | undefined;
      if (code === undefined) continue;
      insert.run(code, batchId, at);
      appendAudit(db, { actor, action: 'case.allocate', subject: code, at, detail: { batchId, packageId: pkg } });
      return { code, packageId: pkg };
    }
    throw new StoreError('NOT_FOUND', `批次 ${batchId} 的箱码包中没有可用的箱码，请导入或生成箱码包并加入本批次 (no free case code left in the batch's case packages)`);
  });
  return (batchId, actor, at) => run.immediate(batchId, actor, at);
});

/**
 * Case codes allocated for the batch (so maybe printed on a carton) that are still available/printed and belong
 * to no case: their print fate is unknown. Recovery voids them (DESIGN §4). Oldest first.
 */
export function unconfirmedCaseCodes(db: Db, batchId: number): string[] {
  return db.prepare(`SELECT a.code FROM case_allocations a JOIN codes c ON c.code = a.code
    WHERE a.batch_id = ? AND c.status IN (0, 1) AND NOT EXISTS (SELECT 1 FROM containers k WHERE k.code = a.code)
    ORDER BY a.allocated_at, a.code`).pluck().all(batchId) as string[];
}

/** The same for pallet codes (`pallet_allocations`): allocated, maybe printed, never committed nor voided. */
export function unconfirmedPalletCodes(db: Db, batchId: number): string[] {
  return db.prepare(`SELECT a.code FROM pallet_allocations a JOIN codes c ON c.code = a.code
    WHERE a.batch_id = ? AND c.status IN (0, 1) AND NOT EXISTS (SELECT 1 FROM containers k WHERE k.code = a.code)
    ORDER BY a.allocated_at, a.code`).pluck().all(batchId) as string[];
}
