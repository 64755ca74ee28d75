import type { ApiErrorCode } from './contract.ts';

/** HTTP status of each error code: one table, so a code always answers with the same status. */
export const ERROR_STATUS: Readonly<Record<ApiErrorCode, number>> = {
  BAD_REQUEST: 400, UNAUTHORIZED: 401, NO_SESSION: 401, SESSION_EXPIRED: 401, AUTH_FAILED: 401,
  FORBIDDEN_HOST: 403, FORBIDDEN_ORIGIN: 403, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, INVALID_STATE: 409,
  SIGNATURE_REQUIRED: 409, NO_STATION: 409, TOO_LARGE: 413, UNSUPPORTED_MEDIA_TYPE: 415, LOCKED_OUT: 423,
  LOGIN_THROTTLED: 429, INTERNAL: 500,
};

const STORE_CODES: Readonly<Record<string, ApiErrorCode>> = {
  NOT_FOUND: 'NOT_FOUND', CONFLICT: 'CONFLICT', INVALID_INPUT: 'BAD_REQUEST', INVALID_STATE: 'INVALID_STATE', AUTH_FAILED: 'AUTH_FAILED',
  LOCKED_OUT: 'LOCKED_OUT', FORBIDDEN: 'FORBIDDEN',
};

/** The API error code of a store refusal (edge/store/errors.ts StoreErrorCode); anything unexpected is INTERNAL. */
export function apiCodeOfStore(code: string): ApiErrorCode {
  return STORE_CODES[code] ?? 'INTERNAL';
}

/**
 * An expected refusal of the API, answered as `ApiErrorBody` with the status of its code. Messages are
 * Simplified Chinese first with English in parentheses, and never hold a PIN, badge, token or secret code.
 */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly errors: readonly { readonly path: string; readonly message: string }[] | undefined;
  readonly details: unknown;
  constructor(code: ApiErrorCode, message: string, extra: { errors?: readonly { path: string; message: string }[]; details?: unknown; cause?: unknown } = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.errors = extra.errors;
    this.details = extra.details;
  }
}

/** A broken invariant inside the API layer: a bug, answered as 500 INTERNAL without details. */
export class ApiBugError extends Error {
  readonly code = 'BUG' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApiBugError';
  }
}

export type ApiStartErrorCode = 'BIND_REFUSED' | 'BAD_OPTIONS';

/** startApi refused its options (a LAN bind without the flag and TLS, a bad port…); nothing was opened. */
export class ApiStartError extends Error {
  readonly code: ApiStartErrorCode;
  constructor(code: ApiStartErrorCode, message: string) {
    super(message);
    this.name = 'ApiStartError';
    this.code = code;
  }
}
