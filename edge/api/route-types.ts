import type { IncomingMessage } from 'node:http';
import type { EpcisContext } from '../../sync/index.ts';
import type { Db } from '../store/open.ts';
import type { ApiContract, OperationId } from './contract.ts';
import type { ApiDevice } from './api-device.ts';
import type { CaptureSessions } from './capture-sessions.ts';
import type { ChangeFeed } from './change-feed.ts';
import type { JsonSchema } from './json-schema.ts';
import type { ApiLogger } from './logger.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { Session, SessionManager } from './session-manager.ts';
import type { StationLike } from './station-like.ts';

/** What every handler may use. Built once by startApi. */
export interface ApiDeps {
  readonly db: Db;
  readonly station: StationLike | undefined;
  readonly sessions: SessionManager;
  readonly throttle: LoginThrottle;
  readonly epcis: EpcisContext | undefined;
  readonly devices: readonly ApiDevice[];
  readonly logger: ApiLogger;
  readonly feed: ChangeFeed;
  /** Manual-capture sessions (at most one per batch), in this process's memory. */
  readonly captures: CaptureSessions;
  readonly uploadDir: string;
  readonly maxUploadBytes: number;
  readonly reportFont: string | undefined;
  /** Where this API answers, known once it listens: `local` as it was bound, `lan` the LAN URL in LAN mode (PDA pairing links). */
  readonly urls: { local: string; lan: string | null };
}

type Field<K extends OperationId, F extends string> = ApiContract[K] extends Record<F, infer V> ? V : ApiContract[K] extends Partial<Record<F, infer V>> ? V | undefined : undefined;

/** One validated request. `session` is non-null for every `access: 'session'` operation. */
export interface RouteInput<K extends OperationId> {
  readonly session: Session | null;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Field<K, 'query'>;
  readonly body: Field<K, 'body'>;
  readonly req: IncomingMessage;
}

/** Marks the two special results below; a plain object result is sent as JSON (and may have its own `kind`). */
export const SPECIAL = Symbol('wuma.api.response');

/** A download instead of JSON (report CSV / PDF). */
export interface FileResponse {
  readonly [SPECIAL]: 'file';
  readonly contentType: string;
  readonly fileName: string;
  readonly data: string | Buffer;
}

/** A JSON response with headers (login sets the session cookie). */
export interface JsonResponse<T> {
  readonly [SPECIAL]: 'json';
  readonly body: T;
  readonly headers?: Readonly<Record<string, string | string[]>>;
}

export function fileResponse(contentType: string, fileName: string, data: string | Buffer): FileResponse {
  return { [SPECIAL]: 'file', contentType, fileName, data };
}

export function jsonResponse<T>(body: T, headers?: Readonly<Record<string, string | string[]>>): JsonResponse<T> {
  return { [SPECIAL]: 'json', body, ...(headers === undefined ? {} : { headers }) };
}

export interface RouteImpl<K extends OperationId> {
  readonly body?: JsonSchema;
  readonly query?: JsonSchema;
  /** The request body is a file (streamed to disk), not JSON. */
  readonly upload?: boolean;
  handle(deps: ApiDeps, input: RouteInput<K>): ApiContract[K]['response'] | FileResponse | JsonResponse<ApiContract[K]['response']> | Promise<ApiContract[K]['response'] | FileResponse | JsonResponse<ApiContract[K]['response']>>;
}

export type RouteImpls<K extends OperationId> = { readonly [P in K]: RouteImpl<P> };

/** The session of a session-only route (the router guarantees it). */
export function sessionOf(input: { readonly session: Session | null }): Session {
  if (input.session === null) throw new Error('BUG: session route without a session');
  return input.session;
}
