import { PERMISSIONS, authenticateByBadge, authenticateByPin, type Action, type AuthResult, type Role } from '../store/users.ts';
import { ROLE_LABEL_ZH } from '../store/users.ts';
import { SESSION_COOKIE, type ApiPermission, type SessionInfo } from './contract.ts';
import { ApiError } from './errors.ts';
import { str } from './json-schema.ts';
import type { Session } from './session-manager.ts';
import { jsonResponse, sessionOf, type ApiDeps, type RouteImpls } from './route-types.ts';

/** The permissions of a role, as the UI needs them (only the ones the API exposes). */
export function permissionsOf(role: Role): ApiPermission[] {
  return (Object.entries(PERMISSIONS) as [Action, readonly Role[]][]).filter(([, roles]) => roles.includes(role)).map(([a]) => a as ApiPermission);
}

export function sessionInfo(deps: ApiDeps, s: Session): SessionInfo {
  return {
    sessionId: s.id,
    user: { id: s.user.id, name: s.user.name, role: s.user.role, roleZh: ROLE_LABEL_ZH[s.user.role] },
    loginMethod: s.method, startedAt: new Date(s.startedAt).toISOString(), idleTimeoutMs: deps.sessions.idleTimeoutMs, permissions: permissionsOf(s.user.role),
  };
}

function refuse(result: Exclude<AuthResult, { kind: 'ok' }>, retryAfterMs: number): never {
  switch (result.kind) {
    case 'locked': throw new ApiError('LOCKED_OUT', `多次 PIN 错误，账户已锁定至 ${result.until}，请稍后再试或联系管理员 (account locked after repeated wrong PINs until ${result.until})`, { details: { until: result.until } });
    case 'inactive': throw new ApiError('FORBIDDEN', '该用户已停用，请联系管理员 (this user is deactivated; ask the admin)');
    case 'bad-credentials': {
      const left = result.attemptsLeft === null ? '' : `，还可尝试 ${result.attemptsLeft} 次`;
      throw new ApiError('AUTH_FAILED', `工卡、工号或 PIN 不正确${left}；${Math.ceil(retryAfterMs / 1000)} 秒后可重试 (wrong badge, user id or PIN${result.attemptsLeft === null ? '' : `; ${result.attemptsLeft} attempts left`})`, { details: { attemptsLeft: result.attemptsLeft, retryAfterMs } });
    }
  }
}

const cookie = (value: string, maxAgeS: number): string => `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}`;

export const SESSION_ROUTES: RouteImpls<'login' | 'logout' | 'me'> = {
  login: {
    body: {
      oneOf: [
        { type: 'object', properties: { method: { const: 'badge' }, badge: str(256) }, required: ['method', 'badge'], additionalProperties: false },
        { type: 'object', properties: { method: { const: 'pin' }, userId: str(64), pin: str(64) }, required: ['method', 'userId', 'pin'], additionalProperties: false },
      ],
    },
    handle(deps, { body }) {
      // The throttle key never holds the badge code or PIN; only the user id, which is not secret.
      const key = body.method === 'badge' ? 'badge' : `pin:${body.userId}`;
      const wait = deps.throttle.retryAfter(key);
      if (wait > 0) throw new ApiError('LOGIN_THROTTLED', `登录失败次数过多，请 ${Math.ceil(wait / 1000)} 秒后再试 (too many failed logins; retry in ${Math.ceil(wait / 1000)} s)`, { details: { retryAfterMs: wait } });
      const result = body.method === 'badge' ? authenticateByBadge(deps.db, body.badge) : authenticateByPin(deps.db, body.userId, body.pin);
      if (result.kind !== 'ok') {
        const retry = result.kind === 'bad-credentials' ? deps.throttle.failed(key) : 0;
        deps.logger.warn('api.login.refused', { method: body.method, outcome: result.kind, ...(body.method === 'pin' ? { userId: body.userId } : {}) });
        refuse(result, retry);
      }
      deps.throttle.succeeded(key);
      const session = deps.sessions.create({ id: result.user.id, name: result.user.name, role: result.user.role }, body.method);
      deps.logger.info('api.login', { userId: result.user.id, role: result.user.role, method: body.method });
      return jsonResponse(sessionInfo(deps, session), { 'set-cookie': cookie(session.id, 12 * 3600) });
    },
  },
  logout: {
    handle(deps, input) {
      const s = sessionOf(input);
      deps.sessions.end(s.id);
      deps.logger.info('api.logout', { userId: s.user.id });
      return jsonResponse({ ok: true as const }, { 'set-cookie': cookie('', 0) });
    },
  },
  me: {
    handle(deps, input) {
      return sessionInfo(deps, sessionOf(input));
    },
  },
};
