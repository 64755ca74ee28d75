import type { PrintJob, PrinterCapabilities, PrinterConfig, PrinterFault } from '../../contract.ts';
import { PrinterConfigError, ProtocolError } from '../../errors.ts';
import { type ByteLink, DelimiterFramer, type FrameEvent } from '../../../links/index.ts';
import { LinkPrinter, type DeviceReport, type SendOutcome } from '../link-printer.ts';
import { intOption, stringOption } from '../option-readers.ts';
import { CR, GET_STATE, QUEUE_SIZE, jobDataNamed, parseReply, selectJob, validValue, type ZipherReply } from './codec.ts';

const ascii = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const line = (e: FrameEvent): ZipherReply | undefined => (e.kind === 'frame' ? parseReply(Buffer.from(e.bytes).toString('latin1')) : undefined);

/**
 * Videojet TTO / laser / TIJ coders speaking the Zipher text protocol (TCP port 3003 in client code [C/?]).
 * At open: a bare CR (parser reset), GST, then SEL of the configured job. Each code is a JDA update of the
 * job's variable field, queued by the printer (one per print); QSZ (queue size) polled while jobs are in flight
 * confirms prints: a job the queue no longer holds has been printed.
 *
 * Options: job (default WUMA), field (default VarField01), pollMs (default 50), queueDepth (default 8, max 64).
 */
export class VideojetPrinter extends LinkPrinter {
  readonly #job: string;
  readonly #field: string;
  readonly #pollMs: number;

  constructor(config: PrinterConfig, link: ByteLink) {
    const capabilities: PrinterCapabilities = {
      symbologies: ['text', 'datamatrix', 'qr', 'code128'],
      queueDepth: config.queueDepth ?? intOption(config.options, 'queueDepth', 1, 64, 8),
      confirmation: 'printed', statusPolling: true, asyncEvents: false,
    };
    super('videojet', capabilities, config, link, new DelimiterFramer({ delimiter: 0x0d, ignore: [0x0a], maxFrame: 512 }));
    this.#job = stringOption(config.options, 'job', 'WUMA', /^[^|\r\n]{1,64}$/);
    this.#field = stringOption(config.options, 'field', 'VarField01', /^[^|=\r\n]{1,64}$/);
    this.#pollMs = intOption(config.options, 'pollMs', 5, 10_000, 50);
    if (config.symbology !== undefined && !capabilities.symbologies.includes(config.symbology)) {
      throw new PrinterConfigError('symbology', `码制由打印机作业决定，不支持 ${config.symbology} (symbology comes from the printer job)`);
    }
  }

  protected override pollIntervalMs(): number {
    return this.#pollMs;
  }

  #ask(command: string, want: ZipherReply['kind'][]): Promise<ZipherReply> {
    return this.request(ascii(command), (e) => {
      const r = line(e);
      return r !== undefined && want.includes(r.kind) ? r : undefined;
    });
  }

  protected override async handshake(): Promise<DeviceReport> {
    await this.send(ascii(CR));
    const report = await this.queryStatus();
    const sel = await this.#ask(selectJob(this.#job), ['ack', 'err']);
    if (sel.kind !== 'ack') throw new ProtocolError(`打印机拒绝选择作业 ${this.#job} (SEL refused: ERR)`);
    this.identity = `Videojet Zipher (job ${this.#job})`;
    return report;
  }

  protected override async queryStatus(): Promise<DeviceReport> {
    const st = await this.#ask(GET_STATE, ['state', 'err']);
    const faults: PrinterFault[] = [];
    if (st.kind === 'state') {
      if (st.error >= 2) faults.push('device-error');
      if (st.overall !== 3) faults.push('offline');
    } else {
      faults.push('device-error');
    }
    const q = await this.#ask(QUEUE_SIZE, ['queue', 'err']);
    return { faults, deviceQueued: q.kind === 'queue' ? q.size : null };
  }

  protected override async sendJob(job: PrintJob): Promise<SendOutcome> {
    if (!validValue(job.code)) return { kind: 'rejected', reason: 'invalid-data', detail: '码中含有 | 或换行 (code contains | or a line end)' };
    const r = await this.#ask(jobDataNamed({ [this.#field]: job.code }), ['ack', 'err']);
    return r.kind === 'ack' ? { kind: 'accepted' } : { kind: 'rejected', reason: 'nak', detail: '打印机应答 ERR (printer replied ERR)' };
  }
}
