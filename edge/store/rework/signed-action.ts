import { freezeEvent, mapFact, type EpcisContext, type LineFact } from '../../../sync/index.ts';
import { appendAudit } from '../audit.ts';
import { StoreError } from '../errors.ts';
import type { Db } from '../open.ts';
import { appendOutbox } from '../outbox.ts';
import { checkPin, clearPinFailures, getUser, recordPinFailure, requireRole, ROLE_LABEL_ZH, type Action, type UserInfo } from '../users.ts';

/** Who signs a rework action and why. The PIN is asked again for every action (21 CFR 11.200(a)(1)(ii)). */
export interface Signature {
  readonly userId: string;
  readonly pin: string;
  readonly reason: string;
}

/** What the operations need from the station: the EPCIS context of its events and a clock. */
export interface ReworkEnv {
  readonly epcis: EpcisContext;
  readonly clock?: () => Date;
}

/** What a signed action reports back. `auditSeq` is the audit row that holds the signature. */
export interface SignedOutcome<T> {
  readonly result: T;
  readonly auditSeq: number;
  readonly events: number;
  readonly signedBy: { readonly userId: string; readonly name: string; readonly role: UserInfo['role'] };
  readonly signedAt: string;
}

export type ReworkAction = Extract<Action, `rework.${string}`>;

/** The meaning of each signature (21 CFR 11.50(a)(3)), recorded with it in the audit row. */
export const SIGNATURE_MEANING: Readonly<Record<ReworkAction, string>> = {
  'rework.remove': '质检确认：从容器中取出 (QA confirms: removed from its container)',
  'rework.add': '质检确认：装入容器 (QA confirms: packed into the container)',
  'rework.replace': '质检确认：替换容器内的码 (QA confirms: replaced in the container)',
  'rework.relabel': '质检确认：换标，旧码作废 (QA confirms: relabelled, old code voided)',
  'rework.move': '质检确认：整箱转入新箱码，旧箱作废 (QA confirms: contents moved to a new case, old case voided)',
  'rework.break-pallet': '质检确认：拆垛，垛码作废 (QA confirms: pallet broken, pallet code voided)',
  'rework.destroy': '质检确认：销毁，永久作废 (QA confirms: destroyed, permanently)',
  'rework.sample': '质检确认：抽样出库并销毁 (QA confirms: pulled as a sample and destroyed)',
  'rework.repack': '质检确认：剔除品经返工重新装箱 (QA confirms: rejected items re-packed through rework)',
};

export const MAX_REASON_LENGTH = 500;

/** What an operation's body gets: the signing time and a way to write an EPCIS event into the outbox. */
export interface ActionTx {
  readonly at: Date;
  readonly time: number;
  emit(fact: LineFact, options: { readonly batchId?: number | null; readonly pallet?: string | null }): void;
}

/** What the body returns: the audit subject (already masked), audit detail (masked) and the caller's result. */
export interface ActionRecord<T> {
  readonly subject: string;
  readonly detail: Readonly<Record<string, unknown>>;
  readonly result: T;
}

/**
 * Runs one signed rework action. Order of checks, each refusing with the database unchanged: reason present →
 * user known → role allowed (FORBIDDEN names the roles needed) → account not locked/deactivated → PIN. A bad PIN
 * is the one refusal that writes: the attempt is counted (and may lock the account) in its own transaction, so
 * it survives the refusal. Then ONE immediate transaction holds the body's state change, its outbox events, the
 * reset of the bad-PIN counter and the audit row with the signature (user, name, role, time, meaning, method);
 * any error inside rolls all of it back.
 */
export function signedAction<T>(db: Db, env: ReworkEnv, sig: Signature, action: ReworkAction, body: (tx: ActionTx) => ActionRecord<T>): SignedOutcome<T> {
  const reason = sig.reason.trim();
  if (reason.length === 0) throw new StoreError('INVALID_INPUT', '返工操作必须填写原因 (a reason is required for every rework action)');
  if (reason.length > MAX_REASON_LENGTH) throw new StoreError('INVALID_INPUT', `原因不能超过 ${MAX_REASON_LENGTH} 字 (reason is longer than ${MAX_REASON_LENGTH} characters)`);
  const at = (env.clock ?? (() => new Date()))();
  const user = getUser(db, sig.userId);
  if (user === null) throw new StoreError('AUTH_FAILED', '工号或 PIN 不正确 (wrong user id or PIN)');
  requireRole(user, action);
  const check = checkPin(db, user.id, sig.pin, at);
  switch (check.kind) {
    case 'inactive': throw new StoreError('FORBIDDEN', `用户 ${user.id} 已停用 (user is deactivated)`);
    case 'locked': throw new StoreError('LOCKED_OUT', `用户 ${user.id} 因多次 PIN 错误已锁定至 ${check.until}，请稍后再试或联系管理员 (locked after repeated wrong PINs until ${check.until})`);
    case 'bad-credentials': {
      const after = recordPinFailure(db, user.id, at);
      if (after.kind === 'locked') throw new StoreError('LOCKED_OUT', `PIN 不正确，用户 ${user.id} 已锁定至 ${after.until} (wrong PIN; account locked until ${after.until})`);
      const left = after.kind === 'bad-credentials' ? after.attemptsLeft : null;
      throw new StoreError('AUTH_FAILED', `工号或 PIN 不正确${left === null ? '' : `，还可尝试 ${left} 次`} (wrong user id or PIN${left === null ? '' : `; ${left} attempts left`})`);
    }
    case 'ok': break;
  }
  let events = 0;
  const tx: ActionTx = {
    at,
    time: at.getTime(),
    emit(fact, options) {
      const frozen = freezeEvent(mapFact(fact, env.epcis));
      appendOutbox(db, frozen, {
        at: at.toISOString(),
        ...(options.batchId == null ? {} : { batchId: options.batchId }),
        ...(options.pallet == null ? {} : { pallet: options.pallet }),
      });
      events += 1;
    },
  };
  return db.transaction((): SignedOutcome<T> => {
    const current = getUser(db, user.id);
    if (current === null) throw new StoreError('AUTH_FAILED', '工号或 PIN 不正确 (wrong user id or PIN)');
    requireRole(current, action);
    clearPinFailures(db, user.id);
    const record = body(tx);
    const signedAt = at.toISOString();
    const row = appendAudit(db, {
      actor: user.id,
      action,
      subject: record.subject,
      reason,
      at: signedAt,
      detail: {
        ...record.detail,
        signature: { userId: user.id, name: user.name, role: user.role, roleZh: ROLE_LABEL_ZH[user.role], meaning: SIGNATURE_MEANING[action], signedAt, method: 'pin' },
      },
    });
    return { result: record.result, auditSeq: row.seq, events, signedBy: { userId: user.id, name: user.name, role: user.role }, signedAt };
  }).immediate();
}
