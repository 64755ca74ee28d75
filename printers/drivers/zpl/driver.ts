import { createServer, type Server, type Socket } from 'node:net';
import type { PrintJob, PrinterCapabilities, PrinterConfig, PrinterFault } from '../../contract.ts';
import { PrinterConfigError, ReplyTimeoutError } from '../../errors.ts';
import { type ByteLink, type FrameEvent, StxEtxFramer } from '../../../links/index.ts';
import { LinkPrinter, type DeviceReport, type SendOutcome } from '../link-printer.ts';
import { intOption, stringOption } from '../option-readers.ts';
import { HOST_IDENTIFICATION, HOST_STATUS, ZPL_SYMBOLOGIES, alertSetup, hostStatusFaults, parseAlert, parseHostStatus, recallFormat, storeFormat, type ZplLayout } from './codec.ts';

/** Longest alert line kept while waiting for its CR/LF; a longer one is dropped and logged. */
const MAX_ALERT_LINE = 1024;

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
 *
 * ^SX alerts (option `alerts: 'tcp'`, default off): at open the driver listens on `alertHost:alertPort`
 * (default 127.0.0.1, port 0 = any free port) and sends `^SX<c>,D,Y,Y,<alertHost>,<port>` for paper out, ribbon
 * out, head over-temp, head open and paused, so the printer connects there and pushes each condition as it is set
 * and cleared. A set alert faults the printer at once (jobs in flight settle `unknown`) instead of at the next
 * ~HS poll — which the printer may not even answer while ribbon / media are out. A clear alert triggers an
 * immediate ~HS poll; only ~HS (or a later alert) clears the fault. `alertHost` must be an address of this
 * station the printer can reach.
 */
export class ZplPrinter extends LinkPrinter {
  readonly #layout: ZplLayout;
  readonly #pollMs: number;
  readonly #alerts: { readonly host: string; readonly port: number } | null;
  #alertServer: Server | null = null;
  readonly #alertSockets = new Set<Socket>();
  /** Conditions the printer said are set and no ~HS reply has superseded. */
  readonly #alerted = new Set<PrinterFault>();
  /** A set alert the base class has not seen yet (the next status query returns it without asking ~HS). */
  #alertPending = false;
  /** Counts alerts, so a ~HS reply that was requested before an alert does not clear it. */
  #alertSeq = 0;

  constructor(config: PrinterConfig, link: ByteLink) {
    const symbology = config.symbology ?? 'datamatrix';
    if (!ZPL_SYMBOLOGIES.includes(symbology)) throw new PrinterConfigError('symbology', `ZPL 不支持 ${symbology} (unsupported symbology)`);
    const depth = config.queueDepth ?? intOption(config.options, 'queueDepth', 1, 32, 4);
    const alerts = stringOption(config.options, 'alerts', 'off', /^(off|tcp)$/);
    const capabilities: PrinterCapabilities = { symbologies: ZPL_SYMBOLOGIES, queueDepth: depth, confirmation: 'printed', statusPolling: true, asyncEvents: alerts === 'tcp' };
    super('zpl', capabilities, config, link, new StxEtxFramer({ maxFrame: 256, ignoreOutside: [0x0d, 0x0a] }));
    this.#layout = {
      formatName: stringOption(config.options, 'formatName', 'R:WUMA.ZPL', /^[REBA]:[A-Z0-9_]{1,16}\.ZPL$/),
      symbology,
      x: intOption(config.options, 'x', 0, 32000, 40),
      y: intOption(config.options, 'y', 0, 32000, 40),
      size: intOption(config.options, 'size', 1, 400, symbology === 'qr' ? 6 : symbology === 'code128' || symbology === 'gs1-128' ? 100 : 8),
    };
    this.#pollMs = intOption(config.options, 'pollMs', 5, 60_000, 50);
    this.#alerts = alerts === 'tcp'
      ? { host: stringOption(config.options, 'alertHost', '127.0.0.1', /^[0-9]{1,3}(\.[0-9]{1,3}){3}$/), port: intOption(config.options, 'alertPort', 0, 65535, 0) }
      : null;
  }

  override async close(): Promise<void> {
    await super.close();
    await this.#stopAlerts();
  }

  async #startAlerts(host: string, port: number): Promise<number> {
    const server = createServer((socket) => {
      this.#alertSockets.add(socket);
      let line = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        line += chunk;
        const parts = line.split(/\r\n|\r|\n/);
        line = parts.pop() ?? '';
        if (line.length > MAX_ALERT_LINE) {
          this.logger.warn('alert line too long', { device: this.link.description, bytes: line.length });
          line = '';
        }
        for (const p of parts) if (p.trim() !== '') this.#onAlert(p);
      });
      socket.on('error', () => undefined);
      socket.once('close', () => { this.#alertSockets.delete(socket); });
    });
    this.#alertServer = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => { server.removeListener('error', reject); resolve(); });
    });
    const address = server.address();
    return address !== null && typeof address === 'object' ? address.port : port;
  }

  async #stopAlerts(): Promise<void> {
    const server = this.#alertServer;
    this.#alertServer = null;
    for (const s of this.#alertSockets) s.destroy();
    this.#alertSockets.clear();
    if (server) await new Promise<void>((resolve) => { server.close(() => { resolve(); }); });
  }

  #onAlert(text: string): void {
    const alert = parseAlert(text);
    this.logger.debug('zpl alert', { device: this.link.description, fault: alert?.fault ?? null, set: alert?.set ?? null });
    if (alert === null) return;
    this.#alertSeq += 1;
    if (alert.set) {
      this.#alerted.add(alert.fault);
      this.#alertPending = true;
    } else {
      this.#alerted.delete(alert.fault);
    }
    // status() runs the (overridden) status query under the command lock and applies it: the fault lands now.
    this.status().catch((error: unknown) => {
      this.logger.warn('status after alert failed', { device: this.link.description, error: error instanceof Error ? error.message : String(error) });
    });
  }

  protected override pollIntervalMs(): number {
    return this.#pollMs;
  }

  protected override async handshake(): Promise<DeviceReport> {
    this.#alerted.clear();
    this.#alertPending = false;
    try {
      const id = await this.request(ascii(HOST_IDENTIFICATION), (e) => (e.kind === 'frame' ? text(e) : undefined));
      this.identity = `ZPL ${id}`;
    } catch {
      this.identity = 'ZPL (无 ~HI 应答 no ~HI reply)';
    }
    await this.send(ascii(storeFormat(this.#layout)));
    if (this.#alerts !== null) {
      try {
        const port = await this.#startAlerts(this.#alerts.host, this.#alerts.port);
        await this.send(ascii(alertSetup(this.#alerts.host, port)));
      } catch (error) {
        await this.#stopAlerts();
        throw error;
      }
    }
    try {
      return await this.queryStatus();
    } catch (error) {
      // A printer may not answer ~HS while head open / media out / ribbon out (guide: ~HS note).
      if (error instanceof ReplyTimeoutError) return { faults: ['offline'], deviceQueued: null };
      await this.#stopAlerts();
      throw error;
    }
  }

  protected override async sendJob(job: PrintJob): Promise<SendOutcome> {
    await this.send(ascii(recallFormat(this.#layout, job.code)));
    return { kind: 'accepted' };
  }

  protected override async queryStatus(): Promise<DeviceReport> {
    if (this.#alertPending) {
      this.#alertPending = false;
      return { faults: [...this.#alerted], deviceQueued: null };
    }
    const seq = this.#alertSeq;
    const lines: string[] = [];
    let reply: string[];
    try {
      reply = await this.request(ascii(HOST_STATUS), (e) => {
        if (e.kind !== 'frame') return undefined;
        lines.push(text(e));
        return lines.length === 3 ? [...lines] : undefined;
      });
    } catch (error) {
      // Silent on ~HS while ribbon / media out (guide: ~HS note): the alert says why.
      if (error instanceof ReplyTimeoutError && this.#alerted.size > 0) return { faults: [...this.#alerted], deviceQueued: null };
      throw error;
    }
    const status = parseHostStatus(reply);
    if (!status) return { faults: ['device-error'], deviceQueued: null };
    // ~HS is authoritative for what it reports, unless an alert arrived after it was requested.
    if (seq === this.#alertSeq) this.#alerted.clear();
    const faults = hostStatusFaults(status);
    for (const f of this.#alerted) if (!faults.includes(f)) faults.push(f);
    return { faults, deviceQueued: status.formatsInBuffer + status.labelsRemaining };
  }
}
