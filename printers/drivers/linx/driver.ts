import type { PrintJob, PrinterCapabilities, PrinterConfig, PrinterFault } from '../../contract.ts';
import { PrinterConfigError, ProtocolError } from '../../errors.ts';
import { type ByteLink, EscFramer, type FrameEvent } from '../../../links/index.ts';
import { LinkPrinter, type DeviceReport, type SendOutcome } from '../link-printer.ts';
import { intOption } from '../option-readers.ts';
import { ACK, CMD, C_STATUS, ETX, NAK, PRINT_END, PRINT_GO, STX, decodeReply, decodeStatus, encodeCommand, encodeRemoteFieldData, type LinxReply } from './codec.ts';

/**
 * Linx RCI CIJ printers over RS-232 or RCI-over-Ethernet TCP. Each code is remote field data (0x1D) into the
 * printer's remote buffer (1–32 entries, printer setting); print mode must be Single so every entry prints once.
 * The asynchronous print-end byte (EM 0x19) confirms the oldest job. Replies 0x42 (buffer now full: accepted)
 * and 0x43 (still full: refused) drive back-pressure.
 *
 * Options: lengthBytes (2 | 4, remote-data length width [?], default 2), pollMs (status 0x14 period while jobs
 * are in flight or a fault is shown, default 200), queueDepth (default 4, max 32).
 */
export class LinxPrinter extends LinkPrinter {
  readonly #lengthBytes: 2 | 4;
  readonly #pollMs: number;

  constructor(config: PrinterConfig, link: ByteLink) {
    if (config.symbology !== undefined && config.symbology !== 'text' && config.symbology !== 'datamatrix' && config.symbology !== 'qr') {
      throw new PrinterConfigError('symbology', `Linx 的码制由打印机上的信息决定，不支持 ${config.symbology} (symbology comes from the message on the printer)`);
    }
    const lengthBytes = intOption(config.options, 'lengthBytes', 2, 4, 2);
    if (lengthBytes !== 2 && lengthBytes !== 4) throw new PrinterConfigError('options.lengthBytes', `应为 2 或 4，收到 ${lengthBytes} (must be 2 or 4)`);
    const capabilities: PrinterCapabilities = {
      symbologies: ['text', 'datamatrix', 'qr'],
      queueDepth: config.queueDepth ?? intOption(config.options, 'queueDepth', 1, 32, 4),
      confirmation: 'printed', statusPolling: true, asyncEvents: true,
    };
    super('linx', capabilities, config, link, new EscFramer({ startBytes: [STX, ACK, NAK], endByte: ETX, controlBytes: [PRINT_GO, PRINT_END], maxFrame: 512 }));
    this.#lengthBytes = lengthBytes;
    this.#pollMs = intOption(config.options, 'pollMs', 10, 60_000, 200);
  }

  protected override pollIntervalMs(): number {
    return this.#pollMs;
  }

  #command(cmd: number, bytes: Uint8Array): Promise<LinxReply> {
    return this.request(bytes, (e: FrameEvent) => {
      if (e.kind !== 'frame' || e.start === undefined || e.trailer === undefined) return undefined;
      const reply = decodeReply(e.start, e.bytes, e.trailer);
      if (reply === null) {
        this.logger.warn('bad RCI reply (checksum or shape)', { device: this.link.description });
        return undefined;
      }
      return reply.cmd === cmd || reply.cStatus === C_STATUS.invalidChecksum ? reply : undefined;
    });
  }

  protected override async handshake(): Promise<DeviceReport> {
    const report = await this.queryStatus();
    return report;
  }

  protected override async queryStatus(): Promise<DeviceReport> {
    const reply = await this.#command(CMD.status, encodeCommand(CMD.status));
    const status = decodeStatus(reply.data);
    if (!status) throw new ProtocolError(`状态应答格式错误 (malformed 0x14 status reply: ${Buffer.from(reply.data).toString('hex')})`);
    this.identity = `Linx RCI (jet ${status.jet}, print ${status.print})`;
    const faults: PrinterFault[] = [];
    if (status.jet !== 'running') faults.push('jet-stopped');
    if (status.errorMask !== 0) faults.push('device-error');
    return { faults, deviceQueued: null };
  }

  protected override async sendJob(job: PrintJob): Promise<SendOutcome> {
    const reply = await this.#command(CMD.remoteFieldData, encodeRemoteFieldData(job.code, this.#lengthBytes));
    switch (reply.cStatus) {
      case C_STATUS.ok: return { kind: 'accepted' };
      case C_STATUS.remoteBufferNowFull: return { kind: 'accepted', deviceFull: true };
      case C_STATUS.remoteBufferStillFull: return { kind: 'rejected', reason: 'buffer-full', detail: '远程缓冲区已满 (RCI 0x43 remote buffer still full)' };
      case C_STATUS.jetNotRunning:
      case C_STATUS.printCmdJetNotRunning: return { kind: 'rejected', reason: 'faulted', detail: `喷头未运行 (RCI C-status 0x${reply.cStatus.toString(16)} jet not running)` };
      case C_STATUS.remoteDataTooLarge: return { kind: 'rejected', reason: 'invalid-data', detail: '数据过长 (RCI 0x41 remote data too large)' };
      default: return { kind: 'rejected', reason: 'nak', detail: `打印机拒绝 (RCI C-status 0x${reply.cStatus.toString(16).padStart(2, '0')})` };
    }
  }

  protected override onUnsolicited(event: FrameEvent): void {
    if (event.kind === 'control' && event.byte === PRINT_END) this.confirmOldest(1);
    else if (event.kind === 'control' && event.byte === PRINT_GO) this.logger.debug('print-go', { device: this.link.description });
    else super.onUnsolicited(event);
  }
}
