import type { EpcisContext } from '../../sync/index.ts';
import { checkCase, type Finding } from '../aggregation/check-case.ts';
import { kindFromInt } from '../domain/kinds.ts';
import { displayCode } from '../domain/mask.ts';
import { appendAudit } from './audit.ts';
import { caseRulesOf } from './batches.ts';
import { commitCase, type CaseCommitted } from './case-commit.ts';
import { codeLookup } from './code-lookup.ts';
import { StoreError } from './errors.ts';
import type { Db } from './open.ts';
import { commitPallet, openPallet, stackCase, type PalletCommitted } from './pallet-commit.ts';
import { getUser, PERMISSIONS, requireRole, ROLE_LABEL_ZH, roleList, type Role, type UserInfo } from './users.ts';

/**
 * The store side of manual capture with a handheld scanner (issue 4 §4). The same commits as the automatic
 * stations (commitCase, stackCase, commitPallet) inside one transaction with an audit row that says the unit was
 * captured by hand and by whom. A case is checked with checkCase exactly as the case station does, against the
 * database as it is inside the transaction; a refused case writes nothing.
 */

/** Who may capture by hand: the line operator, QA and the admin (not IT) — the users.ts permission table. */
export const MANUAL_CAPTURE_ROLES: readonly Role[] = PERMISSIONS['capture.manual'];

/** The capturing user, checked again inside each commit (a user deactivated mid-shift stops capturing). */
export function requireCaptureUser(db: Db, userId: string): UserInfo {
  const user = getUser(db, userId);
  if (user === null) throw new StoreError('AUTH_FAILED', '工号或 PIN 不正确 (wrong user id or PIN)');
  if (!user.active) throw new StoreError('FORBIDDEN', `用户 ${user.id} 已停用 (user is deactivated)`);
  if (!MANUAL_CAPTURE_ROLES.includes(user.role)) {
    throw new StoreError('FORBIDDEN', `人工采集需要角色 ${roleList(MANUAL_CAPTURE_ROLES)}，用户 ${user.id} 是 ${ROLE_LABEL_ZH[user.role]} (manual capture needs one of these roles)`);
  }
  return user;
}

function who(user: UserInfo): Record<string, string> {
  return { userId: user.id, name: user.name, role: user.role, roleZh: ROLE_LABEL_ZH[user.role] };
}

export interface ManualCaseInput {
  readonly batchId: number;
  readonly caseCode: string;
  readonly children: readonly string[];
  readonly userId: string;
  /** Epoch milliseconds (UTC). */
  readonly at: number;
  readonly epcis: EpcisContext;
}

export type ManualCaseOutcome =
  | { readonly kind: 'committed'; readonly committed: CaseCommitted; readonly auditSeq: number }
  /** checkCase said reject: nothing written. Findings carry masked codes. */
  | { readonly kind: 'rejected'; readonly findings: readonly Finding[] };

/** Checks (checkCase) and commits one hand-scanned case, with its `case.manual-capture` audit row, in ONE transaction. */
export function commitManualCase(db: Db, input: ManualCaseInput): ManualCaseOutcome {
  return db.transaction((): ManualCaseOutcome => {
    const user = requireCaptureUser(db, input.userId);
    const lookup = codeLookup(db);
    const decision = checkCase({ childCodes: input.children, caseCode: input.caseCode, noRead: false }, caseRulesOf(db, input.batchId), lookup);
    if (decision.kind === 'reject') {
      const mask = (code: string): string => { const f = lookup.get(code); return f === null ? code : displayCode(code, f.kind); };
      return { kind: 'rejected', findings: decision.findings.map((f) => (f.code === undefined ? f : { ...f, code: mask(f.code) })) };
    }
    const committed = commitCase(db, { batchId: input.batchId, caseCode: decision.caseCode, children: decision.children, at: input.at, actor: user.id, epcis: input.epcis });
    const row = appendAudit(db, {
      actor: user.id, action: 'case.manual-capture', subject: decision.caseCode, at: new Date(input.at).toISOString(),
      detail: { batchId: input.batchId, children: decision.children.length, method: 'handheld', capturedBy: who(user) },
    });
    return { kind: 'committed', committed, auditSeq: row.seq };
  }).immediate();
}

export interface ManualStackInput {
  readonly batchId: number;
  /** The session's pallet stack; null opens a new one with this case. */
  readonly stackId: number | null;
  readonly caseCode: string;
  readonly userId: string;
  /** ISO 8601. */
  readonly at: string;
}

/** Puts one hand-scanned case on the session's pallet stack (opened with the first case), persisted. */
export function stackManualCase(db: Db, input: ManualStackInput): { readonly stackId: number; readonly cases: number } {
  return db.transaction(() => {
    const user = requireCaptureUser(db, input.userId);
    const stackId = input.stackId ?? openPallet(db, input.batchId, user.id, input.at);
    const stack = db.prepare('SELECT batch_id FROM pallet_stacks WHERE id = ?').pluck().get(stackId) as number | undefined;
    if (stack !== undefined && stack !== input.batchId) throw new StoreError('CONFLICT', `垛 #${stackId} 不属于批次 ${input.batchId} (stack belongs to another batch)`);
    return { stackId, cases: stackCase(db, stackId, input.caseCode, input.at) };
  }).immediate();
}

export interface ManualPalletInput {
  readonly batchId: number;
  readonly stackId: number;
  readonly palletCode: string;
  readonly userId: string;
  /** Epoch milliseconds (UTC). */
  readonly at: number;
  readonly epcis: EpcisContext;
  /** The operator ended the pallet below the ratio (#END): a force close, which the user's role must allow. */
  readonly short: boolean;
}

export const MANUAL_SHORT_REASON = '人工采集时操作员结束本垛 (manual capture: the operator ended the pallet)';

/** Commits the session's pallet stack under a scanned pallet label, with its `pallet.manual-capture` audit row. */
export function commitManualPallet(db: Db, input: ManualPalletInput): { readonly committed: PalletCommitted; readonly auditSeq: number } {
  return db.transaction(() => {
    const user = requireCaptureUser(db, input.userId);
    if (input.short) requireRole(user, 'pallet.force-close');
    const committed = commitPallet(db, {
      batchId: input.batchId, palletCode: input.palletCode, stackId: input.stackId, at: input.at, actor: user.id, epcis: input.epcis,
      ...(input.short ? { short: { reason: MANUAL_SHORT_REASON } } : {}),
    });
    const kind = db.prepare('SELECT kind FROM codes WHERE code = ?').pluck().get(input.palletCode) as number;
    const row = appendAudit(db, {
      actor: user.id, action: 'pallet.manual-capture', subject: displayCode(input.palletCode, kindFromInt(kind)), at: new Date(input.at).toISOString(),
      detail: { batchId: input.batchId, cases: committed.cases, short: committed.short, method: 'handheld', capturedBy: who(user) },
    });
    return { committed, auditSeq: row.seq };
  }).immediate();
}
