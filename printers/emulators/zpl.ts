import { connect, type Socket } from 'node:net';
import { PrinterEmulator, type EmulatorFaults, type EmulatorOptions, type EmulatorPeer, type PrintedItem } from './printer-emulator.ts';

const STX = '\u0002';
const ETX = '\u0003';
const GS = '\u001d';
/** Bound on buffered, unterminated input (a real printer's receive buffer is finite too). */
const MAX_PENDING = 64 * 1024;

/**
 * ^SX conditions this emulator can raise (guide: ^SX parameter a) and the text it sends. [?] The guide does not
 * give the alert message text; this is our stand-in, one line per alert: `ALERT: <NAME>` when set,
 * `ALERT CLEARED: <NAME>` when cleared, CR LF terminated.
 */
const ALERTABLE: ReadonlyArray<readonly [condition: string, knob: 'paperOut' | 'ribbonOut' | 'headOpen', name: string]> = [
  ['A', 'paperOut', 'PAPER OUT'], ['B', 'ribbonOut', 'RIBBON OUT'], ['E', 'headOpen', 'HEAD OPEN'],
];

interface AlertRoute {
  readonly onSet: boolean;
  readonly onClear: boolean;
  readonly host: string;
  readonly port: number;
}

interface StoredFormat {
  /** Commands after ^DF…^FS, each without its leading '^'. */
  readonly commands: readonly string[];
}

/**
 * Zebra ZPL II printer emulator, written from the ZPL II Programming Guide (not from the driver):
 * - `~` commands act at once, even mid-format: ~HS (three-string host status), ~HI (identification), ~JA (cancel all).
 * - `^XA … ^XZ` formats: ^DF stores a format, ^XF recalls it, ^FN n + ^FD fills field n, ^FH\ hex escapes,
 *   ^PQ quantity. Each recalled label is queued; the engine prints one per printMs.
 * - The printed item's `code` is decoded from the field data the way the symbology reads it:
 *   ^BX escape `_` (`_1` FNC1 → GS1 / GS, `__` → `_`), ^BC invocation codes (`>;` `>5` `>6` start/switch,
 *   `>8` FNC1, `><` '>'), ^BQ `QA,` prefix.
 * ~HS: eee = formats waiting (not counting the one printing), uuuuuuuu = labels left of the printing format.
 * ^SXa,b,c,d,e,f (ZebraNet alerts): destination D (TCP/IP) is honoured — when a fault knob for a configured
 * condition changes, the printer connects to e:f (once, then keeps the connection) and sends the alert line;
 * other destinations are logged and ignored. Alert routes survive `restart()` (saved settings).
 */
export class ZplEmulator extends PrinterEmulator {
  #pending = '';
  readonly #formats = new Map<string, StoredFormat>();
  readonly #alertRoutes = new Map<string, AlertRoute>();
  readonly #alertSockets = new Map<string, Socket>();

  constructor(options: EmulatorOptions = {}) {
    super(options);
  }

  protected override resetProtocol(): void {
    this.#pending = '';
    this.#formats.clear();
  }

  protected override onBytes(peer: EmulatorPeer, bytes: Uint8Array): void {
    this.#pending += Buffer.from(bytes).toString('latin1');
    if (this.#pending.length > MAX_PENDING) {
      this.log(`输入过长，丢弃 ${this.#pending.length} 字节 (input over ${MAX_PENDING} bytes discarded)`);
      this.#pending = '';
      return;
    }
    for (;;) {
      const tilde = this.#pending.indexOf('~');
      const start = this.#pending.indexOf('^XA');
      if (tilde >= 0 && (start < 0 || tilde < start || this.#pending.indexOf('^XZ', start) < 0 || tilde < this.#pending.indexOf('^XZ', start))) {
        if (this.#pending.length < tilde + 3) return;
        const cmd = this.#pending.slice(tilde + 1, tilde + 3).toUpperCase();
        this.#pending = this.#pending.slice(0, tilde) + this.#pending.slice(tilde + 3);
        this.#control(peer, cmd);
        continue;
      }
      if (start < 0) {
        if (this.#pending.trim().length > 0 && !this.#pending.includes('^')) this.#pending = '';
        return;
      }
      const end = this.#pending.indexOf('^XZ', start);
      if (end < 0) return;
      const body = this.#pending.slice(start + 3, end);
      this.#pending = this.#pending.slice(end + 3);
      this.#format(body);
    }
  }

  #control(peer: EmulatorPeer, cmd: string): void {
    this.log(`收到 (rx) ~${cmd}`);
    if (cmd === 'HS') {
      if (this.faults.silentWhenFaulted && this.deviceFaulted) { this.log('故障中不应答 ~HS (silent while faulted)'); return; }
      const f = this.faults;
      const b = (x: boolean): string => (x ? '1' : '0');
      const eee = String(this.queue.length).padStart(3, '0');
      const u = String(this.current ? 1 : 0).padStart(8, '0');
      const reply = `${STX}030,${b(f.paperOut)},0,1218,${eee},${b(f.bufferFull)},0,0,000,0,0,0${ETX}\r\n`
        + `${STX}001,0,${b(f.headOpen)},${b(f.ribbonOut)},1,2,6,0,${u},0,000${ETX}\r\n`
        + `${STX}1234,0${ETX}\r\n`;
      this.reply(peer, Buffer.from(reply, 'latin1'), () => Buffer.from(`${STX}${'9'.repeat(600)}${ETX}\r\n`, 'latin1'));
    } else if (cmd === 'HI') {
      this.reply(peer, Buffer.from(`${STX}ZT410-203dpi,V75.20.01Z,8,8176KB,WUMA-EMU${ETX}\r\n`, 'latin1'));
    } else if (cmd === 'JA') {
      this.log(`取消全部 (cancel all): ${this.queue.length} 张标签 (labels)`);
      this.queue = [];
    }
  }

  override set(faults: Partial<EmulatorFaults>): void {
    const before = ALERTABLE.map(([, knob]) => this.faults[knob]);
    super.set(faults);
    for (const [i, [condition, knob, name]] of ALERTABLE.entries()) {
      const now = this.faults[knob];
      if (now === before[i]) continue;
      const route = this.#alertRoutes.get(condition);
      if (route && (now ? route.onSet : route.onClear)) this.#sendAlert(route, now ? `ALERT: ${name}\r\n` : `ALERT CLEARED: ${name}\r\n`);
    }
  }

  override async close(): Promise<void> {
    for (const s of this.#alertSockets.values()) s.destroy();
    this.#alertSockets.clear();
    await super.close();
  }

  #sendAlert(route: AlertRoute, text: string): void {
    const key = `${route.host}:${route.port}`;
    let socket = this.#alertSockets.get(key);
    if (!socket || socket.destroyed) {
      socket = connect(route.port, route.host);
      socket.setNoDelay(true);
      socket.on('error', () => undefined);
      const s = socket;
      socket.once('close', () => { if (this.#alertSockets.get(key) === s) this.#alertSockets.delete(key); });
      this.#alertSockets.set(key, socket);
    }
    this.log(`报警 (alert) → ${key}: ${text.trim()}`);
    socket.write(text);
  }

  /** ^SXa,b,c,d,e,f (guide: ^SX). Missing or invalid a / b: ignored, as the guide says. */
  #configureAlert(params: string): void {
    const [a = '', b = '', c = 'Y', d = 'N', e = '', f = ''] = params.split(',');
    const conditions = a === '*' ? ALERTABLE.map(([x]) => x) : [a];
    if (!/^[A-V*]$/.test(a) || !/^[A-F]$/.test(b)) { this.log(`^SX 参数无效，忽略 (invalid ^SX ${params}; ignored)`); return; }
    if (b !== 'D') { this.log(`^SX 目的地 ${b} 未模拟 (destination ${b} not emulated)`); return; }
    const port = Number.parseInt(f, 10);
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(e) || !Number.isInteger(port) || port < 0 || port > 65535) { this.log(`^SX 地址无效 (invalid ^SX address ${e}:${f})`); return; }
    for (const condition of conditions) this.#alertRoutes.set(condition, { onSet: c === 'Y', onClear: d === 'Y', host: e, port });
    this.log(`报警已配置 (alert configured) ${a} → ${e}:${port}`);
  }

  #format(body: string): void {
    const commands = body.split('^').filter((c) => c.length > 0);
    for (const c of commands) if (c.startsWith('SX')) this.#configureAlert(c.slice(2));
    if (commands.length > 0 && commands.every((c) => c.startsWith('SX'))) return;
    const df = commands.findIndex((c) => c.startsWith('DF'));
    if (df >= 0) {
      const name = (commands[df] ?? '').slice(2);
      this.#formats.set(name, { commands: commands.slice(df + 1).filter((c) => c !== 'FS' || true) });
      this.log(`存储格式 (stored format) ${name}`);
      return;
    }
    const xf = commands.find((c) => c.startsWith('XF'));
    const fields = new Map<string, string>();
    let quantity = 1;
    let hex: string | null = null;
    let fieldNo: string | null = null;
    for (const c of commands) {
      if (c.startsWith('FN')) fieldNo = c.slice(2);
      else if (c.startsWith('FH')) hex = c.slice(2) || '_';
      else if (c.startsWith('FD')) {
        const raw = c.slice(2);
        fields.set(fieldNo ?? '', hex === null ? raw : this.#unhex(raw, hex));
        fieldNo = null;
        hex = null;
      } else if (c.startsWith('PQ')) quantity = Math.max(1, Number.parseInt(c.slice(2), 10) || 1);
    }
    let expanded: string;
    let element = '';
    let data = fields.get('') ?? '';
    if (xf) {
      const name = xf.slice(2);
      const stored = this.#formats.get(name);
      if (!stored) { this.log(`格式不存在，忽略 (no stored format ${name}; label ignored)`); return; }
      const out: string[] = [];
      for (const c of stored.commands) {
        if (c.startsWith('FN')) {
          const value = fields.get(c.slice(2)) ?? '';
          data = value;
          out.push(`FD${value}`);
        } else out.push(c);
        if (c.startsWith('BX') || c.startsWith('BC') || c.startsWith('BQ') || c.startsWith('A')) element = c;
      }
      expanded = `^XA^${out.join('^')}^XZ`;
    } else {
      element = commands.find((c) => c.startsWith('BX') || c.startsWith('BC') || c.startsWith('BQ')) ?? '';
      expanded = `^XA^${commands.join('^')}^XZ`;
    }
    if (this.faults.nakJobs > 0) {
      this.faults.nakJobs -= 1;
      this.log('故障注入: 丢弃标签 (fault: label discarded)');
      return;
    }
    const code = this.#decode(element, data);
    for (let i = 0; i < quantity; i += 1) {
      const item: PrintedItem = { code, detail: expanded };
      if (!this.enqueue(item)) { this.log('缓冲区满，丢弃标签 (buffer full; label dropped)'); return; }
      this.log(`排队 (queued) ${this.shown(code)} [${element.slice(0, 2)}]`);
    }
  }

  /** ^FH: `<indicator>hh` is one byte (guide: ^FH). */
  #unhex(raw: string, indicator: string): string {
    const bytes: number[] = [];
    for (let i = 0; i < raw.length; i += 1) {
      const hh = raw.slice(i + 1, i + 3);
      if (raw[i] === indicator && /^[0-9A-Fa-f]{2}$/.test(hh)) { bytes.push(Number.parseInt(hh, 16)); i += 2; }
      else bytes.push(raw.charCodeAt(i) & 0xff);
    }
    return Buffer.from(bytes).toString('utf8');
  }

  /** What the symbol encodes, per the element's escape rules. */
  #decode(element: string, data: string): string {
    if (element.startsWith('BQ')) return data.replace(/^[HQML][AM],/, '');
    if (element.startsWith('BX')) {
      const escape = element.split(',')[6] ?? '';
      if (escape.length !== 1) return data;
      let out = '';
      for (let i = 0; i < data.length; i += 1) {
        if (data[i] === escape && data[i + 1] === '1') { if (i > 0) out += GS; i += 1; }
        else if (data[i] === escape && data[i + 1] === escape) { out += escape; i += 1; }
        else out += data[i];
      }
      return out;
    }
    if (element.startsWith('BC')) {
      let out = '';
      let fnc1Seen = false;
      for (let i = 0; i < data.length; i += 1) {
        if (data[i] === '>' && i + 1 < data.length) {
          const c = data[i + 1];
          i += 1;
          if (c === '<') out += '>';
          else if (c === '8') { if (fnc1Seen) out += GS; fnc1Seen = true; }
          continue;
        }
        out += data[i];
      }
      return out;
    }
    return data;
  }
}
