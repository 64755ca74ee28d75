import type { Db } from '../store/open.ts';
import { checkPin, recordPinFailure } from '../store/users.ts';
import { ApiError } from './errors.ts';

/**
 * Re-asks the logged-in user's PIN for a signed action outside rework (batch close with unexplained codes;
 * 21 CFR 11.200(a)(1)(ii): every signing after the first in a session uses the secret again). A wrong PIN is
 * counted and may lock the account, exactly as in the rework operations (edge/store/rework/signed-action.ts).
 */
export function verifySigner(db: Db, userId: string, pin: string | undefined): void {
  if (pin === undefined || pin.length === 0) {
    throw new ApiError('BAD_REQUEST', '签名需要重新输入 PIN (signing needs the PIN again)', { errors: [{ path: 'pin', message: '签名需要 PIN (required to sign)' }] });
  }
  const check = checkPin(db, userId, pin);
  switch (check.kind) {
    case 'ok': return;
    case 'inactive': throw new ApiError('FORBIDDEN', '该用户已停用 (this user is deactivated)');
    case 'locked': throw new ApiError('LOCKED_OUT', `账户已锁定至 ${check.until} (account locked until ${check.until})`, { details: { until: check.until } });
    case 'bad-credentials': {
      const after = recordPinFailure(db, userId);
      if (after.kind === 'locked') throw new ApiError('LOCKED_OUT', `PIN 不正确，账户已锁定至 ${after.until} (wrong PIN; account locked until ${after.until})`, { details: { until: after.until } });
      const left = after.kind === 'bad-credentials' ? after.attemptsLeft : null;
      throw new ApiError('AUTH_FAILED', `PIN 不正确${left === null ? '' : `，还可尝试 ${left} 次`} (wrong PIN${left === null ? '' : `; ${left} attempts left`})`, { details: { attemptsLeft: left } });
    }
  }
}
