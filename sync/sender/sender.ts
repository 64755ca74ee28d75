import { getRandomValues } from 'node:crypto';
import type { CaptureLimits, CaptureResult, OutboxEntry, OutboxSource, SyncEvent, SyncState, SyncSummary } from '../contract.ts';
import { SyncBugError } from '../errors.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';
import { CaptureClient } from './capture-client.ts';
import { syncTransition } from './state-machine.ts';
import { takeBatch, type DocumentSize } from './take-batch.ts';

/** Time and chance, injected so tests drive backoff and polling without real waits. */
export interface SenderClock {
  now(): number;
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** Uniform in [0, 1). */
  random(): number;
}

export type SyncLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type SyncLog = (level: SyncLogLevel, message: string, fields?: Readonly<Record<string, unknown>>) => void;

/** Builds the capture document from frozen bodies, verbatim and deterministically (sync/epcis `captureDocument`). */
export type AssembleDocument = (bodies: readonly string[], creationDate: string) => string;

export interface SenderOptions {
  readonly outbox: OutboxSource;
  /** EPCIS REST root of headquarters (capture at `<url>/capture`). */
  readonly url: string;
  readonly assemble: AssembleDocument;
  readonly token?: () => string | undefined;
  readonly clock?: SenderClock;
  readonly log?: SyncLog;
  /** Whole-request deadline, ms (default 15 000): a blackholed link fails after this. */
  readonly timeoutMs?: number;
  readonly backoff?: BackoffPolicy;
  /** How often an idle sender looks for new outbox rows, ms (default 500). */
  readonly idlePollMs?: number;
  /** How often an unauthorized sender re-reads its token, ms (default 5 000). */
  readonly tokenPollMs?: number;
  /**
   * First and largest gap between capture-job polls, ms (default 2 → 100, doubling). A job seen late holds the next
   * POST back (capture order): with a 1 000 ms ceiling a 300 ms job was seen at ~510 ms, half the drain rate.
   */
  readonly jobPollMs?: { readonly min: number; readonly max: number };
  /** A job still running after this long is given up and the batch resent (idempotent), ms (default 120 000). */
  readonly jobDeadlineMs?: number;
  /** Limits when OPTIONS gives none (default OpenEPCIS CE's 100 events / 100 000 bytes, notes/standards §1.8). */
  readonly fallbackLimits?: CaptureLimits;
  /** Our own ceiling on events per request, whatever the receiver allows (default 10 000). */
  readonly maxEventsPerRequest?: number;
  /**
   * Our own ceiling on capture document bytes, whatever the receiver allows (default 2 MiB). It bounds the
   * sender's memory: at most two documents are held at once (the one on the wire and the one cut ahead), so the
   * sender's size does not depend on the backlog or on a generous receiver (issue 12).
   */
  readonly maxBytesPerRequest?: number;
  /**
   * Events per request to start with (default 2 000). The ceiling doubles, up to `maxEventsPerRequest` and the
   * receiver's limit, after each full batch that was accepted within an eighth of `timeoutMs`, so a slow link
   * keeps small requests. It never shrinks on a failure: a resend is cut under the same ceiling (same bytes).
   */
  readonly startEventsPerRequest?: number;
  /** Called on every state change (the alarm for IT hangs off `unauthorized`). */
  readonly onState?: (state: SyncState, detail: string | undefined) => void;
}

export interface RunOptions {
  /** Stop once the queue is empty (or the sender is unauthorized) instead of waiting for new rows. */
  readonly once?: boolean;
  readonly signal?: AbortSignal;
}

const realClock: SenderClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => new Promise<void>((resolve) => {
    if (signal.aborted) { resolve(); return; }
    const done = (): void => { clearTimeout(timer); signal.removeEventListener('abort', done); resolve(); };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  }),
  random: () => (getRandomValues(new Uint32Array(1))[0] ?? 0) / 2 ** 32,
};

const SIZE_PROBE_DATE = '2000-01-01T00:00:00.000Z';
const DEFAULT_MAX_BYTES = 2 * 2 ** 20;

/**
 * What the sender keeps of a row once its document is built: the frozen body lives on only inside the document
 * bytes (a resend reuses those bytes; a batch cut again re-reads the rows).
 */
type SentEntry = Pick<OutboxEntry, 'id' | 'eventId' | 'eventType'>;

/** A batch with its capture document, ready to POST. */
interface Prepared {
  readonly entries: readonly SentEntry[];
  /** The capture document, UTF-8 encoded once. */
  readonly document: Buffer;
  /** The ceilings it was cut under; a batch prepared ahead under other ceilings is cut again. */
  readonly maxEvents: number;
  readonly maxBytes: number;
}

/** States worth telling `wuma sync status` about; the others are the normal churn of every batch. */
const NOTED_STATES: ReadonlySet<SyncState> = new Set(['backoff', 'unauthorized', 'stopped']);

/**
 * The store-and-forward sender: reads pending outbox rows in id order, ships them as EPCIS capture documents
 * under the receiver's limits, follows each capture job to its end and records headquarters' verdict.
 *
 * Guarantees (issue 5, notes/reliability-security §4):
 * - A row becomes confirmed only after a job finished with success (or the receiver said it already holds that
 *   eventID); a crash anywhere before that leaves it pending, and the resend is the same frozen bytes.
 * - The document for a given set of rows is byte-identical on every attempt: bodies verbatim, creationDate
 *   taken from the rows (the newest createdAt), never from the clock.
 * - A poison event never blocks the queue: named offenders are quarantined with the server's reason at once;
 *   unnamed ones are found by halving the batch until a single event is rejected, and it is quarantined.
 * - 413 halves the request size for the rest of the run; 401/403 stop all sending until the token changes.
 * - Capture order is kept: one request at a time, and batch N+1 is POSTed only after batch N's capture job
 *   finished with success (a packing event must reach headquarters after the commissioning of its children).
 *
 * Throughput: the sender's own work overlaps the receiver's. While POST N is in flight the sender writes the
 * confirmation of batch N-1 and cuts and assembles batch N+1 (the pending rows after N's last id), so on
 * success the next POST leaves at once. A batch prepared ahead is dropped on any other outcome and cut again
 * from the queue. Confirmations so written late are still only written after success; a crash before they are
 * written leaves rows pending, and their resend is idempotent (the receiver dedupes by eventID).
 */
export class Sender {
  readonly #o: SenderOptions;
  readonly #clock: SenderClock;
  readonly #client: CaptureClient;
  #state: SyncState = 'discovering';
  #limits: CaptureLimits | undefined;
  #size: DocumentSize | undefined;
  /** Ceiling after 413s; kept for the run. */
  #limitCap = Number.POSITIVE_INFINITY;
  /** Ceiling grown from `startEventsPerRequest` on fast successes (see SenderOptions). */
  #growCap: number;
  /** Clock time the current batch's POST started, for the growth rule. */
  #postedAt = 0;
  /** Ceiling while bisecting an unattributed rejection; grows back after each success. */
  #bisectCap = Number.POSITIVE_INFINITY;
  #failures = 0;
  #badToken: string | undefined;
  /** The last troubled state written with noteState, until a healthy state clears it. */
  #noted: SyncState | undefined = 'stopped';
  #batch: Prepared | undefined;
  /** The batch after #batch, cut and assembled while #batch was on the wire. */
  #ahead: Prepared | undefined;
  /** Ids headquarters accepted that are not yet marked confirmed (written during the next POST). */
  #unconfirmed: number[] = [];
  #job: URL | undefined;
  #jobDeadline = 0;
  #pollGap = 0;
  #summary = { confirmed: 0, quarantined: 0, requests: 0, retries: 0, bytesSent: 0 };

  constructor(options: SenderOptions) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
    this.#growCap = Math.min(options.startEventsPerRequest ?? 2_000, options.maxEventsPerRequest ?? 10_000);
    this.#client = new CaptureClient({ url: options.url, timeoutMs: options.timeoutMs ?? 15_000, ...(options.token ? { token: options.token } : {}) });
  }

  get state(): SyncState {
    return this.#state;
  }

  get summary(): SyncSummary {
    return { ...this.#summary, state: this.#state };
  }

  #log(level: SyncLogLevel, message: string, fields?: Record<string, unknown>): void {
    this.#o.log?.(level, message, fields);
  }

  #go(event: SyncEvent, detail?: string): void {
    const next = syncTransition(this.#state, event);
    if (next !== this.#state) this.#o.onState?.(next, detail);
    // Persisted only on health edges (trouble starts / ends), so the steady state costs no extra fsync per batch.
    const troubled = NOTED_STATES.has(next);
    if (troubled ? next !== this.#noted : this.#noted !== undefined && (next === 'idle' || next === 'sending')) {
      this.#o.outbox.noteState(next, new Date(this.#clock.now()).toISOString(), detail);
      this.#noted = troubled ? next : undefined;
    }
    this.#state = next;
  }

  /** Runs until stopped (signal) or, with `once`, until the queue is drained. Closes its connections on return. */
  async run(options: RunOptions = {}): Promise<SyncSummary> {
    const signal = options.signal ?? new AbortController().signal;
    this.#state = 'discovering';
    try {
      while (!this.#stopped()) {
        if (signal.aborted) { this.#go('stop', '已停止 (stopped)'); break; }
        await this.#step(signal, options.once === true);
      }
      this.#flushConfirmed();
    } finally {
      this.#client.close();
    }
    return this.summary;
  }

  #stopped(): boolean {
    return this.#state === 'stopped';
  }

  async #step(signal: AbortSignal, once: boolean): Promise<void> {
    switch (this.#state) {
      case 'discovering': {
        const r = await this.#client.discover(signal);
        if (signal.aborted) return;
        if (r.kind === 'limits') {
          const fb = this.#o.fallbackLimits ?? { maxEvents: 100, maxBytes: 100_000 };
          this.#limits = { maxEvents: r.limits.maxEvents ?? fb.maxEvents, maxBytes: r.limits.maxBytes ?? fb.maxBytes };
          this.#log('info', '读取接收方上限 (capture limits read)', { ...this.#limits });
          this.#go('limits-read');
        } else if (r.kind === 'unauthorized') {
          this.#unauthorized(r.reason);
        } else {
          this.#failures += 1;
          this.#summary.retries += 1;
          this.#log('warn', '连接总部失败，稍后重试 (headquarters unreachable, will retry)', { reason: r.reason });
          this.#go('retry', r.reason);
        }
        return;
      }
      case 'idle': {
        let batch = this.#takeAhead();
        if (batch === undefined) {
          this.#flushConfirmed();
          batch = this.#prepare(0);
        }
        if (batch === undefined) {
          if (once) { this.#go('stop', '队列已清空 (queue drained)'); return; }
          this.#go('queue-empty');
          await this.#clock.sleep(this.#o.idlePollMs ?? 500, signal);
          return;
        }
        this.#batch = batch;
        this.#go('work-found');
        return;
      }
      case 'sending': {
        const current = this.#mustBatch();
        const entries = current.entries;
        this.#summary.requests += 1;
        this.#summary.bytesSent += current.document.byteLength;
        this.#postedAt = this.#clock.now();
        let onWire: () => void = () => {};
        const sent = new Promise<undefined>((resolve) => { onWire = () => { resolve(undefined); }; });
        const answer = this.#client.post(current.document, entries.map((e) => e.eventId), signal, onWire);
        const early = await Promise.race([sent, answer]);
        // The request is with the receiver (or already answered): do our SQLite and assembly work now, not
        // between two requests. Only POSTs still in flight get a batch prepared behind them.
        this.#flushConfirmed();
        if (early === undefined && !signal.aborted) this.#ahead = this.#prepare(entries.at(-1)?.id ?? 0);
        const r = early ?? await answer;
        if (signal.aborted) return;
        if (r.kind === 'posted') {
          this.#job = r.job;
          this.#jobDeadline = this.#clock.now() + (this.#o.jobDeadlineMs ?? 120_000);
          this.#pollGap = 0;
          this.#go('posted');
        } else {
          this.#settle(r);
        }
        return;
      }
      case 'polling': {
        const batch = this.#mustBatch();
        if (this.#pollGap > 0) await this.#clock.sleep(this.#pollGap, signal);
        if (signal.aborted) return;
        const job = this.#job;
        if (job === undefined) throw new Error('polling without a job');
        const r = await this.#client.poll(job, batch.entries.map((e) => e.eventId), signal);
        if (signal.aborted) return;
        if (r.kind === 'running') {
          if (this.#clock.now() > this.#jobDeadline) {
            this.#settle({ kind: 'retry', reason: `上传任务超时未完成 (capture job still running after ${this.#o.jobDeadlineMs ?? 120_000} ms)` });
            return;
          }
          const gaps = this.#o.jobPollMs ?? { min: 2, max: 100 };
          this.#pollGap = this.#pollGap === 0 ? gaps.min : Math.min(gaps.max, this.#pollGap * 2);
          this.#go('job-running');
          return;
        }
        this.#settle(r);
        return;
      }
      case 'backoff': {
        const delay = backoffDelay(this.#failures, this.#o.backoff ?? DEFAULT_BACKOFF, () => this.#clock.random());
        await this.#clock.sleep(delay, signal);
        if (signal.aborted) return;
        this.#go('backoff-elapsed');
        return;
      }
      case 'unauthorized': {
        if (once) { this.#go('stop', '未授权，已停止 (unauthorized, stopped)'); return; }
        await this.#clock.sleep(this.#o.tokenPollMs ?? 5_000, signal);
        if (signal.aborted) return;
        const token = this.#o.token?.();
        if (token !== undefined && token !== this.#badToken) {
          this.#log('info', '令牌已更换，恢复上传 (new token, resuming)');
          this.#go('new-token');
        }
        return;
      }
      case 'stopped':
        return;
    }
  }

  #mustBatch(): Prepared {
    if (this.#batch === undefined) throw new Error(`state ${this.#state} without a batch`);
    return this.#batch;
  }

  #limitsNow(): { maxEvents: number; maxBytes: number } {
    const limits = this.#limits;
    if (limits === undefined) throw new SyncBugError('cutting a batch without limits');
    const maxEvents = Math.max(1, Math.min(limits.maxEvents, this.#growCap, this.#limitCap, this.#bisectCap));
    return { maxEvents, maxBytes: Math.min(limits.maxBytes, this.#o.maxBytesPerRequest ?? DEFAULT_MAX_BYTES) };
  }

  /** The next batch of pending rows after `afterId` with its document, or undefined when there are none. */
  #prepare(afterId: number): Prepared | undefined {
    const { maxEvents, maxBytes } = this.#limitsNow();
    const entries = this.#o.outbox.peek(afterId, maxEvents);
    if (entries.length === 0) return undefined;
    const batch = takeBatch(entries, maxEvents, maxBytes, this.#documentSize(), (e) => Buffer.byteLength(e.body));
    const document = Buffer.from(this.#document(batch.entries));
    return { entries: batch.entries.map(({ id, eventId, eventType }) => ({ id, eventId, eventType })), document, maxEvents, maxBytes };
  }

  /**
   * The batch prepared during the last POST, if it still fits the ceilings. Rows only ever leave `pending`
   * through this sender, so the pending rows after the accepted batch are still exactly these (new rows come
   * after them and wait for the next batch).
   */
  #takeAhead(): Prepared | undefined {
    const ahead = this.#ahead;
    this.#ahead = undefined;
    if (ahead === undefined) return undefined;
    const { maxEvents, maxBytes } = this.#limitsNow();
    return ahead.maxEvents === maxEvents && ahead.maxBytes === maxBytes ? ahead : undefined;
  }

  /** The growth rule of `startEventsPerRequest`: a full batch accepted quickly doubles the ceiling. */
  #grow(events: number): void {
    const max = this.#o.maxEventsPerRequest ?? 10_000;
    if (this.#growCap >= max || events < this.#growCap) return;
    if (this.#clock.now() - this.#postedAt > (this.#o.timeoutMs ?? 15_000) / 8) return;
    this.#growCap = Math.min(max, this.#growCap * 2);
    this.#log('debug', '请求很快被接受，加大批次 (fast acceptance; larger batches)', { events: this.#growCap });
  }

  /** Writes confirmations headquarters already gave (one short transaction). */
  #flushConfirmed(): void {
    if (this.#unconfirmed.length === 0) return;
    const ids = this.#unconfirmed;
    this.#unconfirmed = [];
    this.#o.outbox.markConfirmed(ids, new Date(this.#clock.now()).toISOString());
  }

  #documentSize(): DocumentSize {
    if (this.#size === undefined) {
      const bytes = (bodies: string[]): number => Buffer.byteLength(this.#o.assemble(bodies, SIZE_PROBE_DATE));
      const one = bytes(['']);
      this.#size = { envelope: bytes([]), separator: bytes(['', '']) - one };
    }
    return this.#size;
  }

  /** The capture document of these rows: deterministic, so every resend of the same rows is byte-identical. */
  #document(entries: readonly OutboxEntry[]): string {
    let creation = '';
    for (const e of entries) if (e.createdAt > creation) creation = e.createdAt;
    return this.#o.assemble(entries.map((e) => e.body), creation);
  }

  #unauthorized(reason: string): void {
    this.#badToken = this.#o.token?.();
    this.#log('error', '总部拒绝了凭据，已停止上传，请更换令牌 (headquarters refused the credentials; sending stopped until a new token)', { reason });
    this.#go('unauthorized', reason);
  }

  /** Records headquarters' verdict on the current batch and moves on. */
  #settle(r: CaptureResult): void {
    const batch = this.#mustBatch();
    const at = new Date(this.#clock.now()).toISOString();
    const ids = batch.entries.map((e) => e.id);
    if (r.kind !== 'accepted') {
      // The batch cut ahead assumed success; the rows of this one come first again.
      this.#ahead = undefined;
      this.#flushConfirmed();
    }
    switch (r.kind) {
      case 'accepted':
        // With a batch prepared ahead, written while that one is on the wire; with none, written now, so a
        // sender that goes idle with an empty queue has every confirmation on disk.
        for (const id of ids) this.#unconfirmed.push(id);
        if (this.#ahead === undefined) this.#flushConfirmed();
        this.#grow(batch.entries.length);
        this.#summary.confirmed += ids.length;
        this.#failures = 0;
        if (Number.isFinite(this.#bisectCap)) this.#bisectCap = this.#bisectCap * 2 >= (this.#limits?.maxEvents ?? 0) ? Number.POSITIVE_INFINITY : this.#bisectCap * 2;
        this.#go('accepted');
        break;
      case 'rejected': {
        this.#failures = 0;
        if (r.events.length > 0) {
          const byEvent = new Map(batch.entries.map((e) => [e.eventId, e]));
          const delivered: number[] = [];
          for (const rej of r.events) {
            const entry = byEvent.get(rej.eventId);
            if (entry === undefined) continue;
            if (rej.alreadyExists) {
              delivered.push(entry.id);
            } else {
              this.#quarantine(entry, rej.reason, at);
            }
          }
          if (delivered.length > 0) {
            this.#o.outbox.markConfirmed(delivered, at);
            this.#summary.confirmed += delivered.length;
          }
        } else if (batch.entries.length === 1 && batch.entries[0] !== undefined) {
          this.#quarantine(batch.entries[0], r.reason, at);
        } else {
          this.#bisectCap = Math.max(1, Math.floor(batch.entries.length / 2));
          this.#log('warn', '整批被拒且未指明事件，二分查找问题事件 (batch rejected without naming events; bisecting)', { events: batch.entries.length, reason: r.reason });
        }
        this.#go('rejected', r.reason);
        break;
      }
      case 'too-large': {
        if (r.limits?.maxEvents !== undefined || r.limits?.maxBytes !== undefined) {
          const l = this.#limits ?? { maxEvents: 1, maxBytes: 1 };
          this.#limits = { maxEvents: Math.min(l.maxEvents, r.limits.maxEvents ?? l.maxEvents), maxBytes: Math.min(l.maxBytes, r.limits.maxBytes ?? l.maxBytes) };
        }
        if (batch.entries.length === 1 && batch.entries[0] !== undefined) {
          this.#quarantine(batch.entries[0], '单个事件超过接收方大小上限 (413: a single event exceeds the receiver limit)', at);
        } else {
          this.#limitCap = Math.max(1, Math.floor(batch.entries.length / 2));
          this.#log('warn', '请求过大，批次减半 (413 capture limit exceeded; halving the batch)', { events: batch.entries.length, next: this.#limitCap });
        }
        this.#go('too-large');
        break;
      }
      case 'unauthorized':
        this.#unauthorized(r.reason);
        break;
      case 'retry':
        this.#failures += 1;
        this.#summary.retries += 1;
        this.#o.outbox.recordAttempt(ids, r.reason);
        this.#log('warn', '上传失败，稍后重发 (send failed, will resend the same bytes)', { events: ids.length, reason: r.reason, failures: this.#failures });
        this.#go('retry', r.reason);
        break;
    }
    if (this.#state !== 'polling') { this.#job = undefined; }
  }

  #quarantine(entry: SentEntry, reason: string, at: string): void {
    this.#o.outbox.quarantine(entry.id, reason, at);
    this.#summary.quarantined += 1;
    this.#log('error', '事件被总部拒收，已隔离，队列继续 (event rejected by headquarters, quarantined; queue continues)', { outboxId: entry.id, eventType: entry.eventType, reason });
  }
}
