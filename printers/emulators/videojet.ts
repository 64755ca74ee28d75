import { PrinterEmulator, type EmulatorOptions, type EmulatorPeer } from './printer-emulator.ts';

const MAX_LINE = 4096;

/**
 * Videojet Zipher text-protocol emulator (Text Communications Protocol B-1 command table). CR ends a command and
 * resets the parser, LF is ignored; replies ACK / ERR. SEL / SLA select a job, JDU / JDA queue variable data
 * (one queue item per print), PRN prints, GST reports `STS|overall|error|job|count|` [?], QSZ reports `QSZ|n|` [?],
 * CAF clears device faults. A device fault sets overall state 4 (offline) and error state 2.
 */
export class VideojetEmulator extends PrinterEmulator {
  #line: number[] = [];
  #overflow = false;
  #job: string | null = null;

  constructor(options: EmulatorOptions = {}) {
    super(options);
  }

  protected override garbageBytes(): Uint8Array {
    return Uint8Array.from([0x7f, 0x41, 0x00, 0x5a, 0x0d]);
  }

  protected override resetProtocol(): void {
    this.#line = [];
    this.#overflow = false;
    this.#job = null;
  }

  protected override onBytes(peer: EmulatorPeer, bytes: Uint8Array): void {
    for (const b of bytes) {
      if (b === 0x0a) continue;
      if (b === 0x0d) {
        const text = Buffer.from(this.#line).toString('latin1');
        const over = this.#overflow;
        this.#line = [];
        this.#overflow = false;
        if (over) { this.log('命令过长 (command too long)'); this.#say(peer, 'ERR'); continue; }
        if (text.length > 0) this.#command(peer, text);
        continue;
      }
      if (this.#line.length >= MAX_LINE) this.#overflow = true;
      else this.#line.push(b);
    }
  }

  #say(peer: EmulatorPeer, text: string): void {
    this.reply(peer, Buffer.from(`${text}\r`, 'latin1'), () => Buffer.from(`${'X'.repeat(5000)}\r`, 'latin1'));
  }

  #command(peer: EmulatorPeer, text: string): void {
    const fields = text.split('|');
    const cmd = fields[0] ?? '';
    const args = fields.slice(1).filter((f, i, all) => !(i === all.length - 1 && f === ''));
    this.log(`收到 (rx) ${cmd}${cmd === 'JDA' || cmd === 'JDU' ? '' : args.length > 0 ? ` ${args.join(' ')}` : ''}`);
    switch (cmd) {
      case 'SEL':
      case 'SLA':
        if (!args[0]) { this.#say(peer, 'ERR'); return; }
        this.#job = args[0];
        this.#say(peer, 'ACK');
        return;
      case 'JDU':
      case 'JDA': {
        const value = cmd === 'JDA' ? (args[0] ?? '').split('=').slice(1).join('=') : (args[0] ?? '');
        if (this.#job === null || this.deviceFaulted || args.length === 0) { this.#say(peer, 'ERR'); return; }
        if (this.faults.nakJobs > 0) { this.faults.nakJobs -= 1; this.#say(peer, 'ERR'); return; }
        if (!this.enqueue({ code: value, detail: `job ${this.#job}` })) { this.#say(peer, 'ERR'); return; }
        this.log(`排队 (queued) ${this.shown(value)} [${this.queue.length}]`);
        this.#say(peer, 'ACK');
        return;
      }
      case 'PRN':
      case 'SST':
        this.#say(peer, 'ACK');
        return;
      case 'CAF':
        this.faults.ribbonOut = false;
        this.faults.paperOut = false;
        this.faults.headOpen = false;
        this.#say(peer, 'ACK');
        this.kick();
        return;
      case 'GST':
        if (this.faults.silentWhenFaulted && this.deviceFaulted) return;
        this.#say(peer, `STS|${this.deviceFaulted ? 4 : 3}|${this.deviceFaulted ? 2 : 0}|${this.#job ?? ''}|${this.printed.length}|`);
        return;
      case 'QSZ':
        this.#say(peer, `QSZ|${this.queue.length + (this.current ? 1 : 0)}|`);
        return;
      default:
        this.#say(peer, 'ERR');
    }
  }
}
