import type { CaptureLimits } from '../contract.ts';
import { SyncError } from '../errors.ts';
import { classifyPoll, classifyPost, readLimits, type PollOutcome, type PostOutcome } from './classify-response.ts';
import { HttpExchange } from './http-exchange.ts';

export interface CaptureClientOptions {
  /** The EPCIS REST root, e.g. `https://hq.example/epcis/`; capture is `<root>/capture`. */
  readonly url: string;
  /** Bearer token, read before every request so a replaced token file takes effect. */
  readonly token?: () => string | undefined;
  /** Whole-request deadline, ms. */
  readonly timeoutMs: number;
}

export type DiscoverOutcome =
  | { readonly kind: 'limits'; readonly limits: Partial<CaptureLimits> }
  | { readonly kind: 'unauthorized'; readonly status: number; readonly reason: string }
  | { readonly kind: 'retry'; readonly reason: string };

function networkReason(error: unknown): string {
  if (error instanceof SyncError) return error.message;
  throw error;
}

/**
 * The EPCIS 2.0 REST capture client (EPCIS 2.0 §12; gs1-epcis/REST-Bindings/openapi.yaml): `OPTIONS /capture`
 * for the limits, `POST /capture` of an EPCISDocument with `GS1-Capture-Error-Behaviour: rollback`, and
 * `GET` of the job `Location`. Outcomes are values; only bugs throw.
 */
export class CaptureClient {
  readonly #capture: URL;
  readonly #token: (() => string | undefined) | undefined;
  readonly #http: HttpExchange;

  constructor(options: CaptureClientOptions) {
    const root = new URL(options.url);
    if (!root.pathname.endsWith('/')) root.pathname = `${root.pathname}/`;
    this.#capture = new URL('capture', root);
    this.#token = options.token;
    this.#http = new HttpExchange({ timeoutMs: options.timeoutMs });
  }

  get captureUrl(): string {
    return this.#capture.href;
  }

  #headers(extra: Record<string, string> = {}): Record<string, string> {
    const token = this.#token?.();
    return {
      accept: 'application/json, application/problem+json',
      'gs1-epcis-version': '2.0.0',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...extra,
    };
  }

  /** `OPTIONS /capture` → 204 with `GS1-EPCIS-Capture-Limit` / `GS1-EPCIS-Capture-File-Size-Limit`. */
  async discover(signal?: AbortSignal): Promise<DiscoverOutcome> {
    try {
      const res = await this.#http.request('OPTIONS', this.#capture, this.#headers(), undefined, signal);
      if (res.status === 401 || res.status === 403) return { kind: 'unauthorized', status: res.status, reason: `HTTP ${res.status}` };
      if (res.status >= 200 && res.status < 300) return { kind: 'limits', limits: readLimits(res.headers) };
      return { kind: 'retry', reason: `OPTIONS /capture → HTTP ${res.status}` };
    } catch (error) {
      return { kind: 'retry', reason: networkReason(error) };
    }
  }

  /**
   * `POST /capture` of one EPCISDocument (the exact bytes given). `eventIds` in document order. `onSent` runs
   * once the request is on the wire (see HttpExchange.request).
   */
  async post(document: string | Uint8Array, eventIds: readonly string[], signal?: AbortSignal, onSent?: () => void): Promise<PostOutcome> {
    try {
      const res = await this.#http.request('POST', this.#capture, this.#headers({
        'content-type': 'application/ld+json',
        'gs1-capture-error-behaviour': 'rollback',
      }), document, signal, onSent);
      return classifyPost(res, this.#capture, eventIds);
    } catch (error) {
      return { kind: 'retry', reason: networkReason(error) };
    }
  }

  /** `GET` of a capture job's Location. */
  async poll(job: URL, eventIds: readonly string[], signal?: AbortSignal): Promise<PollOutcome> {
    try {
      const res = await this.#http.request('GET', job, this.#headers(), undefined, signal);
      return classifyPoll(res, eventIds);
    } catch (error) {
      return { kind: 'retry', reason: networkReason(error) };
    }
  }

  close(): void {
    this.#http.close();
  }
}
