import type { PrintJob, PrinterCapabilities, PrinterConfig } from '../../contract.ts';
import { PrinterConfigError, ReplyTimeoutError } from '../../errors.ts';
import { type ByteLink, type FrameEvent, StxEtxFramer } from '../../../links/index.ts';
import { LinkPrinter, type DeviceReport, type SendOutcome } from '../link-printer.ts';
import { boolOption, stringOption } from '../option-readers.ts';
import { ACK, ENQ, NAK, encodeMessage, fillTemplate } from './codec.ts';

const ackOrNak = (e: FrameEvent): 'ack' | 'nak' | undefined =>
  e.kind === 'control' ? (e.byte === ACK ? 'ack' : e.byte === NAK ? 'nak' : undefined) : undefined;

/**
 * Hitachi IJ printers over RS-232C. The printer acknowledges receipt only: confirmation level `accepted`,
 * queue depth 1. A new message replaces the print contents, so the station must pace jobs from the line
 * (one per product detect) — an unprinted code overwritten by the next one is otherwise lost silently.
 *
 * Options: template (default `{code}` [?]), enq (send ENQ before each message, default true: "ENQ may be omitted").
 */
export class HitachiPrinter extends LinkPrinter {
  readonly #template: string;
  readonly #enq: boolean;

  constructor(config: PrinterConfig, link: ByteLink) {
    const capabilities: PrinterCapabilities = { symbologies: ['text', 'datamatrix', 'qr', 'code128'], queueDepth: 1, confirmation: 'accepted', statusPolling: false, asyncEvents: false };
    super('hitachi', capabilities, config, link, new StxEtxFramer({ maxFrame: 1498, controlBytes: [ACK, NAK] }));
    this.#template = stringOption(config.options, 'template', '{code}');
    if (!this.#template.includes('{code}')) throw new PrinterConfigError('options.template', '模板必须包含 {code} (template must contain {code})');
    this.#enq = boolOption(config.options, 'enq', true);
  }

  #enquire(): Promise<'ack' | 'nak'> {
    return this.request(Uint8Array.of(ENQ), ackOrNak);
  }

  protected override async handshake(): Promise<DeviceReport> {
    const r = await this.#enquire();
    this.identity = 'Hitachi IJ (ENQ/ACK)';
    return { faults: r === 'ack' ? [] : ['device-error'], deviceQueued: null };
  }

  protected override async queryStatus(): Promise<DeviceReport> {
    try {
      const r = await this.#enquire();
      return { faults: r === 'ack' ? [] : ['device-error'], deviceQueued: null };
    } catch (error) {
      if (error instanceof ReplyTimeoutError) return { faults: ['offline'], deviceQueued: null };
      throw error;
    }
  }

  protected override async sendJob(job: PrintJob): Promise<SendOutcome> {
    const message = encodeMessage(fillTemplate(this.#template, job.code));
    if (!message) return { kind: 'rejected', reason: 'invalid-data', detail: '报文超过 1500 字节或含 STX/ETX (message over 1500 bytes or contains STX/ETX)' };
    if (this.#enq) {
      try {
        if ((await this.#enquire()) === 'nak') return { kind: 'rejected', reason: 'nak', detail: '打印机对 ENQ 应答 NAK (NAK to ENQ)' };
      } catch (error) {
        // Nothing of the job has been sent yet: refused, not unknown.
        if (error instanceof ReplyTimeoutError) return { kind: 'rejected', reason: 'not-ready', detail: 'ENQ 无应答 (no reply to ENQ)' };
        throw error;
      }
    }
    const r = await this.request(message, ackOrNak);
    return r === 'ack' ? { kind: 'accepted' } : { kind: 'rejected', reason: 'nak', detail: '打印机应答 NAK (printer replied NAK)' };
  }
}
