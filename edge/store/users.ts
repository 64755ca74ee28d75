import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { appendAudit } from './audit.ts';
import { StoreError } from './errors.ts';
import type { Db } from './open.ts';

/**
 * Users, roles and who may do what (DESIGN §2; 21 CFR 11.10(d)/(g), 11.200; IEC 62443-4-2 CR 1.1, 1.11, 2.1).
 * PINs and badge codes are secrets: only scrypt hashes are stored (migrations/0003-users.ts), they never appear
 * in errors, audit rows or return values, and PINs are compared in constant time.
 */

export const ROLES = ['operator', 'qa', 'it', 'admin', 'warehouse'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABEL_ZH: Readonly<Record<Role, string>> = { operator: '操作员', qa: '质检', it: '信息', admin: '管理员', warehouse: '仓管' };

/** Protected actions. Rework actions are signed: each needs the user's PIN again (21 CFR 11.200(a)(1)(ii)). */
export const ACTIONS = [
  'rework.remove', 'rework.add', 'rework.replace', 'rework.relabel', 'rework.move', 'rework.break-pallet',
  'rework.destroy', 'rework.sample', 'rework.repack',
  'batch.start', 'batch.pause', 'batch.close', 'batch.close-unreconciled', 'pallet.force-close', 'capture.manual',
  'codes.import', 'codes.export', 'device.settings', 'product.edit', 'sync.settings', 'user.manage',
  'dispatch.order', 'dispatch.scan', 'dispatch.return', 'trace.finding', 'trace.inner',
] as const;
export type Action = (typeof ACTIONS)[number];

const REWORK: readonly Role[] = ['qa', 'admin'];

/**
 * The permission table. Line operators run batches and pallets; QA does every rework action and closes batches
 * (also a batch with unexplained codes, with a signed reason); IT imports and exports code packages and sets up
 * devices, products and sync; the admin may do everything and alone manages users. Least privilege: no role but
 * admin crosses into another's work, so a QA account cannot import codes and IT cannot destroy codes.
 */
export const PERMISSIONS: Readonly<Record<Action, readonly Role[]>> = {
  'rework.remove': REWORK,
  'rework.add': REWORK,
  'rework.replace': REWORK,
  'rework.relabel': REWORK,
  'rework.move': REWORK,
  'rework.break-pallet': REWORK,
  'rework.destroy': REWORK,
  'rework.sample': REWORK,
  'rework.repack': REWORK,
  'batch.start': ['operator', 'qa', 'admin'],
  'batch.pause': ['operator', 'qa', 'admin'],
  'batch.close': ['qa', 'admin'],
  'batch.close-unreconciled': ['qa', 'admin'],
  'pallet.force-close': ['operator', 'qa', 'admin'],
  /** Manual capture with a handheld scanner when a camera is down (issue 4 §4). */
  'capture.manual': ['operator', 'qa', 'admin'],
  'codes.import': ['it', 'admin'],
  'codes.export': ['it', 'admin'],
  'device.settings': ['it', 'admin'],
  'product.edit': ['it', 'admin'],
  'sync.settings': ['it', 'admin'],
  'user.manage': ['admin'],
  /** Warehouse (issue 13): IT creates, imports and cancels dispatch orders (发货单) from the ERP… */
  'dispatch.order': ['it', 'admin'],
  /** …warehouse staff (仓管) scan them out on PDAs and complete them (a short shipment signed)… */
  'dispatch.scan': ['warehouse', 'admin'],
  /** …and take dealers' returns (退货) back into stock and move stock between warehouses. */
  'dispatch.return': ['warehouse', 'admin'],
  /** QA / market inspectors (稽查) record a diversion finding (窜货) and may trace from an inner code (shown masked). */
  'trace.finding': ['qa', 'admin'],
  'trace.inner': ['qa', 'admin'],
};

/** Consecutive bad PINs before the account locks, and for how long (IEC 62443-4-2 CR 1.11). */
export const MAX_FAILED_ATTEMPTS = 5;
export const LOCKOUT_MS = 15 * 60_000;

/** scrypt cost: N = 2^14, r = 8, p = 1 (16 MiB, tens of ms): slow enough to stop offline PIN guessing. */
const SCRYPT = { N: 16384, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const BADGE_SALT_KEY = 'users.badge_salt';

export interface UserInfo {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly active: boolean;
  readonly hasPin: boolean;
  readonly hasBadge: boolean;
  readonly failedAttempts: number;
  readonly lockedUntil: string | null;
  readonly createdAt: string;
}

export interface NewUser {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  readonly pin?: string;
  readonly badge?: string;
}

/** Outcome of a login or signature check: callers branch on `kind`. No outcome says whether a user id exists. */
export type AuthResult =
  | { readonly kind: 'ok'; readonly user: UserInfo }
  | { readonly kind: 'bad-credentials'; readonly attemptsLeft: number | null }
  | { readonly kind: 'locked'; readonly until: string }
  | { readonly kind: 'inactive' };

interface UserRow {
  id: string; name: string; role: Role; pin_hash: string | null; badge_hash: string | null; active: number;
  failed_attempts: number; locked_until: string | null; created_at: string;
}

function info(row: UserRow): UserInfo {
  return {
    id: row.id, name: row.name, role: row.role, active: row.active === 1, hasPin: row.pin_hash !== null,
    hasBadge: row.badge_hash !== null, failedAttempts: row.failed_attempts, lockedUntil: row.locked_until, createdAt: row.created_at,
  };
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function mayPerform(role: Role, action: Action): boolean {
  return PERMISSIONS[action].includes(role);
}

export function roleList(roles: readonly Role[]): string {
  return roles.map((r) => `${ROLE_LABEL_ZH[r]} ${r}`).join(' / ');
}

/** Throws FORBIDDEN naming the roles that may do `action` when `user` may not (or is deactivated). */
export function requireRole(user: Pick<UserInfo, 'id' | 'role' | 'active'>, action: Action): void {
  if (!user.active) throw new StoreError('FORBIDDEN', `用户 ${user.id} 已停用 (user is deactivated)`);
  if (!mayPerform(user.role, action)) {
    const roles = roleList(PERMISSIONS[action]);
    throw new StoreError('FORBIDDEN', `用户 ${user.id} 的角色 ${ROLE_LABEL_ZH[user.role]} ${user.role} 无权执行 ${action}，需要角色: ${roles} (role ${user.role} may not ${action}; needs ${PERMISSIONS[action].join(' or ')})`);
  }
}

function hashPin(pin: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(pin, salt, KEY_BYTES, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Constant-time check of `pin` against a stored hash; a null hash burns the same work and fails. */
function pinMatches(pin: string, stored: string | null): boolean {
  const parts = (stored ?? `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(KEY_BYTES).toString('base64')}`).split('$');
  const [scheme, n, r, p, salt, key] = parts;
  if (scheme !== 'scrypt' || n === undefined || r === undefined || p === undefined || salt === undefined || key === undefined) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = scryptSync(pin, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(actual, expected) && stored !== null;
}

function badgeSalt(db: Db): Buffer {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(BADGE_SALT_KEY) as { value: string } | undefined;
  if (row !== undefined) return Buffer.from(row.value, 'base64');
  const salt = randomBytes(16);
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(BADGE_SALT_KEY, salt.toString('base64'));
  return salt;
}

function hashBadge(db: Db, badge: string): string {
  return scryptSync(badge, badgeSalt(db), KEY_BYTES, SCRYPT).toString('base64');
}

function validate(user: NewUser): string[] {
  const errors: string[] = [];
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(user.id)) errors.push('id: 工号应为 1–64 位字母、数字、. _ - (user id must be 1–64 letters, digits, . _ -)');
  if (user.name.trim().length === 0 || user.name.length > 100) errors.push('name: 姓名不能为空且不超过 100 字 (name must be 1–100 characters)');
  if (!isRole(user.role)) errors.push(`role: 未知角色，可选 ${ROLES.join(' | ')} (unknown role)`);
  if (user.pin !== undefined) {
    if (user.pin.length < 6 || user.pin.length > 64) errors.push('pin: PIN 应为 6–64 位 (PIN must be 6–64 characters)');
    else if (/^(.)\1*$/.test(user.pin)) errors.push('pin: PIN 不能全是同一字符 (PIN must not repeat one character)');
  }
  if (user.badge !== undefined && (user.badge.length < 4 || user.badge.length > 256)) errors.push('badge: 工卡码应为 4–256 位 (badge code must be 4–256 characters)');
  if (user.pin === undefined && user.badge === undefined) errors.push('pin/badge: 至少需要 PIN 或工卡之一 (needs a PIN or a badge)');
  return errors;
}

/**
 * Adds a user with an audit row (actor = who added it). Secrets go in only as hashes; the audit row records that
 * a PIN / badge was set, never their values. INVALID_INPUT lists every bad field; CONFLICT for a taken id or
 * badge. Nothing is written on refusal.
 */
export function addUser(db: Db, user: NewUser, actor: string, at = new Date()): UserInfo {
  const errors = validate(user);
  if (errors.length > 0) throw new StoreError('INVALID_INPUT', `用户信息有误 (invalid user):\n${errors.join('\n')}`);
  const pinHash = user.pin === undefined ? null : hashPin(user.pin);
  return db.transaction(() => {
    if (db.prepare('SELECT 1 FROM users WHERE id = ?').get(user.id) !== undefined) {
      throw new StoreError('CONFLICT', `工号 ${user.id} 已存在 (user id already exists)`);
    }
    const badgeHash = user.badge === undefined ? null : hashBadge(db, user.badge);
    if (badgeHash !== null && db.prepare('SELECT 1 FROM users WHERE badge_hash = ?').get(badgeHash) !== undefined) {
      throw new StoreError('CONFLICT', '该工卡已登记给其他用户 (this badge is already registered to another user)');
    }
    db.prepare(`INSERT INTO users (id, name, role, pin_hash, badge_hash, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(user.id, user.name.trim(), user.role, pinHash, badgeHash, at.toISOString(), actor);
    appendAudit(db, { actor, action: 'user.add', subject: user.id, at: at.toISOString(), detail: { role: user.role, pin: pinHash !== null, badge: badgeHash !== null } });
    const created = getUser(db, user.id);
    if (created === null) throw new StoreError('NOT_FOUND', `用户 ${user.id} 写入后未找到 (user not found after insert)`);
    return created;
  })();
}

export function getUser(db: Db, id: string): UserInfo | null {
  const row = db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
  return row === undefined ? null : info(row);
}

export function listUsers(db: Db): UserInfo[] {
  return (db.prepare('SELECT * FROM users ORDER BY id').all() as UserRow[]).map(info);
}

/** Result of checking a PIN without writing anything; `record…` below commit its consequence. */
export type PinCheck = AuthResult;

/**
 * Checks a PIN, read-only: locked and deactivated accounts are refused before any hashing; an unknown id costs
 * the same scrypt as a known one and answers the same `bad-credentials`. The caller records a failure with
 * `recordPinFailure` (in its own transaction, so a refused action still counts the attempt) and clears the
 * counter with `clearPinFailures` inside the transaction of the signed action.
 */
export function checkPin(db: Db, userId: string, pin: string, now = new Date()): PinCheck {
  const row = db.prepare('SELECT * FROM users WHERE id = ?').get(userId) as UserRow | undefined;
  if (row !== undefined && row.active === 0) return { kind: 'inactive' };
  if (row?.locked_until != null && row.locked_until > now.toISOString()) return { kind: 'locked', until: row.locked_until };
  const ok = pinMatches(pin, row?.pin_hash ?? null);
  if (row === undefined || !ok) {
    return { kind: 'bad-credentials', attemptsLeft: row === undefined ? null : Math.max(0, MAX_FAILED_ATTEMPTS - row.failed_attempts - 1) };
  }
  return { kind: 'ok', user: info(row) };
}

/** Counts one bad PIN; at the limit locks the account for LOCKOUT_MS and audits the lock. Own transaction. */
export function recordPinFailure(db: Db, userId: string, now = new Date()): AuthResult {
  return db.transaction((): AuthResult => {
    const row = db.prepare('SELECT failed_attempts FROM users WHERE id = ?').get(userId) as { failed_attempts: number } | undefined;
    if (row === undefined) return { kind: 'bad-credentials', attemptsLeft: null };
    const failed = row.failed_attempts + 1;
    if (failed >= MAX_FAILED_ATTEMPTS) {
      const until = new Date(now.getTime() + LOCKOUT_MS).toISOString();
      db.prepare('UPDATE users SET failed_attempts = 0, locked_until = ? WHERE id = ?').run(until, userId);
      appendAudit(db, { actor: userId, action: 'user.locked', subject: userId, at: now.toISOString(), detail: { failedAttempts: failed, until } });
      return { kind: 'locked', until };
    }
    db.prepare('UPDATE users SET failed_attempts = ? WHERE id = ?').run(failed, userId);
    return { kind: 'bad-credentials', attemptsLeft: MAX_FAILED_ATTEMPTS - failed };
  }).immediate();
}

/** Resets the bad-PIN counter after a good PIN; call inside the transaction of the action it signs. */
export function clearPinFailures(db: Db, userId: string): void {
  db.prepare('UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = ? AND (failed_attempts <> 0 OR locked_until IS NOT NULL)').run(userId);
}

/** Login by user id + PIN (sessions, 11.200 first signing): checks and records the outcome in one step. */
export function authenticateByPin(db: Db, userId: string, pin: string, now = new Date()): AuthResult {
  const result = checkPin(db, userId, pin, now);
  if (result.kind === 'bad-credentials') return recordPinFailure(db, userId, now);
  if (result.kind === 'ok') db.transaction(() => { clearPinFailures(db, userId); })();
  return result;
}

/** Login by scanning a badge (the operator's way in, DESIGN §2). A locked or deactivated account is refused. */
export function authenticateByBadge(db: Db, badgeCode: string, now = new Date()): AuthResult {
  const salt = db.prepare('SELECT value FROM meta WHERE key = ?').get(BADGE_SALT_KEY) as { value: string } | undefined;
  if (salt === undefined || badgeCode.length === 0) return { kind: 'bad-credentials', attemptsLeft: null };
  const hash = scryptSync(badgeCode, Buffer.from(salt.value, 'base64'), KEY_BYTES, SCRYPT).toString('base64');
  const row = db.prepare('SELECT * FROM users WHERE badge_hash = ?').get(hash) as UserRow | undefined;
  if (row === undefined) return { kind: 'bad-credentials', attemptsLeft: null };
  if (row.active === 0) return { kind: 'inactive' };
  if (row.locked_until !== null && row.locked_until > now.toISOString()) return { kind: 'locked', until: row.locked_until };
  return { kind: 'ok', user: info(row) };
}

/** Deactivates or re-activates a user (never deleted: audit rows name them). Audited. */
export function setUserActive(db: Db, userId: string, active: boolean, actor: string, at = new Date()): UserInfo {
  return db.transaction(() => {
    const changed = db.prepare('UPDATE users SET active = ? WHERE id = ?').run(active ? 1 : 0, userId).changes;
    if (changed === 0) throw new StoreError('NOT_FOUND', `用户 ${userId} 不存在 (unknown user)`);
    appendAudit(db, { actor, action: active ? 'user.activate' : 'user.deactivate', subject: userId, at: at.toISOString() });
    return getUser(db, userId) as UserInfo;
  })();
}
