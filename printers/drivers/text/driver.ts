import type { PrintJob, PrinterCapabilities, PrinterConfig } from '../../contract.ts';
import { PrinterConfigError } from '../../errors.ts';
import { type ByteLink, DelimiterFramer, type FrameEvent } from '../../../links/index.ts';
import { LinkPrinter, type DeviceReport, type SendOutcome } from '../link-printer.ts';
import { intOption, regexOption, stringOption } from '../option-readers.ts';
import { renderTemplate, unescapeTemplate } from './codec.ts';

/**
 * A configurable line-based text printer for coders with ad-hoc TCP / serial text protocols (many Chinese TIJ /
 * UV / laser coders, notes/devices.md §1.7): send a template, wait for a line matching `ackPattern` (or
 * `nakPattern`), then — when `donePattern` is set — one matching line per printed item confirms the oldest job.
 * Without `donePattern` the confirmation level is `accepted`.
 *
 * If donePattern has a named group `code`, a done line confirms that code (robust when the coder loses items);
 * otherwise done lines confirm jobs in FIFO order.
 *
 * Options: sendTemplate (default `{code}\r\n`; `\r` `\n` `\t` `\xHH` escapes), ackPattern (default `^OK`),
 * nakPattern (default `^(ERR|NG)`), donePattern (default none), queueDepth (default 4 with donePattern, else 1),
 * helloCommand (sent at open, default none) with helloPattern (reply to wait for).
 */
export class TextPrinter extends LinkPrinter {
  readonly #template: string;
  readonly #ack: RegExp;
  readonly #nak: RegExp;
  readonly #done: RegExp | null;
  readonly #hello: string | null;
  readonly #helloPattern: RegExp | null;

  constructor(config: PrinterConfig, link: ByteLink) {
    const done = regexOption(config.options, 'donePattern', null);
    const capabilities: PrinterCapabilities = {
      symbologies: ['text', 'datamatrix', 'qr', 'code128'],
      queueDepth: config.queueDepth ?? intOption(config.options, 'queueDepth', 1, 64, done ? 4 : 1),
      confirmation: done ? 'printed' : 'accepted',
      statusPolling: false,
      asyncEvents: done !== null,
    };
    super('text', capabilities, config, link, new DelimiterFramer({ delimiter: 0x0a, ignore: [0x0d], maxFrame: 1024 }));
    this.#template = unescapeTemplate(stringOption(config.options, 'sendTemplate', '{code}\\r\\n'));
    if (!this.#template.includes('{code}')) throw new PrinterConfigError('options.sendTemplate', '模板必须包含 {code} (template must contain {code})');
    this.#ack = regexOption(config.options, 'ackPattern', '^OK') ?? /^OK/;
    this.#nak = regexOption(config.options, 'nakPattern', '^(ERR|NG)') ?? /^(ERR|NG)/;
    this.#done = done;
    const hello = config.options?.['helloCommand'];
    this.#hello = typeof hello === 'string' ? unescapeTemplate(hello) : null;
    this.#helloPattern = regexOption(config.options, 'helloPattern', null);
  }

  #line(e: FrameEvent): string | undefined {
    return e.kind === 'frame' ? Buffer.from(e.bytes).toString('utf8') : undefined;
  }

  protected override async handshake(): Promise<DeviceReport> {
    if (this.#hello !== null) {
      const pattern = this.#helloPattern ?? this.#ack;
      const reply = await this.request(Buffer.from(this.#hello, 'utf8'), (e) => {
        const l = this.#line(e);
        return l !== undefined && pattern.test(l) ? l : undefined;
      });
      this.identity = `text printer (${reply.slice(0, 64)})`;
    } else {
      this.identity = 'text printer';
    }
    return { faults: [], deviceQueued: null };
  }

  protected override queryStatus(): Promise<DeviceReport | null> {
    return Promise.resolve(null);
  }

  protected override async sendJob(job: PrintJob): Promise<SendOutcome> {
    const payload = renderTemplate(this.#template, job.code);
    if (payload === null) return { kind: 'rejected', reason: 'invalid-data', detail: '码中含有换行 (code contains a line end)' };
    const r = await this.request(Buffer.from(payload, 'utf8'), (e) => {
      const l = this.#line(e);
      if (l === undefined) return undefined;
      if (this.#nak.test(l)) return 'nak' as const;
      if (this.#ack.test(l)) return 'ack' as const;
      return undefined;
    });
    return r === 'ack' ? { kind: 'accepted' } : { kind: 'rejected', reason: 'nak', detail: '打印机拒绝 (printer refused)' };
  }

  protected override onUnsolicited(event: FrameEvent): void {
    const l = this.#line(event);
    const m = l === undefined ? null : this.#done?.exec(l);
    if (!m) { super.onUnsolicited(event); return; }
    // A `code` group names the printed item; without one, print events are attributed in FIFO order.
    const code = m.groups?.['code'];
    if (code === undefined || !this.confirmCode(code)) this.confirmOldest(1);
  }
}
