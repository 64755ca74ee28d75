import ModbusSerial from 'modbus-serial';
import { PlcClosedError, PlcError, PlcExceptionError, PlcOfflineError, PlcTimeoutError } from '../errors.ts';
import { packmlState } from '../packml.ts';
import type { LineCounters, PlcPort, PlcStatus, PlcTiming, RejectOutcome, StackLight } from '../plc-port.ts';
import { u32ToWords } from '../register-map.ts';
import type { HoldingName, ModbusRegisterMap } from '../register-map.ts';
import { PolledPlc } from './polled-plc.ts';

/** modbus-serial is CommonJS with `export default` typings: under nodenext the class is the module's `default`. */
const ModbusClient = ModbusSerial.default;
type ModbusRTU = InstanceType<typeof ModbusClient>;

export type ModbusLink =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'rtu'; readonly path: string; readonly baudRate: number };

export interface ModbusPlcOptions {
  readonly link: ModbusLink;
  readonly map: ModbusRegisterMap;
  readonly timing?: Partial<PlcTiming>;
}

/** Delay between reads of `rejectConfirm` while a pulse waits (ms): short, since the round trip is the measurement. */
const CONFIRM_POLL_MS = 1;
const MAX_RECONNECT_MS = 5_000;
const STATUS_FIELDS = ['triggerCounter', 'rejectConfirm', 'plcHeartbeat', 'packmlState'] as const satisfies readonly HoldingName[];
/** FC03 reads at most 125 registers (Modbus Application Protocol V1.1b3 §6.3). */
const MAX_READ = 125;

const EXCEPTION_TEXT: Readonly<Record<number, string>> = {
  1: '非法功能码 (illegal function)',
  2: '非法数据地址，请检查寄存器表 (illegal data address; check the register map)',
  3: '非法数据值 (illegal data value)',
  4: '从站设备故障 (slave device failure)',
  6: '从站忙 (slave device busy)',
};

/**
 * The station's PLC port over Modbus TCP or RTU (modbus-serial as the master). All requests go through one queue,
 * because a Modbus link carries one transaction at a time (RTU by nature; many PLC TCP servers likewise).
 * A timeout or a broken link drops the connection; the poll loop reconnects with doubling back-off and re-reads the
 * trigger counter as a new baseline (`trigger-resync`), since edges during the gap cannot be known.
 */
export class ModbusPlc extends PolledPlc implements PlcPort {
  readonly kind: 'modbus-tcp' | 'modbus-rtu';
  readonly #link: ModbusLink;
  readonly #map: ModbusRegisterMap;
  #client: ModbusRTU | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #nextReconnectAt = 0;
  #reconnectDelay: number;
  #lastTrigger = 0;
  #rejectSeq = 0;
  #acceptSeq = 0;

  constructor(options: ModbusPlcOptions) {
    super(options.timing);
    this.kind = options.link.kind === 'tcp' ? 'modbus-tcp' : 'modbus-rtu';
    this.#link = options.link;
    this.#map = options.map;
    this.#reconnectDelay = this.timing.reconnectDelayMs;
  }

  get #where(): string {
    return this.#link.kind === 'tcp' ? `${this.#link.host}:${this.#link.port}` : this.#link.path;
  }

  async connect(): Promise<void> {
    if (this.state === 'closed') throw new PlcClosedError();
    await this.#open();
    const status = await this.readStatus();
    this.#lastTrigger = status.triggerCounter;
    this.heartbeatBaseline(status.plcHeartbeat);
    this.startLoops();
  }

  async close(): Promise<void> {
    if (!this.stopLoops()) return;
    await this.#queue.catch(() => undefined);
    await this.#dropClient();
  }

  async #open(): Promise<void> {
    const client = new ModbusClient();
    try {
      if (this.#link.kind === 'tcp') {
        await client.connectTCP(this.#link.host, { port: this.#link.port, timeout: this.timing.requestTimeoutMs });
      } else {
        await client.connectRTUBuffered(this.#link.path, { baudRate: this.#link.baudRate });
      }
    } catch (error) {
      await closeClient(client);
      throw new PlcOfflineError(`无法连接 PLC ${this.#where}: ${errorText(error)}，请检查网线/串口与 PLC 电源 (cannot connect to the PLC)`, { cause: error });
    }
    client.setID(this.#map.unitId);
    client.setTimeout(this.timing.requestTimeoutMs);
    this.#client = client;
    // Start the pulse sequences after whatever the PLC last saw, so the first pulse is a change even after a restart.
    // One transaction at a time: RTU cannot interleave requests.
    try {
      this.#rejectSeq = await this.#readOne('rejectPulse');
      this.#acceptSeq = await this.#readOne('acceptPulse');
    } catch (error) {
      await this.#dropClient();
      throw this.#translate('读取序号寄存器 (sequence register read)', error);
    }
  }

  async #dropClient(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    if (client) await closeClient(client);
  }

  /** Runs one Modbus transaction in the queue; translates modbus-serial errors and drops the link on timeout/offline. */
  #request<T>(what: string, run: (client: ModbusRTU) => Promise<T>): Promise<T> {
    const result = this.#queue.catch(() => undefined).then(async () => {
      const client = this.#client;
      if (this.state === 'closed' && client === null) throw new PlcClosedError();
      if (client === null || !client.isOpen) {
        const error = new PlcOfflineError(`PLC ${this.#where} 未连接 (PLC link is down)`);
        await this.#dropClient();
        this.#markDown(error);
        throw error;
      }
      try {
        return await run(client);
      } catch (error) {
        const translated = this.#translate(what, error);
        if (!(translated instanceof PlcExceptionError)) {
          await this.#dropClient();
          this.#markDown(translated);
        }
        throw translated;
      }
    });
    this.#queue = result;
    return result;
  }

  #translate(what: string, error: unknown): PlcError {
    const e = error as { modbusCode?: number; errno?: string; message?: string };
    if (typeof e.modbusCode === 'number') {
      const text = EXCEPTION_TEXT[e.modbusCode] ?? `异常码 ${e.modbusCode} (exception code ${e.modbusCode})`;
      return new PlcExceptionError(e.modbusCode, `PLC ${this.#where} 拒绝了${what}: ${text}`, { cause: error });
    }
    if (e.errno === 'ETIMEDOUT' || e.message === 'Timed out') {
      return new PlcTimeoutError(`PLC ${this.#where} 在 ${this.timing.requestTimeoutMs} ms 内未应答${what} (no reply within the request timeout)`, { cause: error });
    }
    return new PlcOfflineError(`与 PLC ${this.#where} 的连接中断 (${what}): ${errorText(error)} (PLC link lost)`, { cause: error });
  }

  #markDown(error: Error): void {
    if (this.state !== 'open') return;
    this.state = 'down';
    this.#nextReconnectAt = Date.now() + this.#reconnectDelay;
    this.emit({ kind: 'connection-lost', error });
  }

  async #readOne(name: HoldingName): Promise<number> {
    const client = this.#client;
    if (!client) throw new PlcOfflineError(`PLC ${this.#where} 未连接 (PLC link is down)`);
    const reply = await client.readHoldingRegisters(this.#map.holding[name], 1);
    return reply.data[0] ?? 0;
  }

  async readStatus(): Promise<PlcStatus> {
    const h = this.#map.holding;
    const addresses = STATUS_FIELDS.map((f) => h[f]);
    const low = Math.min(...addresses);
    const span = Math.max(...addresses) - low + 1;
    const values = await this.#request('读取状态寄存器 (status read)', async (client) => {
      if (span <= MAX_READ) {
        const { data } = await client.readHoldingRegisters(low, span);
        return addresses.map((a) => data[a - low] ?? 0);
      }
      const out: number[] = [];
      for (const a of addresses) out.push((await client.readHoldingRegisters(a, 1)).data[0] ?? 0);
      return out;
    });
    const [triggerCounter = 0, rejectConfirm = 0, plcHeartbeat = 0, packml = 0] = values;
    return { triggerCounter, rejectConfirm, plcHeartbeat, packml: packmlState(packml) };
  }

  protected override async pulseOnce(reason: number): Promise<RejectOutcome> {
    const h = this.#map.holding;
    this.#rejectSeq = nextSequence(this.#rejectSeq);
    const sequence = this.#rejectSeq;
    const started = performance.now();
    await this.#request('剔除请求 (reject pulse)', async (client) => {
      if (h.rejectPulse === h.rejectReason + 1) {
        await client.writeRegisters(h.rejectReason, [reason, sequence]);
      } else {
        await client.writeRegister(h.rejectReason, reason);
        await client.writeRegister(h.rejectPulse, sequence);
      }
    });
    const deadline = started + this.timing.rejectConfirmTimeoutMs;
    for (;;) {
      const confirmed = await this.#request('读取剔除确认 (reject confirm read)', async (client) => (await client.readHoldingRegisters(h.rejectConfirm, 1)).data[0]);
      const now = performance.now();
      if (confirmed === sequence) return { kind: 'confirmed', sequence, elapsedMs: now - started };
      if (now >= deadline || this.state === 'closed') return { kind: 'not-confirmed', sequence, waitedMs: now - started };
      await sleep(Math.min(CONFIRM_POLL_MS, deadline - now));
    }
  }

  async accept(): Promise<void> {
    this.#acceptSeq = nextSequence(this.#acceptSeq);
    const sequence = this.#acceptSeq;
    await this.#request('放行 (accept)', (client) => client.writeRegister(this.#map.holding.acceptPulse, sequence));
  }

  async setStackLight(light: StackLight): Promise<void> {
    const c = this.#map.coils;
    const bits: [number, boolean][] = [[c.stackGreen, light.green], [c.stackYellow, light.yellow], [c.stackRed, light.red], [c.stackBuzzer, light.buzzer]];
    bits.sort((a, b) => a[0] - b[0]);
    const first = bits[0]![0];
    const contiguous = bits.every(([a], i) => a === first + i);
    await this.#request('三色灯 (stack light)', async (client) => {
      if (contiguous) {
        await client.writeCoils(first, bits.map(([, v]) => v));
      } else {
        for (const [a, v] of bits) await client.writeCoil(a, v);
      }
    });
  }

  async lineStop(on: boolean): Promise<void> {
    await this.#request('停线 (line stop)', (client) => client.writeCoil(this.#map.coils.lineStop, on));
  }

  async writeCounters(counters: LineCounters): Promise<void> {
    const h = this.#map.holding;
    const o = this.#map.wordOrder;
    const entries: [number, [number, number]][] = [
      [h.goodCount, u32ToWords(counters.good, o)],
      [h.rejectCount, u32ToWords(counters.reject, o)],
      [h.noReadCount, u32ToWords(counters.noRead, o)],
    ];
    entries.sort((a, b) => a[0] - b[0]);
    const first = entries[0]![0];
    const contiguous = entries.every(([a], i) => a === first + 2 * i);
    await this.#request('写计数 (counter write)', async (client) => {
      if (contiguous) {
        await client.writeRegisters(first, entries.flatMap(([, w]) => w));
      } else {
        for (const [a, w] of entries) await client.writeRegisters(a, w);
      }
    });
  }

  protected override async pollOnce(): Promise<void> {
    if (this.state === 'down') {
      if (Date.now() < this.#nextReconnectAt) return;
      try {
        await this.#open();
        const status = await this.readStatus();
        if (this.state !== 'down') return;
        this.state = 'open';
        this.#reconnectDelay = this.timing.reconnectDelayMs;
        this.emit({ kind: 'connection-restored' });
        if (status.triggerCounter !== this.#lastTrigger) {
          this.emit({ kind: 'trigger-resync', previous: this.#lastTrigger, current: status.triggerCounter });
        }
        this.#lastTrigger = status.triggerCounter;
      } catch {
        await this.#dropClient();
        this.#reconnectDelay = Math.min(this.#reconnectDelay * 2, MAX_RECONNECT_MS);
        this.#nextReconnectAt = Date.now() + this.#reconnectDelay;
      }
      return;
    }
    if (this.state !== 'open') return;
    let status: PlcStatus;
    try {
      status = await this.readStatus();
    } catch (error) {
      // Offline and timeout already marked the link down; an exception or a bad PackML number is reported once per poll.
      if (error instanceof PlcExceptionError || (error instanceof PlcError && error.code === 'PLC_PROTOCOL')) {
        this.emit({ kind: 'connection-lost', error });
      }
      return;
    }
    const now = Date.now();
    const advancedBy = (status.triggerCounter - this.#lastTrigger + 0x10000) % 0x10000;
    if (advancedBy > 0) {
      this.#lastTrigger = status.triggerCounter;
      this.emit({ kind: 'trigger', trigger: { counter: status.triggerCounter, advancedBy, at: now } });
    }
    this.watchHeartbeat(status.plcHeartbeat, now);
  }

  protected override async writeStationBeat(beat: number): Promise<void> {
    await this.#request('心跳 (heartbeat)', (client) => client.writeRegister(this.#map.holding.stationHeartbeat, beat));
  }
}

/** Next non-zero u16 sequence number (0 means "never pulsed" in a freshly started PLC). */
function nextSequence(previous: number): number {
  const next = (previous + 1) & 0xffff;
  return next === 0 ? 1 : next;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => { setTimeout(resolve, Math.max(0, ms)); });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Closes a modbus-serial client. Its close callback never fires for a socket the peer already closed, so an
 * already-closed client is destroyed instead, and the wait is bounded.
 */
function closeClient(client: ModbusRTU): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { client.destroy(); resolve(); }, 500);
    const done = (): void => { clearTimeout(timer); resolve(); };
    try {
      if (client.isOpen) client.close(done);
      else client.destroy(done);
    } catch {
      done();
    }
  });
}
