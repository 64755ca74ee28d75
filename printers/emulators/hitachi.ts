import { PrinterEmulator, type EmulatorOptions, type EmulatorPeer } from './printer-emulator.ts';

const ENQ = 0x05, ACK = 0x06, NAK = 0x15, STX = 0x02, ETX = 0x03;
/** PH manual ch. 6: one STX…ETX block is at most 1500 bytes including STX and ETX; longer → NAK. */
const LIMIT = 1500;

/**
 * Hitachi IJ emulator: ENQ → ACK (NAK while a device fault is set); STX text ETX → ACK and the text becomes the
 * print contents, replacing any not yet printed (the real overwrite risk); over 1500 bytes → NAK.
 */
export class HitachiEmulator extends PrinterEmulator {
  #inBlock = false;
  #size = 0;
  #block: number[] = [];

  constructor(options: EmulatorOptions = {}) {
    super(options);
  }

  protected override resetProtocol(): void {
    this.#inBlock = false;
    this.#block = [];
    this.#size = 0;
  }

  protected override onBytes(peer: EmulatorPeer, bytes: Uint8Array): void {
    for (const b of bytes) {
      if (!this.#inBlock) {
        if (b === ENQ) { this.log('收到 (rx) ENQ'); this.reply(peer, Uint8Array.of(this.deviceFaulted ? NAK : ACK)); }
        else if (b === STX) { this.#inBlock = true; this.#block = []; this.#size = 1; }
        continue;
      }
      this.#size += 1;
      if (b === ETX) {
        this.#inBlock = false;
        this.#message(peer, this.#size > LIMIT ? null : Buffer.from(this.#block).toString('latin1'));
        continue;
      }
      if (this.#size <= LIMIT) this.#block.push(b);
    }
  }

  #message(peer: EmulatorPeer, text: string | null): void {
    if (text === null) { this.log('报文超过 1500 字节 → NAK (block over 1500 bytes)'); this.reply(peer, Uint8Array.of(NAK)); return; }
    if (this.deviceFaulted || this.faults.bufferFull) { this.reply(peer, Uint8Array.of(NAK)); return; }
    if (this.faults.nakJobs > 0) { this.faults.nakJobs -= 1; this.log('故障注入 NAK (fault: NAK)'); this.reply(peer, Uint8Array.of(NAK)); return; }
    if (this.queue.length > 0) this.log(`覆盖未打印内容 (overwrote unprinted contents) ${this.shown(this.queue[0]?.code ?? '')}`);
    this.queue = [];
    this.enqueue({ code: text, detail: 'print contents' });
    this.log(`收到印字内容 (print contents) ${this.shown(text)}`);
    this.reply(peer, Uint8Array.of(ACK));
  }
}
