import type { Disposable, Reader, ReaderConfig, ReaderIdentity, ReaderKind, ReaderState, ReadResult, RejectedPart, RejectReason, TriggerOptions, TriggerRef } from '../contract.ts';
import { assembleRead } from '../assemble-read.ts';
import { DuplicateWindow } from '../duplicate-window.ts';
import { DeviceOfflineError, InvalidStateError, ProtocolError, ScannerBugError, TimeoutError } from '../errors.ts';
import { DelimitedFramer, type ByteLink } from '../../links/index.ts';
import { ReaderStateMachine } from '../reader-state-machine.ts';
import type { FrameMeaning, LineDialect } from './line-dialect.ts';

export const DEFAULT_TRIGGER_TIMEOUT_MS = 2_000;
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
export const DEFAULT_INTER_CHAR_TIMEOUT_MS = 1_000;
const COMMAND_TIMEOUT_MS = 2_000;
const CLOSE_TIMEOUT_MS = 2_000;
/** Rejections kept for the next result; more are counted in one `too-many` summary entry so memory stays bounded. */
const MAX_PENDING_REJECTS = 32;

interface PendingTrigger {
  readonly ref: TriggerRef;
  readonly resolve: (result: ReadResult) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

interface PendingCommand {
  readonly resolve: (value: string | undefined) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * A reader that speaks a line/frame text protocol over a ByteLink (TCP, TCP-listen or serial). The dialect says
 * what the bytes mean; this class owns the timing:
 *
 * - one software trigger at a time; the first read or no-read frame after the trigger command is its result;
 * - no answer within `triggerTimeoutMs` → the stop command is sent, any partial frame is discarded (reported),
 *   and the trigger resolves as a `timeout` no-read (a result that arrives later is reported to `onRead` as
 *   an `external` read);
 * - a frame with no usable code (noise) does not answer a trigger; its rejections ride on the next result;
 * - frames that arrive with no trigger outstanding are `external` reads (photo-eye triggered readers);
 * - framing rejections (oversize, garbage) are attached to the next result, never dropped;
 * - the link breaking moves the reader to `faulted` and rejects an outstanding trigger with DeviceOfflineError.
 */
export class LineReader implements Reader {
  readonly kind: ReaderKind;
  readonly #config: ReaderConfig;
  readonly #dialect: LineDialect;
  readonly #connect: (signal?: AbortSignal) => Promise<ByteLink>;
  readonly #now: () => number;
  readonly #window: DuplicateWindow;
  readonly #readListeners = new Set<(result: ReadResult) => void>();
  readonly #machine = new ReaderStateMachine();
  #link: ByteLink | null = null;
  #framer: DelimitedFramer | null = null;
  #seq = 0;
  #trigger: PendingTrigger | null = null;
  #command: PendingCommand | null = null;
  #rejects: RejectedPart[] = [];
  /** Rejections past MAX_PENDING_REJECTS: counted (per reason, bytes), reported as one `too-many` entry. */
  #unlisted = { count: 0, bytes: 0, byReason: new Map<RejectReason, number>() };
  #closing: Promise<void> | null = null;
  #gapTimer: NodeJS.Timeout | null = null;

  constructor(config: ReaderConfig, dialect: LineDialect, connect: (signal?: AbortSignal) => Promise<ByteLink>) {
    this.kind = config.kind;
    this.#config = config;
    this.#dialect = dialect;
    this.#connect = connect;
    this.#now = config.now ?? Date.now;
    this.#window = new DuplicateWindow(config.duplicateWindowMs ?? 0);
  }

  get state(): ReaderState {
    return this.#machine.state;
  }

  async open(signal?: AbortSignal): Promise<void> {
    this.#machine.apply('open');
    this.#closing = null;
    let link: ByteLink;
    try {
      link = await this.#connect(signal);
    } catch (error) {
      if (this.#machine.state === 'opening') this.#machine.apply('open-failed');
      throw error;
    }
    if (this.#machine.state !== 'opening') {
      await link.close();
      throw new DeviceOfflineError('打开期间读码器已被关闭 (reader was closed while opening)');
    }
    const framer = new DelimitedFramer({ ...this.#dialect.framing, maxFrameBytes: this.#config.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES });
    this.#link = link;
    this.#framer = framer;
    link.onData((chunk) => { this.#onChunk(framer, chunk); });
    link.onClose((error) => { this.#onLinkClosed(link, error); });
    this.#machine.apply('opened');
  }

  async trigger(options: TriggerOptions = {}): Promise<ReadResult> {
    if (this.#machine.state !== 'ready') throw new InvalidStateError(`读码器状态为 ${this.#machine.state}，不能触发 (cannot trigger in state ${this.#machine.state})`);
    const on = this.#dialect.triggerOn;
    if (on === null) throw new InvalidStateError(`${this.#dialect.vendor} 读码器没有软件触发，请用外部触发 (reader has no software trigger)`);
    const link = this.#link;
    if (link === null) throw new ScannerBugError('ready without a link');
    this.#machine.apply('trigger');
    this.#seq += 1;
    const ref: TriggerRef = { id: this.#seq, source: 'software' };
    const timeoutMs = options.timeoutMs ?? this.#config.triggerTimeoutMs ?? DEFAULT_TRIGGER_TIMEOUT_MS;
    const result = new Promise<ReadResult>((resolve, reject) => {
      const timer = setTimeout(() => { this.#onTriggerTimeout(ref); }, timeoutMs);
      this.#trigger = { ref, resolve, reject, timer };
    });
    const onAbort = (): void => { this.#failTrigger(new DeviceOfflineError('触发已取消 (trigger aborted)')); };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await link.write(on);
    } catch (error) {
      this.#failTrigger(error instanceof Error ? error : new DeviceOfflineError(String(error)));
    }
    try {
      return await result;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  onRead(listener: (result: ReadResult) => void): Disposable {
    this.#readListeners.add(listener);
    return { dispose: () => { this.#readListeners.delete(listener); } };
  }

  onStateChange(listener: (state: ReaderState, previous: ReaderState) => void): Disposable {
    return this.#machine.onChange(listener);
  }

  async identify(): Promise<ReaderIdentity> {
    const configured = this.#config.options ?? {};
    const identity: { -readonly [K in keyof ReaderIdentity]: ReaderIdentity[K] } = { vendor: this.#dialect.vendor };
    if (typeof configured['model'] === 'string') identity.model = configured['model'];
    for (const query of this.#dialect.identityQueries ?? []) {
      if (this.#machine.state !== 'ready') throw new InvalidStateError(`读码器状态为 ${this.#machine.state} (reader is ${this.#machine.state})`);
      const value = await this.#sendCommand(query.command);
      if (value !== undefined && value.length > 0 && query.field !== 'vendor') identity[query.field] = value;
    }
    return identity;
  }

  close(): Promise<void> {
    if (this.#machine.state === 'closed') return Promise.resolve();
    if (this.#closing !== null) return this.#closing;
    this.#closing = this.#doClose();
    return this.#closing;
  }

  async #doClose(): Promise<void> {
    if (this.#machine.state !== 'closing') this.#machine.apply('close');
    if (this.#gapTimer !== null) clearTimeout(this.#gapTimer);
    this.#gapTimer = null;
    this.#failTrigger(new DeviceOfflineError('读码器已关闭 (reader closed)'));
    this.#failCommand(new DeviceOfflineError('读码器已关闭 (reader closed)'));
    const link = this.#link;
    this.#link = null;
    if (link !== null) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([link.close(), new Promise<void>((r) => { timer = setTimeout(r, CLOSE_TIMEOUT_MS); })]);
      clearTimeout(timer);
    }
    this.#machine.apply('closed');
  }

  #sendCommand(command: Uint8Array): Promise<string | undefined> {
    const link = this.#link;
    if (link === null || this.#command !== null) return Promise.reject(new InvalidStateError('另一条命令仍在等待应答 (another command is pending)'));
    return new Promise<string | undefined>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#command = null;
        reject(new TimeoutError(`读码器 ${COMMAND_TIMEOUT_MS} ms 内未应答 (reader did not answer the command)`));
      }, COMMAND_TIMEOUT_MS);
      this.#command = { resolve, reject, timer };
      link.write(command).catch((error: unknown) => { this.#failCommand(error instanceof Error ? error : new Error(String(error))); });
    });
  }

  #onChunk(framer: DelimitedFramer, chunk: Uint8Array): void {
    if (framer !== this.#framer) return;
    for (const out of framer.push(chunk)) {
      if (out.kind === 'rejected') {
        this.#addReject({ reason: out.reason, byteLength: out.byteLength, detail: out.detail });
        continue;
      }
      this.#onMeaning(this.#dialect.classify(out.bytes));
    }
    this.#armGapTimer(framer);
  }

  #armGapTimer(framer: DelimitedFramer): void {
    if (this.#gapTimer !== null) clearTimeout(this.#gapTimer);
    this.#gapTimer = null;
    if (!framer.midFrame) return;
    this.#gapTimer = setTimeout(() => {
      this.#gapTimer = null;
      if (framer !== this.#framer) return;
      for (const out of framer.flush()) if (out.kind === 'rejected') this.#addReject(out);
    }, this.#config.interCharTimeoutMs ?? DEFAULT_INTER_CHAR_TIMEOUT_MS);
  }

  #onMeaning(meaning: FrameMeaning): void {
    switch (meaning.kind) {
      case 'read':
      case 'no-read': {
        const pending = this.#trigger;
        let ref: TriggerRef;
        if (pending !== null) {
          ref = pending.ref;
        } else {
          this.#seq += 1;
          ref = { id: this.#seq, source: 'external' };
        }
        // The pending rejections go in only so the result's cause counts them; the frame's own ones follow
        // them and join the pending list, so the result carries at most the cap plus one summary.
        const listed = this.#rejects;
        const now = this.#now();
        const result: ReadResult = meaning.kind === 'read'
          ? assembleRead(meaning.payload, { trigger: ref, multi: this.#config.multi, window: this.#window, now, rejected: listed, count: meaning.count })
          : { kind: 'no-read', trigger: ref, cause: 'reader', suppressed: 0, rejected: listed, at: now };
        const own = result.rejected.slice(listed.length);
        for (const r of own) this.#addReject(r);
        // A frame with nothing usable (line noise with a terminator in it) is not the reader's answer: keep
        // its rejections for the real result, or for the timeout no-read. A count mismatch is an answer.
        if (result.kind === 'no-read' && result.cause === 'all-rejected' && !own.some((r) => r.reason === 'count-mismatch')) {
          if (pending === null) this.#seq -= 1;
          return;
        }
        this.#deliver({ ...result, rejected: this.#takeRejects() });
        return;
      }
      case 'ack': {
        const command = this.#command;
        if (command !== null) {
          this.#command = null;
          clearTimeout(command.timer);
          command.resolve(meaning.value);
        }
        return;
      }
      case 'error': {
        const error = new ProtocolError(`读码器拒绝命令: ${meaning.detail} (reader refused the command)`);
        if (this.#command !== null) this.#failCommand(error);
        else if (this.#trigger !== null) this.#failTrigger(error);
        else this.#addReject({ reason: 'protocol', byteLength: 0, detail: error.message });
        return;
      }
      case 'invalid':
        this.#addReject({ reason: 'protocol', byteLength: 0, detail: meaning.detail });
        return;
      case 'ignore':
        return;
    }
  }

  #deliver(result: ReadResult): void {
    const pending = this.#trigger;
    if (pending !== null && pending.ref === result.trigger) {
      this.#trigger = null;
      clearTimeout(pending.timer);
      this.#machine.apply('result');
      pending.resolve(result);
    }
    for (const l of this.#readListeners) l(result);
  }

  #onTriggerTimeout(ref: TriggerRef): void {
    const pending = this.#trigger;
    if (pending === null || pending.ref !== ref) return;
    const off = this.#dialect.triggerOff;
    if (off !== null && this.#link !== null) this.#link.write(off).catch(() => { /* the link-closed handler reports a broken link */ });
    // A partial frame left by a dropped or truncated answer must not glue onto the next answer (that would
    // make a wrong code): discard it, reported as a rejection of this trigger.
    for (const out of this.#framer?.flush() ?? []) if (out.kind === 'rejected') this.#addReject(out);
    this.#deliver({ kind: 'no-read', trigger: ref, cause: 'timeout', suppressed: 0, rejected: this.#takeRejects(), at: this.#now() });
  }

  #failTrigger(error: Error): void {
    const pending = this.#trigger;
    if (pending === null) return;
    this.#trigger = null;
    clearTimeout(pending.timer);
    if (this.#machine.state === 'triggered') this.#machine.apply('result');
    pending.reject(error);
  }

  #failCommand(error: Error): void {
    const command = this.#command;
    if (command === null) return;
    this.#command = null;
    clearTimeout(command.timer);
    command.reject(error);
  }

  #onLinkClosed(link: ByteLink, error: Error | undefined): void {
    if (link !== this.#link && this.#link !== null) return;
    const framer = this.#framer;
    if (framer !== null) for (const out of framer.flush()) if (out.kind === 'rejected') this.#addReject(out);
    if (this.#gapTimer !== null) clearTimeout(this.#gapTimer);
    this.#gapTimer = null;
    if (this.#machine.state === 'closing' || this.#machine.state === 'closed') return;
    this.#link = null;
    const offline = error ?? new DeviceOfflineError('读码器连接已断开 (reader link lost)');
    this.#failTrigger(offline instanceof DeviceOfflineError ? offline : new DeviceOfflineError(offline.message, { cause: offline }));
    this.#failCommand(offline);
    this.#machine.apply('link-lost');
  }

  #addReject(part: RejectedPart): void {
    const count = part.count ?? 1;
    if (count === 1 && part.reason !== 'too-many' && this.#rejects.length < MAX_PENDING_REJECTS) {
      this.#rejects.push({ reason: part.reason, byteLength: part.byteLength, detail: part.detail });
      return;
    }
    const unlisted = this.#unlisted;
    unlisted.count += count;
    unlisted.bytes += part.byteLength;
    unlisted.byReason.set(part.reason, (unlisted.byReason.get(part.reason) ?? 0) + count);
  }

  /** The pending rejections (at most MAX_PENDING_REJECTS, then the `too-many` summary), and a fresh list. */
  #takeRejects(): RejectedPart[] {
    const taken = this.#rejects;
    this.#rejects = [];
    const { count, bytes, byReason } = this.#unlisted;
    if (count === 0) return taken;
    this.#unlisted = { count: 0, bytes: 0, byReason: new Map() };
    const each = [...byReason].map(([reason, n]) => `${reason} ${n}`).join(', ');
    taken.push({
      reason: 'too-many',
      count,
      byteLength: bytes,
      detail: `另有 ${count} 处被拒绝的数据未逐条列出，共 ${bytes} 字节：${each} (${count} more rejections not listed, ${bytes} bytes: ${each})`,
    });
    return taken;
  }
}
