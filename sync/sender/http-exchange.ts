import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { SyncError } from '../errors.ts';

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface HttpExchangeOptions {
  /** Whole-exchange deadline, ms: connect + send + full response. A blackholed link fails after this. */
  readonly timeoutMs: number;
  /** Largest response body accepted, bytes (a capture job with many errors is still far below). */
  readonly maxResponseBytes?: number;
}

/**
 * One HTTP request/response at a time over a keep-alive agent (plain http or https by URL). Every failure to get
 * a complete response (refused, reset, timed out, body too large, aborted) is a `SyncError('NETWORK')`: the
 * caller cannot know whether the server acted on the request, so it may only resend the same bytes.
 */
export class HttpExchange {
  readonly #timeoutMs: number;
  readonly #maxResponseBytes: number;
  readonly #http = new HttpAgent({ keepAlive: true, maxSockets: 4 });
  readonly #https = new HttpsAgent({ keepAlive: true, maxSockets: 4 });

  constructor(options: HttpExchangeOptions) {
    this.#timeoutMs = options.timeoutMs;
    this.#maxResponseBytes = options.maxResponseBytes ?? 16 * 2 ** 20;
  }

  /**
   * `onSent` is called once the whole request (headers and body) has been handed to the OS, i.e. while the
   * server works on it; the caller may do its own synchronous work then without delaying the request.
   */
  request(method: string, url: URL, headers: Record<string, string>, body?: string | Uint8Array, signal?: AbortSignal, onSent?: () => void): Promise<HttpResponse> {
    const secure = url.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | undefined, response?: HttpResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (error) {
          req.destroy();
          reject(error instanceof SyncError ? error : new SyncError('NETWORK', `网络错误: ${error.message} (network error: ${method} ${url.pathname})`, { cause: error }));
        } else if (response) {
          resolve(response);
        }
      };
      const onAbort = (): void => { finish(new SyncError('NETWORK', `请求已取消 (request aborted: ${method} ${url.pathname})`)); };
      const req = send(url, {
        method,
        agent: secure ? this.#https : this.#http,
        headers: body === undefined ? headers : { ...headers, 'content-length': String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength) },
      }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.#maxResponseBytes) {
            finish(new SyncError('PROTOCOL', `响应过大 (response larger than ${this.#maxResponseBytes} bytes: ${method} ${url.pathname})`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => { finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }); });
        res.on('error', (error) => { finish(error); });
        res.on('aborted', () => { finish(new Error('response aborted')); });
      });
      const timer = setTimeout(() => {
        finish(new SyncError('NETWORK', `请求超时 ${this.#timeoutMs} ms (timed out after ${this.#timeoutMs} ms: ${method} ${url.pathname})`));
      }, this.#timeoutMs);
      req.on('error', (error) => { finish(error); });
      if (onSent !== undefined) req.once('finish', () => { if (!settled) onSent(); });
      if (signal?.aborted) { onAbort(); return; }
      signal?.addEventListener('abort', onAbort, { once: true });
      req.end(body);
    });
  }

  /** Closes idle keep-alive sockets; in-flight requests fail with NETWORK. */
  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}
