import { PrinterEmulator, type EmulatorOptions, type EmulatorPeer, type PrintedItem } from './printer-emulator.ts';

/** Protocol constants transcribed from the RCI manual (MP65038 §2–§4), independent of the driver's codec. */
const ESC = 0x1b, STX = 0x02, ETX = 0x03, ACK = 0x06;
const SI_PRINT_GO = 0x0f, EM_PRINT_END = 0x19;
const MAX_FRAME = 1024;

export interface LinxEmulatorOptions extends EmulatorOptions {
  /** Width of the remote-data length prefix (2 or 4 bytes) [?]. Default 2. */
  readonly lengthBytes?: 2 | 4;
}

/**
 * Linx RCI CIJ printer emulator: ESC STX frames in, ESC ACK replies out with P-/C-status, checksum checked
 * (bad → C-status 0x08). Remote field data (0x1D) fills the remote buffer (bufferSize entries): the entry that
 * fills it answers 0x42, any further one 0x43. In Single print mode every print consumes one entry and is framed
 * by the asynchronous print-go (SI 0x0F) and print-end (EM 0x19) bytes. A device fault stops the jet (state 4).
 */
export class LinxEmulator extends PrinterEmulator {
  readonly #lengthBytes: 2 | 4;
  #mode: 'out' | 'esc' | 'in' | 'in-esc' | 'sum' = 'out';
  #frame: number[] = [];

  constructor(options: LinxEmulatorOptions = {}) {
    super(options);
    this.#lengthBytes = options.lengthBytes ?? 2;
  }

  protected override resetProtocol(): void {
    this.#mode = 'out';
    this.#frame = [];
  }

  static checksum(bytes: readonly number[]): number {
    return (256 - (bytes.filter((b) => b !== ESC).reduce((a, b) => a + b, 0) % 256)) % 256;
  }

  protected override onBytes(peer: EmulatorPeer, bytes: Uint8Array): void {
    for (const b of bytes) {
      switch (this.#mode) {
        case 'out': if (b === ESC) this.#mode = 'esc'; break;
        case 'esc': this.#mode = b === STX ? 'in' : 'out'; this.#frame = []; break;
        case 'in':
          if (b === ESC) this.#mode = 'in-esc';
          else if (this.#frame.length < MAX_FRAME) this.#frame.push(b);
          else { this.log('帧过长，丢弃 (frame too long, dropped)'); this.#mode = 'out'; }
          break;
        case 'in-esc':
          if (b === ESC) { this.#frame.push(ESC); this.#mode = 'in'; }
          else if (b === ETX) this.#mode = 'sum';
          else this.#mode = 'out';
          break;
        case 'sum':
          this.#mode = 'out';
          this.#command(peer, this.#frame, b);
          break;
      }
    }
  }

  #send(peer: EmulatorPeer, cStatus: number, cmd: number, data: readonly number[] = []): void {
    const pStatus = this.deviceFaulted ? 0x01 : 0x00;
    const body = [pStatus, cStatus, cmd, ...data];
    const escaped = body.flatMap((b) => (b === ESC ? [ESC, ESC] : [b]));
    const frame = [ESC, ACK, ...escaped, ESC, ETX, LinxEmulator.checksum([ACK, ...body, ETX])];
    this.reply(peer, Uint8Array.from(frame), () => Uint8Array.from([ESC, ACK, ...new Array<number>(2000).fill(0x41), ESC, ETX, 0]));
  }

  #command(peer: EmulatorPeer, frame: readonly number[], sum: number): void {
    const cmd = frame[0] ?? 0;
    if (LinxEmulator.checksum([STX, ...frame, ETX]) !== sum) {
      this.log(`校验和错误 (bad checksum) cmd 0x${cmd.toString(16)}`);
      this.#send(peer, 0x08, cmd);
      return;
    }
    this.log(`收到 (rx) 命令 0x${cmd.toString(16).padStart(2, '0')}`);
    switch (cmd) {
      case 0x14: {
        const jet = this.deviceFaulted ? 4 : 0;
        const print = this.current ? 0 : this.queue.length > 0 ? 4 : 2;
        const mask = (this.faults.headOpen ? 1 : 0) | (this.faults.ribbonOut ? 2 : 0) | (this.faults.paperOut ? 4 : 0);
        this.#send(peer, 0x00, cmd, [jet, print, mask & 0xff, (mask >> 8) & 0xff, 0, 0]);
        return;
      }
      case 0x1d: {
        const lenBytes = frame.slice(1, 1 + this.#lengthBytes);
        const len = lenBytes.reduce((acc, b, i) => acc + b * 256 ** i, 0);
        const chars = frame.slice(1 + this.#lengthBytes);
        if (lenBytes.length < this.#lengthBytes || len !== chars.length) { this.#send(peer, 0x41, cmd); return; }
        if (this.deviceFaulted) { this.#send(peer, 0x12, cmd); return; }
        if (this.faults.nakJobs > 0) { this.faults.nakJobs -= 1; this.#send(peer, 0x51, cmd); return; }
        const code = Buffer.from(chars).toString('latin1');
        if (!this.enqueue({ code, detail: 'remote field' })) { this.log('远程缓冲区仍满 (0x43 still full)'); this.#send(peer, 0x43, cmd); return; }
        this.log(`远程数据 (remote data) ${this.shown(code)} [${this.queue.length}/${this.bufferSize}]`);
        this.#send(peer, this.queue.length >= this.bufferSize ? 0x42 : 0x00, cmd);
        return;
      }
      case 0x0f: case 0x10: case 0x11: case 0x12: case 0x54:
        this.#send(peer, 0x00, cmd);
        return;
      default:
        this.#send(peer, 0x11, cmd);
    }
  }

  /** Print-go when the engine takes an item would need a hook; both bytes go out at print end, in order. */
  protected override onPrinted(_item: PrintedItem): void {
    this.broadcast(Uint8Array.of(SI_PRINT_GO, EM_PRINT_END));
  }
}
