import type { PrintJob, PrinterCapabilities, PrinterConfig } from '../../contract.ts';
import { PrinterConfigError, ReplyTimeoutError } from '../../errors.ts';
import type { FrameEvent } from '../../framing/frame-event.ts';
import { StxEtxFramer } from '../../framing/stx-etx-framer.ts';
import type { ByteLink } from '../../transport/byte-link.ts';
import { LinkPrinter, type DeviceReport, type SendOutcome } from '../link-printer.ts';
import { intOption, stringOption } from '../option-readers.ts';
import { HOST_IDENTIFICATION, HOST_STATUS, ZPL_SYMBOLOGIES, hostStatusFaults, parseHostStatus, recallFormat, storeFormat, type ZplLayout } from './codec.ts';

const ascii = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const text = (e: FrameEvent): string => (e.kind === 'frame' ? Buffer.from(e.bytes).toString('latin1') : '');

/**
 * Zebra ZPL II over raw TCP 9100 or serial. At open the label format is stored once (^DF); each job recalls
 * it with the code in field 1 (^XF + ^FN). ZPL has no per-label ACK, so printing is confirmed from the ~HS
 * counters: a job counts as printed once the printer no longer holds it in "formats in receive buffer" (eee)
 * or "labels remaining in batch" (uuuuuuuu). [?] That eee excludes the format being printed is our reading
 * of the guide; the emulator follows it, real printers must be checked (README list of unverified facts).
 *
 * Options: formatName (default R:WUMA.ZPL), x, y, size (dots / magnification), pollMs (~HS period while
 * jobs are in flight, default 50), queueDepth (default 4, max 32).
 */
export class ZplPrinter extends LinkPrinter {
  readonly #layout: ZplLayout;
  readonly #pollMs: number;

  constructor(config: PrinterConfig, link: ByteLink) {
    const symbology = config.symbology ?? 'datamatrix';
    if (!ZPL_SYMBOLOGIES.includes(symbology)) throw new PrinterConfigError('symbology', `ZPL 不支持 ${symbology} (unsupported symbology)`);
    const depth = config.queueDepth ?? intOption(config.options, 'queueDepth', 1, 32, 4);
    const capabilities: PrinterCapabilities = { symbologies: ZPL_SYMBOLOGIES, queueDepth: depth, confirmation: 'printed', statusPolling: true, asyncEvents: false };
    super('zpl', capabilities, config, link, new StxEtxFramer({ maxFrame: 256, ignoreOutside: [0x0d, 0x0a] }));
    this.#layout = {
      formatName: stringOption(config.options, 'formatName', 'R:WUMA.ZPL', /^[REBA]:[A-Z0-9_]{1,16}\.ZPL$/),
      symbology,
      x: intOption(config.options, 'x', 0, 32000, 40),
      y: intOption(config.options, 'y', 0, 32000, 40),
      size: intOption(config.options, 'size', 1, 400, symbology === 'qr' ? 6 : symbology === 'code128' || symbology === 'gs1-128' ? 100 : 8),
    };
    this.#pollMs = intOption(config.options, 'pollMs', 5, 10_000, 50);
  }

  protected override pollIntervalMs(): number {
    return this.#pollMs;
  }

  protected override async handshake(): Promise<DeviceReport> {
    try {
      const id = await this.request(ascii(HOST_IDENTIFICATION), (e) => (e.kind === 'frame' ? text(e) : undefined));
      this.identity = `ZPL ${id}`;
    } catch {
      this.identity = 'ZPL (无 ~HI 应答 no ~HI reply)';
    }
    await this.send(ascii(storeFormat(this.#layout)));
    try {
      return await this.queryStatus();
    } catch (error) {
      // A printer may not answer ~HS while head open / media out / ribbon out (guide: ~HS note).
      if (error instanceof ReplyTimeoutError) return { faults: ['offline'], deviceQueued: null };
      throw error;
    }
  }

  protected override async sendJob(job: PrintJob): Promise<SendOutcome> {
    await this.send(ascii(recallFormat(this.#layout, job.code)));
    return { kind: 'accepted' };
  }

  protected override async queryStatus(): Promise<DeviceReport> {
    const lines: string[] = [];
    const reply = await this.request(ascii(HOST_STATUS), (e) => {
      if (e.kind !== 'frame') return undefined;
      lines.push(text(e));
      return lines.length === 3 ? [...lines] : undefined;
    });
    const status = parseHostStatus(reply);
    if (!status) return { faults: ['device-error'], deviceQueued: null };
    return { faults: hostStatusFaults(status), deviceQueued: status.formatsInBuffer + status.labelsRemaining };
  }
}
