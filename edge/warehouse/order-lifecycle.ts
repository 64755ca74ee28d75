import { appendAudit } from '../store/audit.ts';
import { StoreError } from '../store/errors.ts';
import type { Db } from '../store/open.ts';
import { checkPin, clearPinFailures, getUser, recordPinFailure, ROLE_LABEL_ZH } from '../store/users.ts';
import type { CompleteOptions, OrderView } from './contract.ts';
import { orderMachine, type OrderEvent } from './order-machine.ts';
import { requireOrder } from './orders.ts';
import type { WarehouseEnv } from './warehouse-env.ts';

/** Who may sign a short shipment (仓管 or the admin). Strings: `warehouse` joins ROLES in users.ts with the login side. */
export const SHORT_SHIPMENT_ROLES: readonly string[] = ['warehouse', 'admin'];

export const SHORT_SHIPMENT_MEANING = '仓管确认：短发，按实发数量完成发货单 (warehouse confirms: short shipment, the order completes with what shipped)';

const MAX_REASON = 500;

function transition(order: OrderView, event: OrderEvent): ReturnType<typeof orderMachine.next> & { ok: true } {
  const t = orderMachine.next(order.state, event);
  if (!t.ok) throw new StoreError('INVALID_STATE', `发货单 ${order.id}: ${t.reason}`);
  return t;
}

export function releaseOrder(db: Db, env: WarehouseEnv, orderId: string, actor: string): OrderView {
  return db.transaction(() => {
    const order = requireOrder(db, orderId);
    const t = transition(order, 'release');
    const iso = env.now().toISOString();
    db.prepare('UPDATE dispatch_orders SET state = ?, released_at = ? WHERE id = ?').run(t.to, iso, orderId);
    appendAudit(db, { actor, action: 'order.release', subject: orderId, at: iso, detail: {} });
    return requireOrder(db, orderId);
  }).immediate();
}

/**
 * The truck leaves: picking → shipped. When any line shipped less than ordered, the completion needs a reason
 * and the signature of a warehouse user or admin (PIN again, 21 CFR 11.200(a)(1)(ii)); a wrong PIN is counted in
 * its own transaction (and may lock the account) before the refusal, exactly as in rework. The state change and
 * the audit row with the signature commit together.
 */
export function completeOrder(db: Db, env: WarehouseEnv, orderId: string, options: CompleteOptions): OrderView {
  const before = requireOrder(db, orderId);
  transition(before, 'complete');
  const short = before.lines.some((l) => l.shipped < l.quantity);
  const reason = options.reason?.trim() ?? '';
  const at = env.now();
  let signer: { userId: string; name: string; role: string } | null = null;
  if (short) {
    const missing = before.lines.filter((l) => l.shipped < l.quantity).map((l) => `第 ${l.lineNo} 行 ${l.productId} ${l.shipped}/${l.quantity}`).join('，');
    if (reason.length === 0) throw new StoreError('INVALID_INPUT', `reason: 短发（${missing}）需要原因 (a short shipment needs a reason)`);
    if (reason.length > MAX_REASON) throw new StoreError('INVALID_INPUT', `reason: 原因不能超过 ${MAX_REASON} 字 (reason too long)`);
    if (options.signer === undefined || options.signer.userId.length === 0) throw new StoreError('INVALID_INPUT', `signer: 短发（${missing}）需要仓管签名：工号和 PIN (a short shipment needs a signature)`);
    const user = getUser(db, options.signer.userId);
    if (user === null) throw new StoreError('AUTH_FAILED', '工号或 PIN 不正确 (wrong user id or PIN)');
    if (!SHORT_SHIPMENT_ROLES.includes(user.role)) {
      throw new StoreError('FORBIDDEN', `用户 ${user.id} 的角色 ${user.role} 不能签署短发，需要: 仓管 warehouse / 管理员 admin (role ${user.role} may not sign a short shipment)`);
    }
    const check = checkPin(db, user.id, options.signer.pin, at);
    switch (check.kind) {
      case 'inactive': throw new StoreError('FORBIDDEN', `用户 ${user.id} 已停用 (user is deactivated)`);
      case 'locked': throw new StoreError('LOCKED_OUT', `用户 ${user.id} 因多次 PIN 错误已锁定至 ${check.until} (locked until ${check.until})`);
      case 'bad-credentials': {
        const after = recordPinFailure(db, user.id, at);
        if (after.kind === 'locked') throw new StoreError('LOCKED_OUT', `PIN 不正确，用户 ${user.id} 已锁定至 ${after.until} (wrong PIN; account locked until ${after.until})`);
        const left = after.kind === 'bad-credentials' ? after.attemptsLeft : null;
        throw new StoreError('AUTH_FAILED', `工号或 PIN 不正确${left === null ? '' : `，还可尝试 ${left} 次`} (wrong user id or PIN)`);
      }
      case 'ok': break;
    }
    signer = { userId: user.id, name: user.name, role: user.role };
  }
  const iso = at.toISOString();
  return db.transaction(() => {
    const order = requireOrder(db, orderId);
    const t = transition(order, 'complete');
    const stillShort = order.lines.some((l) => l.shipped < l.quantity);
    if (stillShort && signer === null) throw new StoreError('CONFLICT', `发货单 ${orderId} 的实发数量刚刚改变，请重试 (shipped counts changed meanwhile; try again)`);
    if (signer !== null) clearPinFailures(db, signer.userId);
    db.prepare(`UPDATE dispatch_orders SET state = ?, completed_at = ?, completed_by = ?, short_reason = ?, short_signer = ? WHERE id = ?`)
      .run(t.to, iso, options.actor, stillShort ? reason : null, stillShort ? signer?.userId ?? null : null, orderId);
    appendAudit(db, {
      actor: signer?.userId ?? options.actor, action: stillShort ? 'order.complete-short' : 'order.complete', subject: orderId, at: iso,
      reason: stillShort ? reason : null,
      detail: {
        completedBy: options.actor, quantity: order.quantity, shipped: order.shipped,
        lines: order.lines.map((l) => ({ lineNo: l.lineNo, productId: l.productId, quantity: l.quantity, shipped: l.shipped })),
        ...(stillShort && signer !== null ? {
          signature: { userId: signer.userId, name: signer.name, role: signer.role, roleZh: (ROLE_LABEL_ZH as Record<string, string>)[signer.role] ?? signer.role, meaning: SHORT_SHIPMENT_MEANING, signedAt: iso, method: 'pin' },
        } : {}),
      },
    });
    return requireOrder(db, orderId);
  }).immediate();
}

/** Cancels a draft or picking order; refused while any case is out on it (return them, or complete short). */
export function cancelOrder(db: Db, env: WarehouseEnv, orderId: string, options: { readonly actor: string; readonly reason: string }): OrderView {
  const reason = options.reason.trim();
  if (reason.length === 0) throw new StoreError('INVALID_INPUT', 'reason: 取消发货单需要原因 (cancelling needs a reason)');
  return db.transaction(() => {
    const order = requireOrder(db, orderId);
    const t = transition(order, 'cancel');
    const live = db.prepare('SELECT count(*) FROM shipped_items WHERE order_id = ? AND return_id IS NULL').pluck().get(orderId) as number;
    if (live > 0) throw new StoreError('INVALID_STATE', `发货单 ${orderId} 已有 ${live} 箱出库，不能取消：请先退货或短发完成 (${live} cases are out on it; return them or complete it short)`);
    const iso = env.now().toISOString();
    db.prepare('UPDATE dispatch_orders SET state = ?, cancelled_at = ?, cancel_reason = ? WHERE id = ?').run(t.to, iso, reason, orderId);
    appendAudit(db, { actor: options.actor, action: 'order.cancel', subject: orderId, reason, at: iso, detail: { shipped: order.shipped } });
    return requireOrder(db, orderId);
  }).immediate();
}
