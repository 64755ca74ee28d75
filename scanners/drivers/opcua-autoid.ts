import type { ClientMonitoredItem, ClientSession, NodeId, Variant, VariantLike } from 'node-opcua';
import { OpcuaSession } from '../../links/index.ts';
import type { Disposable, Reader, ReaderConfig, ReaderIdentity, ReaderState, ReadResult, TriggerOptions, TriggerRef } from '../contract.ts';
import { assembleParts } from '../assemble-read.ts';
import { DuplicateWindow } from '../duplicate-window.ts';
import { DeviceOfflineError, InvalidStateError, ProtocolError, ReaderConfigError, ScannerBugError } from '../errors.ts';
import { ReaderStateMachine } from '../reader-state-machine.ts';
import { DEFAULT_TRIGGER_TIMEOUT_MS } from './line-reader.ts';

/**
 * OPC UA AutoID optical reader client (OPC 30010 v1.01; notes/standards.md §3.1).
 * - Finds the device: the object under Objects whose type is `OpticalReaderDeviceType` (AutoID i=1008), or
 *   the one whose browse name is option `device`. Namespace indices are resolved by URI, never hard-coded.
 * - Option `publishingIntervalMs` (default 20): subscription publishing interval, i.e. how often events arrive.
 * - Software trigger, option `mode`: `scan` (default) calls `Scan(Settings)` and takes `Results` from the method
 *   reply; `scan-start` calls `ScanStart(Settings)` and takes the next `OpticalScanEventType` event.
 * - Every `OpticalScanEventType` event raised on the device that does not answer a pending `scan-start`
 *   trigger is an `external` read. Per-item facts come only from method results and events, never from
 *   variable subscriptions (they coalesce values).
 * - `AutoIdOperationStatusEnumeration`: 0 SUCCESS → read; 8 NO_IDENTIFIER → no-read; anything else (10
 *   READ_ERROR, 17 DEVICE_NOT_READY, 20 DEVICE_FAULT …) → ProtocolError naming the status.
 * - Scan results: `ScanData.String` as sent (readers set up to send AIM ids include them); a `Symbology`
 *   field that is an AIM id (`]d2`) and is not already at the start of the data is prefixed to it [?: the
 *   spec leaves the Symbology text to the vendor]; `Grade` and `Position` are passed through when present.
 *   node-opcua 2.186 decodes the optional fields of `OpticalScanResult` with other encoding-mask bits than
 *   its server sets, so against our emulator they arrive empty (the emulator also puts the AIM id in the data).
 */
const AUTOID_URI = 'http://opcfoundation.org/UA/AutoID/';
const OPTICAL_READER_TYPE = 1008;
const STATUS_NAMES: Readonly<Record<number, string>> = {
  0: 'SUCCESS', 1: 'MISC_ERROR_TOTAL', 2: 'MISC_ERROR_PARTIAL', 3: 'PERMISSON_ERROR', 4: 'PASSWORD_ERROR', 5: 'REGION_NOT_FOUND_ERROR',
  6: 'OUT_OF_RANGE_ERROR', 7: 'NO_IDENTIFIER', 8: 'NO_IDENTIFIER', 9: 'MULTIPLE_IDENTIFIERS', 10: 'READ_ERROR', 11: 'DECODING_ERROR', 12: 'MATCH_ERROR',
  13: 'CODE_NOT_SUPPORTED', 14: 'WRITE_ERROR', 15: 'NOT_SUPPORTED_BY_DEVICE', 16: 'NOT_SUPPORTED_BY_TAG', 17: 'DEVICE_NOT_READY',
  18: 'INVALID_CONFIGURATION', 19: 'RF_COMMUNICATION_ERROR', 20: 'DEVICE_FAULT', 21: 'TAG_HAS_LOW_BATTERY',
};
const NO_IDENTIFIER = 8;

interface ScanResultLike {
  readonly codeType?: string;
  readonly scanData?: { readonly string?: string | null; readonly byteString?: Buffer | null };
  readonly grade?: number | null;
  readonly position?: { readonly x?: number; readonly y?: number; readonly sizeX?: number; readonly sizeY?: number; readonly rotation?: number } | null;
  readonly symbology?: string | null;
}

interface Pending {
  readonly ref: TriggerRef;
  readonly resolve: (r: ReadResult) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
  readonly viaEvent: boolean;
}

export class OpcuaAutoIdReader implements Reader {
  readonly kind = 'opcua' as const;
  readonly #config: ReaderConfig;
  readonly #url: string;
  readonly #now: () => number;
  readonly #window: DuplicateWindow;
  readonly #readListeners = new Set<(r: ReadResult) => void>();
  readonly #machine = new ReaderStateMachine();
  /** node-opcua takes ≈ 0.6 s to load: only readers of kind `opcua` pay for it, on open (OpcuaSession.open). */
  #link: OpcuaSession | null = null;
  #session: ClientSession | null = null;
  #device: NodeId | null = null;
  #deviceName = '';
  #methods = new Map<string, NodeId>();
  #settingsType: NodeId | null = null;
  #seq = 0;
  #pending: Pending | null = null;
  #closing: Promise<void> | null = null;

  constructor(config: ReaderConfig) {
    if (config.endpoint.kind !== 'opcua') throw new ReaderConfigError('endpoint', 'OPC UA 读码器需要 opc.tcp:// 地址 (OPC UA reader needs an opc.tcp:// URL)');
    this.#config = config;
    this.#url = config.endpoint.url;
    this.#now = config.now ?? Date.now;
    this.#window = new DuplicateWindow(config.duplicateWindowMs ?? 0);
  }

  get state(): ReaderState {
    return this.#machine.state;
  }

  async open(): Promise<void> {
    this.#machine.apply('open');
    this.#closing = null;
    let link: OpcuaSession;
    try {
      link = await OpcuaSession.open({ url: this.#url, applicationName: 'wuma-edge' });
      this.#link = link;
      const session = link.session;
      this.#session = session;
      await this.#discover(session);
      // Loads the server's data type definitions now (≈ 0.5–2 s on first use), not inside the first trigger.
      await this.#settings(1_000);
      await this.#subscribe(link);
    } catch (error) {
      await this.#release();
      if (this.#machine.state === 'opening') this.#machine.apply('open-failed');
      if (error instanceof ReaderConfigError || error instanceof ProtocolError) throw error;
      throw new DeviceOfflineError(`无法连接 OPC UA 读码器 ${this.#url}: ${error instanceof Error ? error.message : String(error)} (cannot connect)`, { cause: error });
    }
    link.onLost(() => { this.#onLinkLost(); });
    this.#machine.apply('opened');
  }

  async trigger(options: TriggerOptions = {}): Promise<ReadResult> {
    if (this.#machine.state !== 'ready') throw new InvalidStateError(`读码器状态为 ${this.#machine.state}，不能触发 (cannot trigger in state ${this.#machine.state})`);
    const session = this.#session;
    const device = this.#device;
    if (session === null || device === null) throw new ScannerBugError('ready without a session');
    const mode = this.#config.options?.['mode'] === 'scan-start' ? 'ScanStart' : 'Scan';
    const method = this.#methods.get(mode);
    if (method === undefined) throw new InvalidStateError(`读码器没有 ${mode} 方法 (reader does not implement ${mode})`);
    this.#machine.apply('trigger');
    this.#seq += 1;
    const ref: TriggerRef = { id: this.#seq, source: 'software' };
    const timeoutMs = options.timeoutMs ?? this.#config.triggerTimeoutMs ?? DEFAULT_TRIGGER_TIMEOUT_MS;
    const result = new Promise<ReadResult>((resolve, reject) => {
      const timer = setTimeout(() => { this.#finish(ref, { kind: 'no-read', trigger: ref, cause: 'timeout', suppressed: 0, rejected: [], at: this.#now() }); }, timeoutMs);
      this.#pending = { ref, resolve, reject, timer, viaEvent: mode === 'ScanStart' };
    });
    try {
      const settings = await this.#settings(timeoutMs);
      const call = await session.call({ objectId: device, methodId: method, inputArguments: [settings] });
      if (!call.statusCode.isGood()) throw new ProtocolError(`${mode} 调用失败: ${call.statusCode.toString()} (${mode} call failed)`);
      const out = call.outputArguments ?? [];
      const status = Number((mode === 'Scan' ? out[1] : out[0])?.value ?? -1);
      if (status !== 0 && status !== NO_IDENTIFIER) throw new ProtocolError(`读码器返回 ${STATUS_NAMES[status] ?? status} (reader status ${status})`);
      if (mode === 'Scan') {
        const results = status === NO_IDENTIFIER ? [] : this.#results(out[0]);
        this.#finish(ref, this.#toRead(ref, results));
      } else if (status === NO_IDENTIFIER) {
        this.#finish(ref, { kind: 'no-read', trigger: ref, cause: 'reader', suppressed: 0, rejected: [], at: this.#now() });
      }
    } catch (error) {
      this.#fail(ref, error instanceof Error && 'code' in error ? error : new DeviceOfflineError(`OPC UA 调用失败 (call failed): ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
    }
    return result;
  }

  onRead(listener: (r: ReadResult) => void): Disposable {
    this.#readListeners.add(listener);
    return { dispose: () => { this.#readListeners.delete(listener); } };
  }

  onStateChange(listener: (s: ReaderState, p: ReaderState) => void): Disposable {
    return this.#machine.onChange(listener);
  }

  async identify(): Promise<ReaderIdentity> {
    const session = this.#session;
    const device = this.#device;
    if (session === null || device === null || this.#machine.state !== 'ready') throw new InvalidStateError(`读码器状态为 ${this.#machine.state} (reader is ${this.#machine.state})`);
    const read = async (name: string): Promise<string | undefined> => {
      const found = await session.translateBrowsePath({ startingNode: device, relativePath: { elements: [{ referenceTypeId: 'i=47', isInverse: false, includeSubtypes: true, targetName: { namespaceIndex: await this.#diIndex(session), name } }] } });
      const target = found.targets?.[0]?.targetId;
      if (target === undefined) return undefined;
      const dv = await session.read({ nodeId: target, attributeId: 13 });
      const v: unknown = dv.value.value;
      if (v === null || v === undefined) return undefined;
      const text = typeof v === 'object' && 'text' in v ? (v as { text?: string }).text : String(v);
      return text === null || text === undefined || text === '' ? undefined : text;
    };
    const identity: { -readonly [K in keyof ReaderIdentity]: ReaderIdentity[K] } = { vendor: (await read('Manufacturer')) ?? 'OPC UA AutoID' };
    const model = (await read('Model')) ?? this.#deviceName;
    identity.model = model;
    const serial = await read('SerialNumber');
    if (serial !== undefined) identity.serial = serial;
    const firmware = await read('SoftwareRevision');
    if (firmware !== undefined) identity.firmware = firmware;
    return identity;
  }

  close(): Promise<void> {
    if (this.#machine.state === 'closed') return Promise.resolve();
    if (this.#closing !== null) return this.#closing;
    this.#closing = (async () => {
      if (this.#machine.state !== 'closing') this.#machine.apply('close');
      const pending = this.#pending;
      if (pending !== null) this.#fail(pending.ref, new DeviceOfflineError('读码器已关闭 (reader closed)'));
      await this.#release();
      this.#machine.apply('closed');
    })();
    return this.#closing;
  }

  async #release(): Promise<void> {
    const link = this.#link;
    this.#link = null;
    this.#session = null;
    await link?.close();
  }

  async #diIndex(session: ClientSession): Promise<number> {
    const array = await session.readNamespaceArray();
    return array.indexOf('http://opcfoundation.org/UA/DI/');
  }

  async #discover(session: ClientSession): Promise<void> {
    const namespaces = await session.readNamespaceArray();
    const ns = namespaces.indexOf(AUTOID_URI);
    if (ns < 0) throw new ProtocolError(`服务器没有 AutoID 命名空间 ${AUTOID_URI} (server has no AutoID namespace)`);
    const wanted = this.#config.options?.['device'];
    const objects = await session.browse({ nodeId: 'i=85', browseDirection: 0, includeSubtypes: true, nodeClassMask: 1, resultMask: 63 });
    const match = (objects.references ?? []).find((r) => {
      const td = r.typeDefinition;
      const isReader = td.namespace === ns && td.value === OPTICAL_READER_TYPE;
      return isReader && (typeof wanted !== 'string' || r.browseName.name === wanted);
    });
    if (match === undefined) {
      throw new ProtocolError(`在 Objects 下找不到 OpticalReaderDeviceType 读码器${typeof wanted === 'string' ? ` "${wanted}"` : ''} (no OpticalReaderDeviceType object found)`);
    }
    this.#device = match.nodeId;
    this.#deviceName = match.browseName.name ?? '';
    const children = await session.browse({ nodeId: match.nodeId, browseDirection: 0, includeSubtypes: true, nodeClassMask: 4, resultMask: 63 });
    for (const r of children.references ?? []) if (r.browseName.namespaceIndex === ns && r.browseName.name !== null) this.#methods.set(r.browseName.name, r.nodeId);
    const settingsType = await session.translateBrowsePath({
      startingNode: 'i=22',
      relativePath: { elements: [{ referenceTypeId: 'i=45', isInverse: false, includeSubtypes: true, targetName: { namespaceIndex: ns, name: 'ScanSettings' } }] },
    });
    this.#settingsType = settingsType.targets?.[0]?.targetId ?? null;
    this.#autoIdNs = ns;
  }

  #autoIdNs = -1;

  async #subscribe(link: OpcuaSession): Promise<void> {
    const device = this.#device;
    if (device === null) throw new ScannerBugError('subscribe before discover');
    const ua = link.ua;
    // Events reach the client once per publishing cycle: the interval bounds ScanStart → result latency.
    const interval = this.#config.options?.['publishingIntervalMs'];
    const sub = link.keep(ua.ClientSubscription.create(link.session, { requestedPublishingInterval: typeof interval === 'number' ? interval : 20, requestedLifetimeCount: 600, requestedMaxKeepAliveCount: 20, publishingEnabled: true, priority: 10 }));
    const filter = ua.constructEventFilter(['EventType', `${this.#autoIdNs}:ScanResult`]);
    const item: ClientMonitoredItem = await sub.monitor(
      { nodeId: device, attributeId: ua.AttributeIds.EventNotifier },
      { queueSize: 1000, filter, discardOldest: false, samplingInterval: 0 },
      ua.TimestampsToReturn.Neither,
    );
    item.on('changed', (values: unknown) => { this.#onEvent(values as Variant[]); });
  }

  async #settings(timeoutMs: number): Promise<VariantLike> {
    const session = this.#session;
    if (session === null || this.#settingsType === null) throw new ProtocolError('服务器缺少 ScanSettings 数据类型 (server lacks the ScanSettings data type)');
    const settings = await session.constructExtensionObject(this.#settingsType, { duration: timeoutMs, cycles: 1, dataAvailable: false });
    return { dataType: this.#link?.ua.DataType.ExtensionObject ?? 22, value: settings };
  }

  #results(variant: Variant | undefined): ScanResultLike[] {
    const value: unknown = variant?.value;
    if (value === null || value === undefined) return [];
    return Array.isArray(value) ? (value as ScanResultLike[]) : [value as ScanResultLike];
  }

  #toRead(ref: TriggerRef, results: readonly ScanResultLike[]): ReadResult {
    const enc = new TextEncoder();
    const parts = results.map((r) => {
      const data = r.scanData?.string ?? (r.scanData?.byteString ? r.scanData.byteString.toString('latin1') : '');
      const declared = typeof r.symbology === 'string' && /^\][A-Za-z][0-9A-Za-z]$/.test(r.symbology) ? r.symbology : '';
      const aim = data.startsWith(declared) ? '' : declared;
      const p = r.position;
      return {
        raw: r.scanData?.byteString && aim === '' ? new Uint8Array(r.scanData.byteString) : enc.encode(`${aim}${data}`),
        ...(typeof r.grade === 'number' ? { grade: r.grade } : {}),
        ...(p ? { position: { x: p.x ?? 0, y: p.y ?? 0, ...(p.sizeX === undefined ? {} : { sizeX: p.sizeX }), ...(p.sizeY === undefined ? {} : { sizeY: p.sizeY }), ...(p.rotation === undefined ? {} : { rotation: p.rotation }) } } : {}),
      };
    });
    if (parts.length === 0) return { kind: 'no-read', trigger: ref, cause: 'reader', suppressed: 0, rejected: [], at: this.#now() };
    return assembleParts(parts, { trigger: ref, window: this.#window, now: this.#now() });
  }

  #onEvent(fields: Variant[]): void {
    const results = this.#results(fields[1]);
    const pending = this.#pending;
    if (pending !== null && pending.viaEvent) {
      this.#finish(pending.ref, this.#toRead(pending.ref, results));
      return;
    }
    this.#seq += 1;
    const ref: TriggerRef = { id: this.#seq, source: 'external' };
    this.#emit(this.#toRead(ref, results));
  }

  #finish(ref: TriggerRef, result: ReadResult): void {
    const pending = this.#take(ref);
    if (pending === null) return;
    pending.resolve(result);
    this.#emit(result);
  }

  #fail(ref: TriggerRef, error: Error): void {
    this.#take(ref)?.reject(error);
  }

  /** Ends trigger `ref` if it is still the pending one (timer stopped, reader back to ready); null when it is not. */
  #take(ref: TriggerRef): Pending | null {
    const pending = this.#pending;
    if (pending === null || pending.ref !== ref) return null;
    this.#pending = null;
    clearTimeout(pending.timer);
    if (this.#machine.state === 'triggered') this.#machine.apply('result');
    return pending;
  }

  #emit(result: ReadResult): void {
    for (const l of this.#readListeners) l(result);
  }

  #onLinkLost(): void {
    if (this.#machine.state !== 'ready' && this.#machine.state !== 'triggered') return;
    const pending = this.#pending;
    if (pending !== null) this.#fail(pending.ref, new DeviceOfflineError('OPC UA 连接中断 (OPC UA connection lost)'));
    this.#machine.apply('link-lost');
  }
}
