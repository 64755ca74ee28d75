import { PrinterEmulator, type EmulatorOptions, type EmulatorPeer, type PrintedItem } from './printer-emulator.ts';

const MAX_LINE = 4096;

export interface TextEmulatorOptions extends EmulatorOptions {
  /** Reply to each accepted line. Default `OK`. */
  readonly ack?: string;
  /** Reply to a refused line. Default `ERR`. */
  readonly nak?: string;
  /** Line sent after each print (`{n}` = print count, `{code}` = the code), or null for no print event. Default `DONE {n}`. */
  readonly done?: string | null;
}

/**
 * A generic line-based coder (the kind of ad-hoc TCP text protocol many Chinese TIJ / laser coders use): each
 * LF-terminated line (CR ignored) is one code → `OK`; refused → `ERR`; after printing → `DONE n`.
 */
export class TextEmulator extends PrinterEmulator {
  readonly #ack: string;
  readonly #nak: string;
  readonly #done: string | null;
  #line: number[] = [];
  #overflow = false;

  constructor(options: TextEmulatorOptions = {}) {
    super(options);
    this.#ack = options.ack ?? 'OK';
    this.#nak = options.nak ?? 'ERR';
    this.#done = options.done === undefined ? 'DONE {n}' : options.done;
  }

  protected override garbageBytes(): Uint8Array {
    return Uint8Array.from([0x7f, 0x41, 0x00, 0x5a, 0x0d, 0x0a]);
  }

  protected override resetProtocol(): void {
    this.#line = [];
    this.#overflow = false;
  }

  protected override onBytes(peer: EmulatorPeer, bytes: Uint8Array): void {
    for (const b of bytes) {
      if (b === 0x0d) continue;
      if (b === 0x0a) {
        const text = Buffer.from(this.#line).toString('utf8');
        const over = this.#overflow;
        this.#line = [];
        this.#overflow = false;
        if (over) { this.log('行过长 (line too long)'); this.#say(peer, this.#nak); continue; }
        if (text.length > 0) this.#code(peer, text);
        continue;
      }
      if (this.#line.length >= MAX_LINE) this.#overflow = true;
      else this.#line.push(b);
    }
  }

  #say(peer: EmulatorPeer, text: string): void {
    this.reply(peer, Buffer.from(`${text}\r\n`, 'utf8'), () => Buffer.from(`${'X'.repeat(5000)}\r\n`, 'utf8'));
  }

  #code(peer: EmulatorPeer, code: string): void {
    if (this.deviceFaulted || this.faults.nakJobs > 0) {
      if (this.faults.nakJobs > 0) this.faults.nakJobs -= 1;
      this.#say(peer, this.#nak);
      return;
    }
    if (!this.enqueue({ code, detail: 'line' })) { this.#say(peer, this.#nak); return; }
    this.log(`收到 (rx) ${this.shown(code)}`);
    this.#say(peer, this.#ack);
  }

  protected override onPrinted(item: PrintedItem): void {
    if (this.#done !== null) this.broadcast(Buffer.from(`${this.#done.replace('{n}', String(this.printed.length)).replace('{code}', item.code)}\r\n`, 'utf8'));
  }
}
