/**
 * A typed client of the local API for the browser (renderer) and for Node scripts and tests: `fetch` and the
 * standard `WebSocket` only, no imports but the contract. Same-origin in the browser (baseUrl ''), the token
 * cookie and session cookie go along by themselves; elsewhere pass `token` (sent as Bearer) and the client keeps
 * the session id from `login` and sends it as X-Wuma-Session.
 */
import {
  API_OPERATIONS, PUSH_PROTOCOL, SESSION_HEADER, SESSION_SUBPROTOCOL_PREFIX, TOKEN_SUBPROTOCOL_PREFIX,
  type ApiContract, type ApiErrorBody, type ApiErrorCode, type OperationId, type PushMessage, type PushTopic,
} from './contract.ts';

type Part<K extends OperationId, F extends string> = ApiContract[K] extends Record<F, infer V> ? V : never;

/** What a call needs: path params, query and body exactly as the contract says (omitted when the operation has none). */
export type CallInput<K extends OperationId> =
  & ([Part<K, 'params'>] extends [never] ? unknown : { readonly params: Part<K, 'params'> })
  & ([Part<K, 'query'>] extends [never] ? { readonly query?: NonNullable<ApiContract[K] extends { query?: infer Q } ? Q : never> } : { readonly query: Part<K, 'query'> })
  & ([Part<K, 'body'>] extends [never] ? unknown : { readonly body: Part<K, 'body'> });

export type CallResult<K extends OperationId> = ApiContract[K]['response'];

/** A refusal from the API, with its literal code, field errors and details. */
export class ApiCallError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly errors: ApiErrorBody['errors'];
  readonly details: unknown;
  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiCallError';
    this.status = status;
    this.code = body.code;
    this.errors = body.errors;
    this.details = body.details;
  }
}

export interface ApiClientOptions {
  /** `http://127.0.0.1:PORT`, or '' for same-origin in the browser. */
  readonly baseUrl?: string;
  /** The per-launch token (desktop main process, scripts); omit in the browser, where the cookie carries it. */
  readonly token?: string;
  readonly fetch?: typeof fetch;
}

export interface PushConnection {
  close(): void;
  /** Resolves once the server's `hello` arrived. */
  readonly ready: Promise<void>;
}

export interface PushOptions {
  readonly topics?: readonly PushTopic[];
  readonly onMessage: (message: PushMessage) => void;
  readonly onClose?: (code: number, reason: string) => void;
}

function fillPath(path: string, params: Readonly<Record<string, string | number>> | undefined): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(params?.[name] ?? '')));
}

function queryString(query: Readonly<Record<string, unknown>> | undefined): string {
  const entries = Object.entries(query ?? {}).filter(([, v]) => v !== undefined && v !== null);
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}`;
}

export class ApiClient {
  readonly #base: string;
  readonly #token: string | undefined;
  readonly #fetch: typeof fetch;
  #session: string | null = null;

  constructor(options: ApiClientOptions = {}) {
    this.#base = (options.baseUrl ?? '').replace(/\/$/, '');
    this.#token = options.token;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  get sessionId(): string | null {
    return this.#session;
  }

  setSession(id: string | null): void {
    this.#session = id;
  }

  #headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...(this.#token === undefined ? {} : { authorization: `Bearer ${this.#token}` }),
      ...(this.#session === null ? {} : { [SESSION_HEADER]: this.#session }),
      ...extra,
    };
  }

  /** The URL of an operation (for links and downloads). */
  url<K extends OperationId>(op: K, input?: CallInput<K>): string {
    const i = (input ?? {}) as { params?: Record<string, string | number>; query?: Record<string, unknown> };
    return `${this.#base}${fillPath(API_OPERATIONS[op].path, i.params)}${queryString(i.query)}`;
  }

  async #send(op: OperationId, input: unknown, body: BodyInit | undefined, contentType: string | undefined, extraHeaders: Record<string, string> = {}): Promise<Response> {
    const response = await this.#fetch(this.url(op, input as never), {
      method: API_OPERATIONS[op].method,
      headers: this.#headers({ ...(contentType === undefined ? {} : { 'content-type': contentType }), ...extraHeaders }),
      ...(body === undefined ? {} : { body }),
      credentials: 'same-origin',
    });
    if (!response.ok) {
      const text = await response.text();
      let parsed: ApiErrorBody;
      try { parsed = JSON.parse(text) as ApiErrorBody; } catch { parsed = { ok: false, code: 'INTERNAL', message: `HTTP ${response.status}` }; }
      throw new ApiCallError(response.status, parsed);
    }
    return response;
  }

  /** Calls one operation; resolves with its typed response or throws ApiCallError. `login` keeps the session id. */
  async call<K extends OperationId>(op: K, ...args: {} extends CallInput<K> ? [input?: CallInput<K>] : [input: CallInput<K>]): Promise<CallResult<K>> {
    const input = (args[0] ?? {}) as { body?: unknown };
    const response = await this.#send(op, input, input.body === undefined ? undefined : JSON.stringify(input.body), input.body === undefined ? undefined : 'application/json');
    const result = (await response.json()) as CallResult<K>;
    if (op === 'login') this.#session = (result as CallResult<'login'>).sessionId;
    if (op === 'logout') this.#session = null;
    return result;
  }

  /** A report download (CSV / PDF) as bytes. */
  async download(batchId: number, format: 'csv' | 'pdf'): Promise<{ contentType: string; fileName: string; data: ArrayBuffer }> {
    const response = await this.#send('batchReport', { params: { batchId }, query: { format } }, undefined, undefined);
    const disposition = response.headers.get('content-disposition') ?? '';
    return { contentType: response.headers.get('content-type') ?? '', fileName: /filename="([^"]+)"/.exec(disposition)?.[1] ?? `report.${format}`, data: await response.arrayBuffer() };
  }

  /** Uploads a code package file; follow progress with `connectPush` on topic `import` and the same importId. */
  async importPackage(query: ApiContract['importPackage']['query'], file: Blob | ArrayBuffer | Uint8Array, passphrase?: string): Promise<CallResult<'importPackage'>> {
    const body = file instanceof Uint8Array ? new Blob([file as Uint8Array<ArrayBuffer>]) : file;
    const response = await this.#send('importPackage', { query }, body, 'application/octet-stream', passphrase === undefined ? {} : { 'x-wuma-package-passphrase': passphrase });
    return (await response.json()) as CallResult<'importPackage'>;
  }

  /** Opens /api/ws. In the browser the cookies authenticate; elsewhere the token rides as a sub-protocol. */
  connectPush(options: PushOptions): PushConnection {
    const base = this.#base === '' ? globalThis.location.origin : this.#base;
    const url = `${base.replace(/^http/, 'ws')}/api/ws`;
    const protocols = [PUSH_PROTOCOL];
    if (this.#token !== undefined) protocols.push(`${TOKEN_SUBPROTOCOL_PREFIX}${this.#token}`);
    if (this.#session !== null) protocols.push(`${SESSION_SUBPROTOCOL_PREFIX}${this.#session}`);
    const ws = new WebSocket(url, protocols);
    let resolveReady: () => void = () => {};
    let rejectReady: (error: Error) => void = () => {};
    const ready = new Promise<void>((resolve, reject) => { resolveReady = resolve; rejectReady = reject; });
    ws.addEventListener('open', () => {
      if (options.topics !== undefined) ws.send(JSON.stringify({ type: 'subscribe', topics: options.topics }));
    });
    ws.addEventListener('message', (event: MessageEvent) => {
      const message = JSON.parse(String(event.data)) as PushMessage;
      if (message.type === 'hello') resolveReady();
      options.onMessage(message);
    });
    ws.addEventListener('close', (event: CloseEvent) => {
      rejectReady(new Error(`WebSocket closed before hello (${event.code})`));
      options.onClose?.(event.code, event.reason);
    });
    ready.catch(() => undefined);
    return { ready, close: () => { ws.close(); } };
  }
}
