import {
  AttributeIds, DataType, MessageSecurityMode, OPCUAClient, SecurityPolicy, StatusCodes, TimestampsToReturn,
  constructEventFilter, type ClientSession, type ClientSubscription, type Variant,
} from 'node-opcua';
import { PlcClosedError, PlcExceptionError, PlcOfflineError, PlcProtocolError } from '../errors.ts';
import type { OpcuaTagMap, OpcuaVariableName } from '../opcua-tag-map.ts';
import { packmlState } from '../packml.ts';
import { DEFAULT_PLC_TIMING } from '../plc-timing.ts';
import type { LineCounters, PlcEvent, PlcPort, PlcStatus, PlcTiming, RejectOutcome, StackLight, TriggerEvent } from '../plc-port.ts';

export interface OpcuaPlcOptions {
  /** e.g. `opc.tcp://192.168.0.10:4840` (S7-1500 default port, notes/devices.md §3.2). */
  readonly endpointUrl: string;
  readonly tags: OpcuaTagMap;
  readonly timing?: Partial<PlcTiming>;
}

const NAMESPACE_ARRAY = 'ns=0;i=2255';

/**
 * The station's PLC port over OPC UA (node-opcua client, SecurityPolicy None [?]: a plant would configure
 * Basic256Sha256 with certificates — not yet wired). Levels are variable writes; per-item facts are a method call
 * (PulseReject / Accept) and events (trigger, reject-confirm) from one event monitored item with a deep queue and
 * `discardOldest: false`, because data-change subscriptions sample and coalesce (feasibility §3c: 10,000 rapid
 * changes arrived as 2 notifications). The PLC heartbeat is read every poll interval for the watchdog.
 */
export class OpcuaPlc implements PlcPort {
  readonly kind = 'opcua' as const;
  readonly #endpointUrl: string;
  readonly #tags: OpcuaTagMap;
  readonly #timing: PlcTiming;
  #client: OPCUAClient | null = null;
  #session: ClientSession | null = null;
  #subscription: ClientSubscription | null = null;
  #ns = -1;
  #state: 'idle' | 'open' | 'down' | 'closed' = 'idle';
  #pollTimer: NodeJS.Timeout | null = null;
  #beatTimer: NodeJS.Timeout | null = null;
  #pulseLock: Promise<unknown> = Promise.resolve();
  #lastTrigger = 0;
  #lastConfirm = 0;
  #lastPlcBeat = -1;
  #lastPlcBeatAt = 0;
  #heartbeatLost = false;
  #stationBeat = 0;
  readonly #confirmListeners = new Set<(sequence: number) => void>();
  readonly #triggerListeners = new Set<(e: TriggerEvent) => void>();
  readonly #eventListeners = new Set<(e: PlcEvent) => void>();

  constructor(options: OpcuaPlcOptions) {
    this.#endpointUrl = options.endpointUrl;
    this.#tags = options.tags;
    this.#timing = { ...DEFAULT_PLC_TIMING, ...options.timing };
  }

  #id(identifier: string): string {
    return `ns=${this.#ns};s=${identifier}`;
  }

  async connect(): Promise<void> {
    if (this.#state === 'closed') throw new PlcClosedError();
    const client = OPCUAClient.create({
      applicationName: 'wuma-station',
      endpointMustExist: false,
      securityMode: MessageSecurityMode.None,
      securityPolicy: SecurityPolicy.None,
      connectionStrategy: { maxRetry: 1, initialDelay: this.#timing.reconnectDelayMs, maxDelay: 5_000 },
      requestedSessionTimeout: 60_000,
      keepSessionAlive: true,
    });
    this.#client = client;
    try {
      await client.connect(this.#endpointUrl);
      // After the first connect, keep retrying for as long as the station runs.
      (client as unknown as { connectionStrategy: { maxRetry: number } }).connectionStrategy.maxRetry = -1;
      client.on('connection_lost', () => {
        if (this.#state !== 'open') return;
        this.#state = 'down';
        this.#emit({ kind: 'connection-lost', error: new PlcOfflineError(`与 OPC UA PLC ${this.#endpointUrl} 的连接中断 (OPC UA link lost)`) });
      });
      client.on('connection_reestablished', () => {
        if (this.#state !== 'down') return;
        this.#state = 'open';
        this.#emit({ kind: 'connection-restored' });
      });
      const session = await client.createSession();
      this.#session = session;
      const nsArray = await session.read({ nodeId: NAMESPACE_ARRAY, attributeId: AttributeIds.Value });
      const uris = (nsArray.value.value ?? []) as string[];
      this.#ns = uris.indexOf(this.#tags.namespaceUri);
      if (this.#ns < 0) {
        throw new PlcProtocolError(`OPC UA 服务器没有命名空间 ${this.#tags.namespaceUri}，请检查标签表 namespaceUri (namespace not found on the server)`);
      }
      const status = await this.readStatus();
      this.#lastTrigger = status.triggerCounter;
      this.#lastPlcBeat = status.plcHeartbeat;
      this.#lastPlcBeatAt = Date.now();
      await this.#subscribeEvents(session);
    } catch (error) {
      await this.#teardown();
      if (error instanceof PlcProtocolError) throw error;
      throw new PlcOfflineError(`无法连接 OPC UA PLC ${this.#endpointUrl}: ${error instanceof Error ? error.message : String(error)}，请检查地址、端口与 PLC 的 OPC UA 服务器设置 (cannot connect)`, { cause: error });
    }
    this.#state = 'open';
    this.#schedulePoll();
    this.#scheduleBeat(0);
  }

  async #subscribeEvents(session: ClientSession): Promise<void> {
    const subscription = await session.createSubscription2({
      requestedPublishingInterval: 10,
      requestedLifetimeCount: 6_000,
      requestedMaxKeepAliveCount: 100,
      maxNotificationsPerPublish: 0,
      publishingEnabled: true,
      priority: 10,
    });
    this.#subscription = subscription;
    const ns = this.#ns;
    // subscription.monitor resolves once the server has created the item (ClientMonitoredItem.create returns before,
    // and events raised in that window are lost).
    const item = await subscription.monitor(
      { nodeId: this.#id(this.#tags.object), attributeId: AttributeIds.EventNotifier },
      { samplingInterval: 0, queueSize: 10_000, discardOldest: false, filter: constructEventFilter([`${ns}:Fact`, `${ns}:Number`]) },
      TimestampsToReturn.Neither,
    );
    item.on('changed', (fields: unknown) => { this.#onEvent(fields as Variant[]); });
  }

  #onEvent(fields: readonly Variant[]): void {
    const fact = fields[0]?.value as unknown;
    const number = Number(fields[1]?.value);
    if (fact === 'trigger') {
      const advancedBy = (number - this.#lastTrigger + 0x10000) % 0x10000;
      if (advancedBy === 0) return;
      this.#lastTrigger = number;
      this.#emit({ kind: 'trigger', trigger: { counter: number, advancedBy, at: Date.now() } });
    } else if (fact === 'reject-confirm') {
      this.#lastConfirm = number;
      for (const l of this.#confirmListeners) l(number);
    }
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    if (this.#pollTimer) clearTimeout(this.#pollTimer);
    if (this.#beatTimer) clearTimeout(this.#beatTimer);
    await this.#pulseLock.catch(() => undefined);
    await this.#teardown();
  }

  async #teardown(): Promise<void> {
    const client = this.#client;
    await this.#subscription?.terminate().catch(() => undefined);
    await this.#session?.close().catch(() => undefined);
    await client?.disconnect().catch(() => undefined);
    this.#subscription = null;
    this.#session = null;
    this.#client = null;
  }

  #live(): ClientSession {
    if (this.#state === 'closed') throw new PlcClosedError();
    if (this.#session === null) throw new PlcOfflineError(`OPC UA PLC ${this.#endpointUrl} 未连接 (not connected)`);
    return this.#session;
  }

  async readStatus(): Promise<PlcStatus> {
    const session = this.#live();
    const v = this.#tags.variables;
    const results = await session.read([v.triggerCounter, v.plcHeartbeat, v.packmlState].map((id) => ({ nodeId: this.#id(id), attributeId: AttributeIds.Value })));
    const bad = results.find((r) => r.statusCode.value !== StatusCodes.Good.value);
    if (bad) throw new PlcExceptionError(bad.statusCode.value, `读取 OPC UA 状态变量失败: ${bad.statusCode.name} (status read failed; check the tag map)`);
    const [trigger, beat, packml] = results.map((r) => Number(r.value.value));
    return { triggerCounter: trigger ?? 0, plcHeartbeat: beat ?? 0, rejectConfirm: this.#lastConfirm, packml: packmlState(packml ?? 0) };
  }

  async #write(items: readonly [OpcuaVariableName, DataType, number | boolean][]): Promise<void> {
    const session = this.#live();
    const codes = await session.write(items.map(([name, dataType, value]) => ({
      nodeId: this.#id(this.#tags.variables[name]),
      attributeId: AttributeIds.Value,
      value: { value: { dataType, value } },
    })));
    const i = codes.findIndex((c) => c.value !== StatusCodes.Good.value);
    if (i >= 0) {
      const name = items[i]![0];
      throw new PlcExceptionError(codes[i]!.value, `写 OPC UA 变量 ${this.#tags.variables[name]} 失败: ${codes[i]!.name} (write refused)`);
    }
  }

  async #call(methodId: string, inputArguments: { dataType: DataType; value: number }[]): Promise<number> {
    const session = this.#live();
    const result = await session.call({ objectId: this.#id(this.#tags.object), methodId: this.#id(methodId), inputArguments });
    if (result.statusCode.value !== StatusCodes.Good.value) {
      throw new PlcExceptionError(result.statusCode.value, `PLC 方法 ${methodId} 调用失败: ${result.statusCode.name} (method call failed)`);
    }
    return Number(result.outputArguments?.[0]?.value);
  }

  pulseReject(reason: number): Promise<RejectOutcome> {
    if (!Number.isInteger(reason) || reason < 1 || reason > 0xffff) {
      return Promise.reject(new RangeError(`剔除原因应为 1..65535，收到 ${reason} (reject reason must be 1..65535)`));
    }
    const run = this.#pulseLock.catch(() => undefined).then(() => this.#pulseOnce(reason));
    this.#pulseLock = run;
    return run;
  }

  async #pulseOnce(reason: number): Promise<RejectOutcome> {
    const started = performance.now();
    // The confirm event can overtake the method reply, so record confirms per sequence before and after the call.
    const seen = new Set<number>();
    let wake: (() => void) | null = null;
    const listener = (sequence: number): void => { seen.add(sequence); wake?.(); };
    const off = this.#onConfirm(listener);
    try {
      const sequence = await this.#call(this.#tags.methods.pulseReject, [{ dataType: DataType.UInt16, value: reason }]);
      const deadline = started + this.#timing.rejectConfirmTimeoutMs;
      while (!seen.has(sequence)) {
        const left = deadline - performance.now();
        if (left <= 0 || this.#state === 'closed') return { kind: 'not-confirmed', sequence, waitedMs: performance.now() - started };
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
      ['stackGreen', DataType.Boolean, light.green], ['stackYellow', DataType.Boolean, light.yellow],
      ['stackRed', DataType.Boolean, light.red], ['stackBuzzer', DataType.Boolean, light.buzzer],
    ]);
  }

  async lineStop(on: boolean): Promise<void> {
    await this.#write([['lineStop', DataType.Boolean, on]]);
  }

  async writeCounters(counters: LineCounters): Promise<void> {
    await this.#write([
      ['goodCount', DataType.UInt32, counters.good >>> 0], ['rejectCount', DataType.UInt32, counters.reject >>> 0],
      ['noReadCount', DataType.UInt32, counters.noRead >>> 0],
    ]);
  }

  onTrigger(listener: (event: TriggerEvent) => void): () => void {
    this.#triggerListeners.add(listener);
    return () => { this.#triggerListeners.delete(listener); };
  }

  onEvent(listener: (event: PlcEvent) => void): () => void {
    this.#eventListeners.add(listener);
    return () => { this.#eventListeners.delete(listener); };
  }

  #emit(event: PlcEvent): void {
    for (const l of this.#eventListeners) l(event);
    if (event.kind === 'trigger') for (const l of this.#triggerListeners) l(event.trigger);
  }

  #schedulePoll(): void {
    if (this.#state === 'closed') return;
    this.#pollTimer = setTimeout(() => { void this.#pollOnce().finally(() => { this.#schedulePoll(); }); }, this.#timing.pollIntervalMs);
  }

  async #pollOnce(): Promise<void> {
    if (this.#state !== 'open' || this.#session === null) return;
    let beat: number;
    try {
      const dv = await this.#session.read({ nodeId: this.#id(this.#tags.variables.plcHeartbeat), attributeId: AttributeIds.Value });
      beat = Number(dv.value.value);
    } catch {
      return;
    }
    const now = Date.now();
    if (beat !== this.#lastPlcBeat) {
      this.#lastPlcBeat = beat;
      this.#lastPlcBeatAt = now;
      if (this.#heartbeatLost) {
        this.#heartbeatLost = false;
        this.#emit({ kind: 'heartbeat-restored', beat });
      }
    } else if (!this.#heartbeatLost && now - this.#lastPlcBeatAt >= this.#timing.watchdogMs) {
      this.#heartbeatLost = true;
      this.#emit({ kind: 'heartbeat-lost', lastBeat: beat, silentMs: now - this.#lastPlcBeatAt });
    }
  }

  #scheduleBeat(delay: number): void {
    if (this.#state === 'closed') return;
    this.#beatTimer = setTimeout(() => {
      if (this.#state !== 'open') { this.#scheduleBeat(this.#timing.heartbeatIntervalMs); return; }
      this.#stationBeat = (this.#stationBeat + 1) & 0xffff;
      void this.#write([['stationHeartbeat', DataType.UInt16, this.#stationBeat]])
        .catch(() => undefined)
        .finally(() => { this.#scheduleBeat(this.#timing.heartbeatIntervalMs); });
    }, delay);
  }
}
