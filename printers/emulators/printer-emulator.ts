import { createServer, type Server, type Socket } from 'node:net';
import { SerialPort } from 'serialport';
import { maskCode } from '../mask.ts';

/**
 * Fault knobs every printer emulator honours (STYLE.md "Tests"). Mutable at run time: tests flip them mid-job.
 * Device faults (ribbonOut …) stop the print engine and show in the vendor's status reply.
 */
export interface EmulatorFaults {
  /** Write every reply one byte at a time (split frames). */
  splitReplies: boolean;
  /** Drop the next N replies entirely (missing ack)… */
  dropReplies: number;
  /** …after letting this many replies through first (e.g. 1 to keep an ENQ's ACK and drop the message's). */
  dropAfter: number;
  /** Delay every reply by this many ms (late ack). */
  replyDelayMs: number;
  /** Refuse the next N print jobs with the protocol's negative reply (NAK / ERR / error status). */
  nakJobs: number;
  /** Prefix every reply with stray bytes (line noise). */
  garbage: boolean;
  /** Send one over-long frame before the next reply. */
  oversize: boolean;
  ribbonOut: boolean;
  paperOut: boolean;
  headOpen: boolean;
  /** Report the job buffer as full and refuse new jobs (Linx 0x43, Videojet ERR). */
  bufferFull: boolean;
  /** Do not answer status requests while a device fault is set (ZPL ~HS behaviour per the guide). */
  silentWhenFaulted: boolean;
}

export const DEFAULT_FAULTS: Readonly<EmulatorFaults> = {
  splitReplies: false, dropReplies: 0, dropAfter: 0, replyDelayMs: 0, nakJobs: 0, garbage: false, oversize: false,
  ribbonOut: false, paperOut: false, headOpen: false, bufferFull: false, silentWhenFaulted: false,
};

export interface EmulatorOptions {
  /** Time to print one item, in ms (the line's product pitch). Default 20. */
  readonly printMs?: number;
  /** Items the device buffers before it reports full. Default 32. */
  readonly bufferSize?: number;
  /** After `restart()` the device ignores the line for this long (boot), in ms. Default 300. */
  readonly bootMs?: number;
  /** Show codes in full in the readable log (default: masked, like every other log). */
  readonly showCodes?: boolean;
}

/** One host connection (a TCP socket or the serial port). */
export interface EmulatorPeer {
  readonly id: number;
  write(bytes: Uint8Array): void;
}

export interface PrintedItem {
  readonly code: string;
  readonly detail: string;
}

/**
 * Device-side base: serves TCP clients or one serial port, applies the fault knobs to replies, and runs a print
 * engine that takes queued items one per `printMs` while no device fault is set. Vendor emulators parse their
 * own protocol (they never import driver code) and decide what to queue and what to answer.
 */
export abstract class PrinterEmulator {
  readonly faults: EmulatorFaults = { ...DEFAULT_FAULTS };
  /** Every item printed, in order, since start (kept across restarts). */
  readonly printed: PrintedItem[] = [];
  /** Every item the device accepted into its buffer, in order (printed, pending, overwritten or lost). */
  readonly accepted: PrintedItem[] = [];
  protected readonly printMs: number;
  protected readonly bufferSize: number;
  protected readonly showCodes: boolean;
  protected readonly bootMs: number;
  /** True while the device boots after a restart: it reads and answers nothing. */
  protected booting = false;
  protected queue: PrintedItem[] = [];
  /** The item on the print head now, if any. */
  protected current: PrintedItem | null = null;
  #server: Server | null = null;
  #sockets = new Set<Socket>();
  #serial: SerialPort | null = null;
  #serialPeerId = -1;
  #peers = new Map<number, EmulatorPeer>();
  #nextPeer = 1;
  #engine: NodeJS.Timeout | null = null;
  #pending = new Set<NodeJS.Timeout>();
  #log = new Set<(line: string) => void>();
  #closed = false;

  constructor(options: EmulatorOptions = {}) {
    this.printMs = options.printMs ?? 20;
    this.bufferSize = options.bufferSize ?? 32;
    this.showCodes = options.showCodes ?? false;
    this.bootMs = options.bootMs ?? 300;
  }

  /** Vendor protocol: bytes from one peer. Must bound its own buffers. */
  protected abstract onBytes(peer: EmulatorPeer, bytes: Uint8Array): void;
  /** A peer connected (TCP) or the port opened (serial). */
  protected onPeer(_peer: EmulatorPeer): void {}
  /** The print engine finished an item; vendors send print-end events from here. */
  protected onPrinted(_item: PrintedItem): void {}
  /** Line noise sent before replies when `faults.garbage` is set; line protocols end it with their terminator. */
  protected garbageBytes(): Uint8Array {
    return Uint8Array.from([0x7f, 0x41, 0x00, 0x5a]);
  }
  /** Parser state to drop on restart. */
  protected abstract resetProtocol(): void;

  get deviceFaulted(): boolean {
    return this.faults.ribbonOut || this.faults.paperOut || this.faults.headOpen;
  }

  /** Readable log lines (what the emulator received and did). */
  onLog(listener: (line: string) => void): { dispose(): void } {
    this.#log.add(listener);
    return { dispose: () => { this.#log.delete(listener); } };
  }

  protected log(line: string): void {
    for (const l of this.#log) l(line);
  }

  protected shown(code: string): string {
    return this.showCodes ? code : maskCode(code);
  }

  async listenTcp(host = '127.0.0.1', port = 0): Promise<{ host: string; port: number }> {
    const server = createServer((socket) => {
      socket.setNoDelay(true);
      this.#sockets.add(socket);
      const peer: EmulatorPeer = { id: this.#nextPeer++, write: (b) => { if (!socket.destroyed) socket.write(b); } };
      this.#peers.set(peer.id, peer);
      socket.on('data', (chunk: Buffer) => { if (!this.booting) this.onBytes(peer, new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)); });
      socket.on('error', () => undefined);
      socket.once('close', () => { this.#sockets.delete(socket); this.#peers.delete(peer.id); this.log(`连接关闭 (peer ${peer.id} disconnected)`); });
      this.log(`新连接 (peer ${peer.id} connected from ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'})`);
      this.onPeer(peer);
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => { server.removeListener('error', reject); resolve(); });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('emulator: no TCP address');
    return { host: address.address, port: address.port };
  }

  async attachSerial(path: string, baudRate = 9600): Promise<void> {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => { port.open((e) => { if (e) reject(e); else resolve(); }); });
    this.#serial = port;
    const peer: EmulatorPeer = { id: this.#nextPeer++, write: (b) => { if (port.isOpen) port.write(Buffer.from(b)); } };
    this.#peers.set(peer.id, peer);
    this.#serialPeerId = peer.id;
    port.on('data', (chunk: Buffer) => { if (!this.booting) this.onBytes(peer, new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)); });
    port.on('error', () => undefined);
    this.log(`串口已打开 (serial ${path} open)`);
    this.onPeer(peer);
  }

  /** Writes a reply through the fault knobs (drop, delay, garbage, oversize, split). */
  protected reply(peer: EmulatorPeer, bytes: Uint8Array, oversizeFrame?: () => Uint8Array): void {
    if (this.faults.dropReplies > 0 && this.faults.dropAfter > 0) {
      this.faults.dropAfter -= 1;
    } else if (this.faults.dropReplies > 0) {
      this.faults.dropReplies -= 1;
      this.log('故障注入: 丢弃应答 (fault: reply dropped)');
      return;
    }
    const parts: Uint8Array[] = [];
    if (this.faults.garbage) parts.push(this.garbageBytes());
    if (this.faults.oversize && oversizeFrame) {
      this.faults.oversize = false;
      parts.push(oversizeFrame());
    }
    parts.push(bytes);
    const all = Buffer.concat(parts);
    const send = (): void => {
      if (this.booting) return;
      if (this.faults.splitReplies) for (const byte of all) peer.write(Uint8Array.of(byte));
      else peer.write(all);
    };
    if (this.faults.replyDelayMs > 0) this.later(this.faults.replyDelayMs, send);
    else send();
  }

  /** Sends an unsolicited message to every connected peer (async print events). */
  protected broadcast(bytes: Uint8Array): void {
    if (this.booting) return;
    for (const peer of this.#peers.values()) peer.write(bytes);
  }

  protected later(ms: number, fn: () => void): void {
    const t = setTimeout(() => { this.#pending.delete(t); if (!this.#closed) fn(); }, ms);
    this.#pending.add(t);
  }

  /** Queues an item for the print engine; false when the buffer is full. */
  protected enqueue(item: PrintedItem): boolean {
    if (this.queue.length >= this.bufferSize || this.faults.bufferFull) return false;
    this.queue.push(item);
    this.accepted.push(item);
    this.kick();
    return true;
  }

  /** Changes fault knobs at run time; clearing a device fault resumes printing. */
  set(faults: Partial<EmulatorFaults>): void {
    Object.assign(this.faults, faults);
    this.kick();
  }

  /** Restarts the engine after a fault is cleared. */
  kick(): void {
    if (this.#engine || this.#closed) return;
    if (this.deviceFaulted || this.queue.length === 0) return;
    this.current = this.queue.shift() ?? null;
    this.#engine = setTimeout(() => {
      this.#engine = null;
      const item = this.current;
      this.current = null;
      if (item) {
        this.printed.push(item);
        this.log(`已打印 (printed) ${this.shown(item.code)}`);
        this.onPrinted(item);
      }
      this.kick();
    }, this.printMs);
  }

  /**
   * Power cycle: every TCP connection drops, buffered items are lost, parser state is cleared, and for `bootMs`
   * the device reads and answers nothing (on a serial line this silence is the only sign of the restart).
   */
  async restart(): Promise<void> {
    this.log('重启 (restart): 缓冲区清空 (buffer lost)');
    this.booting = true;
    this.later(this.bootMs, () => { this.booting = false; this.log('启动完成 (boot complete)'); });
    if (this.#engine) clearTimeout(this.#engine);
    this.#engine = null;
    this.current = null;
    this.queue = [];
    this.resetProtocol();
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    // A serial line has no connection to drop: the host just stops getting answers for what was buffered.
    for (const id of [...this.#peers.keys()]) if (id !== this.#serialPeerId) this.#peers.delete(id);
    await new Promise((r) => setImmediate(r));
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#engine) clearTimeout(this.#engine);
    this.#engine = null;
    for (const t of this.#pending) clearTimeout(t);
    this.#pending.clear();
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    const server = this.#server;
    this.#server = null;
    if (server) await new Promise<void>((resolve) => { server.close(() => { resolve(); }); });
    const serial = this.#serial;
    this.#serial = null;
    if (serial?.isOpen) await new Promise<void>((resolve) => { serial.close(() => { resolve(); }); });
    this.#peers.clear();
  }
}
