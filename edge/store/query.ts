import { CODE_KIND_LABEL_ZH, CODE_STATUS_LABEL_ZH, SECRET_KINDS, kindFromInt, statusFromInt, type CodeKind, type CodeStatus } from '../domain/kinds.ts';
import { displayCode } from '../domain/mask.ts';
import type { Db } from './open.ts';
import { rejectsMentioning, type RejectRow } from './rejects.ts';

/** One code as a person may see it: secret kinds masked (DESIGN §1). */
export interface CodeView {
  readonly code: string;
  readonly kind: CodeKind;
  readonly kindZh: string;
  readonly status: CodeStatus;
  readonly statusZh: string;
  readonly batchId: number | null;
  readonly packageUuid: string;
}

export interface ContainerView {
  readonly level: 'box' | 'case' | 'pallet';
  readonly state: string;
  readonly childCount: number;
  readonly createdAt: string;
  readonly closedAt: string | null;
}

export interface AuditView {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly subject: string | null;
  readonly reason: string | null;
  readonly detail: unknown;
}

/** A code up and down the hierarchy with its history (QA rescan at the rework table; `wuma query`). */
export interface CodeHistory {
  readonly code: CodeView;
  /** The same-level partner (inner ↔ outer); masked when secret. */
  readonly pair: CodeView | null;
  /** Parent first, then its parent, up to the top (pallet). */
  readonly ancestors: readonly CodeView[];
  readonly container: ContainerView | null;
  readonly children: readonly CodeView[];
  /** The pallet stack (not yet committed pallet) the case is on, if any. */
  readonly palletStack: { readonly id: number; readonly state: string } | null;
  readonly rejects: readonly RejectRow[];
  readonly audit: readonly AuditView[];
}

type CodeRow = { code: string; kind: number; status: number; parent: string | null; pair: string | null; batch_id: number | null; uuid: string };

const MAX_DEPTH = 8;
const MAX_AUDIT = 200;

/**
 * Looks a code up with everything QA needs. A secret code (cap-inner, case-inner) may be scanned too: it is
 * shown masked, and its rejects and audit rows are found through its outer pair (the reject log and audit
 * subjects never hold secret codes in full). Returns null for an unknown code.
 */
export function queryCode(db: Db, value: string): CodeHistory | null {
  const get = db.prepare('SELECT c.code, c.kind, c.status, c.parent, c.pair, c.batch_id, p.uuid FROM codes c JOIN code_packages p ON p.id = c.package_id WHERE c.code = ?');
  const view = (r: CodeRow): CodeView => {
    const kind = kindFromInt(r.kind);
    const status = statusFromInt(r.status);
    return { code: displayCode(r.code, kind), kind, kindZh: CODE_KIND_LABEL_ZH[kind], status, statusZh: CODE_STATUS_LABEL_ZH[status], batchId: r.batch_id, packageUuid: r.uuid };
  };
  return db.transaction((): CodeHistory | null => {
    const row = get.get(value) as CodeRow | undefined;
    if (row === undefined) return null;
    const pairRow = row.pair === null ? undefined : (get.get(row.pair) as CodeRow | undefined);
    const ancestors: CodeView[] = [];
    let parent = row.parent;
    while (parent !== null && ancestors.length < MAX_DEPTH) {
      const p = get.get(parent) as CodeRow | undefined;
      if (p === undefined) break;
      ancestors.push(view(p));
      parent = p.parent;
    }
    const k = db.prepare('SELECT level, state, child_count, created_at, closed_at FROM containers WHERE code = ?').get(value) as
      { level: ContainerView['level']; state: string; child_count: number; created_at: string; closed_at: string | null } | undefined;
    const children = (db.prepare('SELECT c.code, c.kind, c.status, c.parent, c.pair, c.batch_id, p.uuid FROM codes c JOIN code_packages p ON p.id = c.package_id WHERE c.parent = ? ORDER BY c.code').all(value) as CodeRow[]).map(view);
    const stack = db.prepare('SELECT s.id, s.state FROM pallet_stack_cases sc JOIN pallet_stacks s ON s.id = sc.stack_id WHERE sc.case_code = ?').get(value) as { id: number; state: string } | undefined;
    // The visible (non-secret) values that name this item in the reject log and audit subjects.
    const secret = SECRET_KINDS.has(kindFromInt(row.kind));
    const names = [secret ? null : row.code, pairRow !== undefined && !SECRET_KINDS.has(kindFromInt(pairRow.kind)) ? pairRow.code : null].filter((n): n is string => n !== null);
    const rejects = new Map<number, RejectRow>();
    for (const name of names) for (const r of rejectsMentioning(db, name)) rejects.set(r.id, r);
    const audit = names.length === 0 ? [] : (db.prepare(`SELECT seq, at, actor, action, subject, reason, detail FROM audit_log
        WHERE subject IN (${names.map(() => '?').join(', ')}) ORDER BY seq LIMIT ${MAX_AUDIT}`).all(...names) as (Omit<AuditView, 'detail'> & { detail: string })[])
      .map((a) => ({ ...a, detail: JSON.parse(a.detail) as unknown }));
    return {
      code: view(row),
      pair: pairRow === undefined ? null : view(pairRow),
      ancestors,
      container: k === undefined ? null : { level: k.level, state: k.state, childCount: k.child_count, createdAt: k.created_at, closedAt: k.closed_at },
      children,
      palletStack: stack ?? null,
      rejects: [...rejects.values()].sort((a, b) => a.id - b.id),
      audit,
    };
  })();
}
