import type { ClientSession, ClientSubscription, Variant } from 'node-opcua';
import { OpcuaSession, type OpcuaModule } from '../../../links/index.ts';
import { PlcClosedError, PlcExceptionError, PlcOfflineError, PlcProtocolError } from '../errors.ts';
import type { OpcuaTagMap, OpcuaVariableName } from '../opcua-tag-map.ts';
import { packmlState } from '../packml.ts';
import type { LineCounters, PlcPort, PlcStatus, PlcTiming, RejectOutcome, StackLight } from '../plc-port.ts';
import { PolledPlc } from './polled-plc.ts';

export interface OpcuaPlcOptions {
  /** e.g. `opc.tcp://192.168.0.10:4840` (S7-1500 default port, notes/devices.md §3.2). */
  readonly endpointUrl: string;
  readonly tags: OpcuaTagMap;
  readonly timing?: Partial<PlcTiming>;
}

const NAMESPACE_ARRAY = 'ns=0;i=2255';
/** Server_ServerStatus_StartTime (OPC UA Part 5 §6.3.1, ServerStatusDataType.startTime): changes when the server restarts. */
const SERVER_START_TIME = 'ns=0;i=2257';
/** The trigger counter is a u16 (tag map: UInt16); differences are taken modulo 2^16. */
const U16 = 0x10000;
/**
 * A counter that lies more than half the range ahead is taken as behind: one event per PLC scan never carries
 * 32,768 edges, so such an event is stale (queued before a resync that already counted it).
 */
const HALF = 0x8000;
/** Trigger events held while a reconnect is checked for a PLC restart; beyond this the newest are dropped and the
 * counter read that follows reports them as a `trigger-resync` (the server's own queue is as deep). */
const HOLD_LIMIT = 10_000;
/** Publishing intervals to wait after a reconnect for queued events to drain before the counter is trusted. */
const DRAIN_INTERVALS = 4;

/** The OPC UA built-in types this driver writes (OPC UA Part 6 §5.1.2), by node-opcua's DataType names. */
type UaType = 'Boolean' | 'UInt16' | 'UInt32';

const u16Ahead = (counter: number, base: number): number => (((counter - base) % U16) + U16) % U16;

/**
 * After `connection_reestablished` (node-opcua has repaired the session and transferred or recreated the
 * subscription): `check` reads the counter and the server start time; `drain` waits for events queued during the
 * outage, then reads the counter; `confirm` gives events one more drain period to reach the counter read, so a
 * trigger raised during the read itself is reported as a trigger and not as a gap.
 */
type Resync =
  | { readonly phase: 'check' }
  | { readonly phase: 'drain'; readonly at: number }
  | { readonly phase: 'confirm'; readonly at: number; readonly counter: number };

/**
 * The station's PLC port over OPC UA (node-opcua client, SecurityPolicy None [?]: a plant would configure
 * Basic256Sha256 with certificates — not yet wired). Levels are variable writes; per-item facts are a method call
 * (PulseReject / Accept) and events (trigger, reject-confirm) from one event monitored item with a deep queue and
 * `discardOldest: false`, because data-change subscriptions sample and coalesce (feasibility §3c: 10,000 rapid
 * changes arrived as 2 notifications). The PLC heartbeat is read every poll interval for the watchdog.
 *
 * Reconnects never lose triggers silently. node-opcua keeps the subscription across a link outage (transfer and
 * republish), so events queued by the server may arrive late (with node-opcua 2.186 on both sides they do not: the
 * transfer resends a DataChangeNotification the client ignores for an event item); after a server restart the
 * subscription is recreated and the events of the gap are gone. So after a reconnect the poll loop reads the counter (see `Resync`): a changed
 * server start time or a counter behind the last event means a restart, reported at once as `trigger-resync`
 * when the counter differs; otherwise queued events get a few publishing intervals to drain, and a counter still
 * ahead of the last event is reported as `trigger-resync` and becomes the baseline. Events behind the baseline are
 * stale and ignored.
 */
export class OpcuaPlc extends PolledPlc implements PlcPort {
  readonly kind = 'opcua' as const;
  readonly #endpointUrl: string;
  readonly #tags: OpcuaTagMap;
  /** node-opcua, loaded by OpcuaSession.open in connect(): every other use of the module happens on a connected session. */
  #ua: OpcuaModule | null = null;
  #link: OpcuaSession | null = null;
  #session: ClientSession | null = null;
  #subscription: ClientSubscription | null = null;
  #ns = -1;
  #lastTrigger = 0;
  /** Server start time (ms since epoch) at the last check; null when the server does not expose it. */
  #serverStartedAt: number | null = null;
  #resync: Resync | null = null;
  /** Trigger counters from events while a reconnect is not yet checked; null when events pass straight through. */
  #held: number[] | null = null;
  #lastConfirm = 0;
  readonly #confirmListeners = new Set<(sequence: number) => void>();

  constructor(options: OpcuaPlcOptions) {
    super(options.timing);
    this.#endpointUrl = options.endpointUrl;
    this.#tags = options.tags;
  }

  #id(identifier: string): string {
    return `ns=${this.#ns};s=${identifier}`;
  }

  async connect(): Promise<void> {
    if (this.state === 'closed') throw new PlcClosedError();
    try {
      // After the first connect node-opcua keeps retrying for as long as the station runs.
      const link = await OpcuaSession.open({
        url: this.#endpointUrl,
        applicationName: 'wuma-station',
        reconnect: { initialDelayMs: this.timing.reconnectDelayMs, maxDelayMs: 5_000 },
        closeTimeoutMs: 2 * this.timing.requestTimeoutMs,
      });
      this.#link = link;
      this.#ua = link.ua;
      const { AttributeIds } = link.ua;
      link.onLost(() => {
        if (this.state !== 'open') return;
        this.state = 'down';
        this.#held ??= [];
        this.emit({ kind: 'connection-lost', error: new PlcOfflineError(`与 OPC UA PLC ${this.#endpointUrl} 的连接中断 (OPC UA link lost)`) });
      });
      link.onRestored(() => {
        if (this.state !== 'down') return;
        this.state = 'open';
        this.#held ??= [];
        this.#resync = { phase: 'check' };
        this.emit({ kind: 'connection-restored' });
      });
      const session = link.session;
      this.#session = session;
      const nsArray = await session.read({ nodeId: NAMESPACE_ARRAY, attributeId: AttributeIds.Value });
      const uris = (nsArray.value.value ?? []) as string[];
      this.#ns = uris.indexOf(this.#tags.namespaceUri);
      if (this.#ns < 0) {
        throw new PlcProtocolError(`OPC UA 服务器没有命名空间 ${this.#tags.namespaceUri}，请检查标签表 namespaceUri (namespace not found on the server)`);
      }
      const status = await this.readStatus();
      this.#lastTrigger = status.triggerCounter;
      this.#serverStartedAt = await this.#readStartTime(session);
      this.heartbeatBaseline(status.plcHeartbeat);
      await this.#subscribeEvents(link);
    } catch (error) {
      await this.#teardown();
      if (error instanceof PlcProtocolError) throw error;
      throw new PlcOfflineError(`无法连接 OPC UA PLC ${this.#endpointUrl}: ${error instanceof Error ? error.message : String(error)}，请检查地址、端口与 PLC 的 OPC UA 服务器设置 (cannot connect)`, { cause: error });
    }
    this.startLoops();
  }

  async #subscribeEvents(link: OpcuaSession): Promise<void> {
    const ua = link.ua;
    const subscription = link.keep(await link.session.createSubscription2({
      requestedPublishingInterval: 10,
      requestedLifetimeCount: 6_000,
      requestedMaxKeepAliveCount: 100,
      maxNotificationsPerPublish: 0,
      publishingEnabled: true,
      priority: 10,
    }));
    this.#subscription = subscription;
    const ns = this.#ns;
    // subscription.monitor resolves once the server has created the item (ClientMonitoredItem.create returns before,
    // and events raised in that window are lost).
    const item = await subscription.monitor(
      { nodeId: this.#id(this.#tags.object), attributeId: ua.AttributeIds.EventNotifier },
      { samplingInterval: 0, queueSize: 10_000, discardOldest: false, filter: ua.constructEventFilter([`${ns}:Fact`, `${ns}:Number`]) },
      ua.TimestampsToReturn.Neither,
    );
    item.on('changed', (fields: unknown) => { this.#onEvent(fields as Variant[]); });
  }

  #onEvent(fields: readonly Variant[]): void {
    const fact = fields[0]?.value as unknown;
    const number = Number(fields[1]?.value);
    if (fact === 'trigger') {
      if (this.#held === null) this.#onTriggerCounter(number);
      else if (this.#held.length < HOLD_LIMIT) this.#held.push(number);
    } else if (fact === 'reject-confirm') {
      this.#lastConfirm = number;
      for (const l of this.#confirmListeners) l(number);
    }
  }

  #onTriggerCounter(counter: number): void {
    const advancedBy = u16Ahead(counter, this.#lastTrigger);
    // 0: already counted. ≥ HALF: behind the baseline, i.e. queued before a resync that reported it.
    if (advancedBy === 0 || advancedBy >= HALF) return;
    this.#lastTrigger = counter;
    this.emit({ kind: 'trigger', trigger: { counter, advancedBy, at: Date.now() } });
  }

  /** Releases held trigger events in arrival order; the ones a resync already covered are stale and ignored. */
  #releaseHeld(): void {
    const held = this.#held ?? [];
    this.#held = null;
    for (const counter of held) this.#onTriggerCounter(counter);
  }

  #resyncTo(counter: number): void {
    if (counter !== this.#lastTrigger) this.emit({ kind: 'trigger-resync', previous: this.#lastTrigger, current: counter });
    this.#lastTrigger = counter;
  }

  /** A few revised publishing intervals (node-opcua's server revises 10 ms up to its floor, 50 ms). */
  #drainMs(): number {
    return DRAIN_INTERVALS * Math.max(this.#subscription?.publishingInterval ?? 50, 10);
  }

  async #readStartTime(session: ClientSession): Promise<number | null> {
    const { AttributeIds, StatusCodes } = this.#lib();
    const dv = await session.read({ nodeId: SERVER_START_TIME, attributeId: AttributeIds.Value });
    const value = dv.value.value as unknown;
    return dv.statusCode.value === StatusCodes.Good.value && value instanceof Date ? value.getTime() : null;
  }

  /** One step of the post-reconnect check, run from the poll loop; a failed read is retried at the next poll. */
  async #resyncStep(session: ClientSession): Promise<void> {
    const r = this.#resync;
    if (r === null || (r.phase !== 'check' && Date.now() < r.at)) return;
    if (r.phase === 'confirm') {
      this.#resync = null;
      // Events reached (or passed) the counter read: nothing was lost.
      if (u16Ahead(this.#lastTrigger, r.counter) < HALF) return;
      this.#resyncTo(r.counter);
      return;
    }
    const { AttributeIds, StatusCodes } = this.#lib();
    let counter: number;
    let startedAt: number | null = this.#serverStartedAt;
    try {
      const dv = await session.read({ nodeId: this.#id(this.#tags.variables.triggerCounter), attributeId: AttributeIds.Value });
      if (dv.statusCode.value !== StatusCodes.Good.value) return;
      counter = Number(dv.value.value);
      if (r.phase === 'check') startedAt = await this.#readStartTime(session);
    } catch {
      // The link is failing again: connection-lost reports it, and the next poll (or reconnect) retries.
      return;
    }
    if (this.#resync !== r) return;
    const restarted = (startedAt !== null && this.#serverStartedAt !== null && startedAt !== this.#serverStartedAt)
      || u16Ahead(counter, this.#lastTrigger) >= HALF;
    this.#serverStartedAt = startedAt;
    if (restarted) {
      // A new server process: its events start with the recreated subscription, so nothing is queued from before
      // and the counter may have restarted. The gap is the difference; held events up to the counter are in it.
      this.#resync = null;
      this.#resyncTo(counter);
      this.#releaseHeld();
      return;
    }
    if (r.phase === 'check') {
      this.#releaseHeld();
      this.#resync = { phase: 'drain', at: Date.now() + this.#drainMs() };
      return;
    }
    this.#resync = u16Ahead(counter, this.#lastTrigger) === 0 ? null : { phase: 'confirm', at: Date.now() + this.#drainMs(), counter };
  }

  async close(): Promise<void> {
    if (!this.stopLoops()) return;
    await this.pulsesDone();
    await this.#teardown();
  }

  /** Ends the session (politely only while the link is up, bounded by two request timeouts: OpcuaSession.close). */
  async #teardown(): Promise<void> {
    await this.#link?.close();
    this.#subscription = null;
    this.#session = null;
    this.#link = null;
  }

  /** node-opcua, loaded by connect(); every caller runs on a session connect() opened. */
  #lib(): OpcuaModule {
    if (this.#ua === null) throw new PlcOfflineError(`OPC UA PLC ${this.#endpointUrl} 未连接 (not connected)`);
    return this.#ua;
  }

  #live(): ClientSession {
    if (this.state === 'closed') throw new PlcClosedError();
    if (this.#session === null) throw new PlcOfflineError(`OPC UA PLC ${this.#endpointUrl} 未连接 (not connected)`);
    return this.#session;
  }

  async readStatus(): Promise<PlcStatus> {
    const session = this.#live();
    const { AttributeIds, StatusCodes } = this.#lib();
    const v = this.#tags.variables;
    const results = await session.read([v.triggerCounter, v.plcHeartbeat, v.packmlState].map((id) => ({ nodeId: this.#id(id), attributeId: AttributeIds.Value })));
    const bad = results.find((r) => r.statusCode.value !== StatusCodes.Good.value);
    if (bad) throw new PlcExceptionError(bad.statusCode.value, `读取 OPC UA 状态变量失败: ${bad.statusCode.name} (status read failed; check the tag map)`);
    const [trigger, beat, packml] = results.map((r) => Number(r.value.value));
    return { triggerCounter: trigger ?? 0, plcHeartbeat: beat ?? 0, rejectConfirm: this.#lastConfirm, packml: packmlState(packml ?? 0) };
  }

  async #write(items: readonly [OpcuaVariableName, UaType, number | boolean][]): Promise<void> {
    const session = this.#live();
    const { AttributeIds, DataType, StatusCodes } = this.#lib();
    const codes = await session.write(items.map(([name, type, value]) => ({
      nodeId: this.#id(this.#tags.variables[name]),
      attributeId: AttributeIds.Value,
      value: { value: { dataType: DataType[type], value } },
    })));
    const i = codes.findIndex((c) => c.value !== StatusCodes.Good.value);
    if (i >= 0) {
      const name = items[i]![0];
      throw new PlcExceptionError(codes[i]!.value, `写 OPC UA 变量 ${this.#tags.variables[name]} 失败: ${codes[i]!.name} (write refused)`);
    }
  }

  async #call(methodId: string, args: readonly { type: UaType; value: number }[]): Promise<number> {
    const session = this.#live();
    const { DataType, StatusCodes } = this.#lib();
    const inputArguments = args.map((a) => ({ dataType: DataType[a.type], value: a.value }));
    const result = await session.call({ objectId: this.#id(this.#tags.object), methodId: this.#id(methodId), inputArguments });
    if (result.statusCode.value !== StatusCodes.Good.value) {
      throw new PlcExceptionError(result.statusCode.value, `PLC 方法 ${methodId} 调用失败: ${result.statusCode.name} (method call failed)`);
    }
    return Number(result.outputArguments?.[0]?.value);
  }

  protected override async pulseOnce(reason: number): Promise<RejectOutcome> {
    const started = performance.now();
    // The confirm event can overtake the method reply, so record confirms per sequence before and after the call.
    const seen = new Set<number>();
    let wake: (() => void) | null = null;
    const listener = (sequence: number): void => { seen.add(sequence); wake?.(); };
    const off = this.#onConfirm(listener);
    try {
      const sequence = await this.#call(this.#tags.methods.pulseReject, [{ type: 'UInt16', value: reason }]);
      const deadline = started + this.timing.rejectConfirmTimeoutMs;
      while (!seen.has(sequence)) {
        const left = deadline - performance.now();
        if (left <= 0 || this.state === 'closed') return { kind: 'not-confirmed', sequence, waitedMs: performance.now() - started };
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          wake = () => { clearTimeout(t); resolve(); };
        });
        wake = null;
      }
      return { kind: 'confirmed', sequence, elapsedMs: performance.now() - started };
    } finally {
      off();
    }
  }

  #onConfirm(listener: (sequence: number) => void): () => void {
    this.#confirmListeners.add(listener);
    return () => { this.#confirmListeners.delete(listener); };
  }

  async accept(): Promise<void> {
    await this.#call(this.#tags.methods.accept, []);
  }

  async setStackLight(light: StackLight): Promise<void> {
    await this.#write([
      ['stackGreen', 'Boolean', light.green], ['stackYellow', 'Boolean', light.yellow],
      ['stackRed', 'Boolean', light.red], ['stackBuzzer', 'Boolean', light.buzzer],
    ]);
  }

  async lineStop(on: boolean): Promise<void> {
    await this.#write([['lineStop', 'Boolean', on]]);
  }

  async writeCounters(counters: LineCounters): Promise<void> {
    await this.#write([
      ['goodCount', 'UInt32', counters.good >>> 0], ['rejectCount', 'UInt32', counters.reject >>> 0],
      ['noReadCount', 'UInt32', counters.noRead >>> 0],
    ]);
  }

  protected override async pollOnce(): Promise<void> {
    if (this.state !== 'open' || this.#session === null) return;
    if (this.#resync !== null) await this.#resyncStep(this.#session);
    if (this.state !== 'open' || this.#session === null) return;
    let beat: number;
    try {
      const dv = await this.#session.read({ nodeId: this.#id(this.#tags.variables.plcHeartbeat), attributeId: this.#lib().AttributeIds.Value });
      beat = Number(dv.value.value);
    } catch {
      return;
    }
    this.watchHeartbeat(beat, Date.now());
  }

  protected override async writeStationBeat(beat: number): Promise<void> {
    await this.#write([['stationHeartbeat', 'UInt16', beat]]);
  }
}
