import type { ClientSession, NodeId, Variant } from 'node-opcua';
import { OpcuaSession, type OpcuaModule } from '../../../links/index.ts';
import type { PrintJob, PrintResult, Printer, PrinterCapabilities, PrinterConfig, PrinterFault, PrinterStatus } from '../../contract.ts';
import { DeviceOfflineError, PrinterConfigError, ProtocolError } from '../../errors.ts';
import { intOption, stringOption } from '../option-readers.ts';
import { PrinterCore } from '../printer-core.ts';
import { CODE_PRINTER_NS, CODE_PRINTER_TYPE, PRINT_CONFIRMED_EVENT, decodeFaults, decodePrintResult } from './codec.ts';

/** The device's JobId from the Print reply; null until the reply arrives. */
interface JobFields {
  jobId: number | null;
}

/** JobIds confirmed before their Print reply arrived (kept briefly; bounded). */
const EARLY_MAX = 256;

/**
 * A printer that exposes an OPC UA server (`CodePrinterType`, see ./codec.ts and the emulator's doc comment).
 * - open: connects, finds the object of type `CodePrinterType` under Objects (or option `device` by browse name;
 *   namespace resolved by URI, never a hard-coded ns=), reads `Faults` / `Identity`, subscribes to
 *   `PrintConfirmedEventType` events and to `Faults` changes on the object.
 * - print: calls `Print(Code)`; Result ≠ 0 is `rejected` (never printed). Accepted jobs settle `printed` only on
 *   their own `PrintConfirmed` event (JobId match: never on a variable change, which a subscription may coalesce).
 *   A call without a reply within replyTimeoutMs, a blocking fault, a lost connection, a close or no event within
 *   confirmTimeoutMs settles `unknown` (void the code).
 * - `BufferFull` in `Faults` is back-pressure: jobs are refused `buffer-full` until it clears.
 * Options: device (browse name), publishingIntervalMs (event delivery period, default 10), queueDepth (default 4, max 32).
 */
export class OpcuaPrinter extends PrinterCore<JobFields> implements Printer {
  readonly #url: string;
  readonly #publishingMs: number;
  readonly #deviceName: string | null;
  #link: OpcuaSession | null = null;
  #session: ClientSession | null = null;
  #device: NodeId | null = null;
  #nodes = new Map<string, NodeId>();
  #early = new Set<number>();
  /** Server timestamp (ms) of the `Faults` value last applied: a late, older notification never overrides a read. */
  #faultsAt = 0;

  constructor(config: PrinterConfig) {
    if (config.endpoint.kind !== 'opcua') throw new PrinterConfigError('endpoint', 'OPC UA 打印机需要 opc.tcp:// 地址 (OPC UA printer needs an opc.tcp:// URL)');
    const capabilities: PrinterCapabilities = {
      symbologies: ['datamatrix', 'gs1-datamatrix', 'qr', 'code128', 'gs1-128', 'text'],
      queueDepth: config.queueDepth ?? intOption(config.options, 'queueDepth', 1, 32, 4),
      confirmation: 'printed', statusPolling: true, asyncEvents: true,
    };
    super('opcua', capabilities, config, 'OPC UA code printer');
    this.#url = config.endpoint.url;
    this.#publishingMs = intOption(config.options, 'publishingIntervalMs', 1, 10_000, 10);
    const device = stringOption(config.options, 'device', '', /^[^\s/]{0,128}$/);
    this.#deviceName = device === '' ? null : device;
  }

  protected override get deviceLabel(): string {
    return this.#url;
  }

  async open(): Promise<void> {
    this.machine.apply('open');
    try {
      const link = await OpcuaSession.open({ url: this.#url, applicationName: 'wuma-edge-printer' });
      this.#link = link;
      const session = link.session;
      this.#session = session;
      await this.#discover(session);
      const faults = await this.#readStatus(session);
      await this.#subscribe(link, session);
      if (this.machine.state !== 'opening') throw new DeviceOfflineError(`打开过程中连接断开 (link lost while opening ${this.#url})`);
      // A dropped connection is a lost link even if the SDK would reconnect: the device may have restarted and
      // lost its queue, so every job in flight is of unknown fate.
      link.onLost(() => { this.#onLinkLost(); });
      this.#applyFaults(faults);
      if (this.machine.state === 'opening') this.machine.apply('opened');
    } catch (error) {
      await this.abandonOpen();
      if (error instanceof PrinterConfigError || error instanceof ProtocolError || error instanceof DeviceOfflineError) throw error;
      throw new DeviceOfflineError(`无法连接 OPC UA 打印机 ${this.#url}: ${error instanceof Error ? error.message : String(error)} (cannot connect)`, { cause: error });
    }
  }

  async print(job: PrintJob): Promise<PrintResult> {
    const refused = this.refuse();
    if (refused !== null) return refused;
    const session = this.#session;
    const method = this.#nodes.get('Print');
    const device = this.#device;
    if (session === null || method === undefined || device === null) return { kind: 'rejected', reason: 'not-ready', detail: '没有会话 (no session)' };
    const { entry, result } = this.track(job, { jobId: null });
    let replyTimer: NodeJS.Timeout | null = null;
    const noReply = new Promise<'timeout'>((r) => { replyTimer = setTimeout(() => { r('timeout'); }, this.replyTimeoutMs); });
    const call = session.call({ objectId: device, methodId: method, inputArguments: [{ dataType: this.#link?.ua.DataType.String ?? 12, value: job.code }] });
    Promise.race([call, noReply]).then((reply) => {
      if (reply === 'timeout') {
        this.settle(entry, { kind: 'unknown', detail: `Print 调用 ${this.replyTimeoutMs} ms 内无应答 (no Print reply within ${this.replyTimeoutMs} ms)` });
        return;
      }
      if (!reply.statusCode.isGood()) {
        this.settle(entry, { kind: 'unknown', detail: `Print 调用失败，结果未知 (Print call failed: ${reply.statusCode.name})` });
        return;
      }
      const out = reply.outputArguments ?? [];
      const decoded = decodePrintResult(out[0]?.value, out[1]?.value);
      if (decoded === null) {
        this.settle(entry, { kind: 'unknown', detail: 'Print 返回值格式不符 (Print outputs do not match CodePrinterType)' });
      } else if (decoded.kind === 'rejected') {
        if (decoded.reason === 'buffer-full') this.deviceFull = true;
        this.settle(entry, decoded);
      } else if (this.#early.delete(decoded.jobId)) {
        this.settle(entry, { kind: 'printed' });
      } else {
        entry.jobId = decoded.jobId;
      }
    }, (error: unknown) => {
      this.settle(entry, { kind: 'unknown', detail: `Print 调用出错，结果未知 (Print call error: ${error instanceof Error ? error.message : String(error)})` });
    }).finally(() => { if (replyTimer !== null) clearTimeout(replyTimer); });
    return result;
  }

  async status(): Promise<PrinterStatus> {
    const session = this.#session;
    const s = this.machine.state;
    if (session !== null && (s === 'ready' || s === 'busy' || s === 'faulted')) this.#applyFaults(await this.#readStatus(session));
    return this.snapshot();
  }

  async #discover(session: ClientSession): Promise<void> {
    const namespaces = await session.readNamespaceArray();
    const ns = namespaces.indexOf(CODE_PRINTER_NS);
    if (ns < 0) throw new ProtocolError(`服务器没有打印机命名空间 ${CODE_PRINTER_NS} (server has no CodePrinter namespace)`);
    const type = await session.translateBrowsePath({
      startingNode: 'i=58',
      relativePath: { elements: [{ referenceTypeId: 'i=45', isInverse: false, includeSubtypes: true, targetName: { namespaceIndex: ns, name: CODE_PRINTER_TYPE } }] },
    });
    const typeId = type.targets?.[0]?.targetId?.toString();
    const objects = await session.browse({ nodeId: 'i=85', browseDirection: 0, includeSubtypes: true, nodeClassMask: 1, resultMask: 63 });
    const match = (objects.references ?? []).find((r) => (this.#deviceName === null ? r.typeDefinition.toString() === typeId : r.browseName.name === this.#deviceName));
    if (match === undefined) throw new ProtocolError(`在 Objects 下找不到 ${this.#deviceName ?? CODE_PRINTER_TYPE} 打印机 (no printer object found)`);
    this.#device = match.nodeId;
    const children = await session.browse({ nodeId: match.nodeId, browseDirection: 0, includeSubtypes: true, nodeClassMask: 0, resultMask: 63 });
    for (const r of children.references ?? []) if (r.browseName.namespaceIndex === ns && r.browseName.name !== null) this.#nodes.set(r.browseName.name, r.nodeId);
    for (const name of ['Print', 'Faults']) if (!this.#nodes.has(name)) throw new ProtocolError(`打印机对象缺少 ${name} (printer object lacks ${name})`);
    const eventType = await session.translateBrowsePath({
      startingNode: 'i=2041',
      relativePath: { elements: [{ referenceTypeId: 'i=45', isInverse: false, includeSubtypes: true, targetName: { namespaceIndex: ns, name: PRINT_CONFIRMED_EVENT } }] },
    });
    const eventTypeId = eventType.targets?.[0]?.targetId;
    if (eventTypeId === undefined) throw new ProtocolError(`服务器没有 ${PRINT_CONFIRMED_EVENT} (server lacks ${PRINT_CONFIRMED_EVENT})`);
    this.#nodes.set(PRINT_CONFIRMED_EVENT, eventTypeId);
    this.#ns = ns;
  }

  #ns = -1;

  async #readStatus(session: ClientSession): Promise<PrinterFault[]> {
    const names = ['Faults', 'QueueDepth', 'Identity'].filter((n) => this.#nodes.has(n));
    const values = await session.read(names.map((n) => ({ nodeId: this.#nodes.get(n) as NodeId, attributeId: 13 })));
    const byName = new Map(names.map((n, i) => [n, values[i]?.value.value as unknown]));
    const at = values[0]?.serverTimestamp?.getTime();
    if (at !== undefined) this.#faultsAt = Math.max(this.#faultsAt, at);
    const queued = byName.get('QueueDepth');
    this.deviceQueued = typeof queued === 'number' ? queued : null;
    const identity = byName.get('Identity');
    if (typeof identity === 'string' && identity.length > 0) this.identity = `OPC UA ${identity}`;
    return decodeFaults(byName.get('Faults'));
  }

  async #subscribe(link: OpcuaSession, session: ClientSession): Promise<void> {
    const ua: OpcuaModule = link.ua;
    const device = this.#device;
    const faultsNode = this.#nodes.get('Faults');
    const eventType = this.#nodes.get(PRINT_CONFIRMED_EVENT);
    if (device === null || faultsNode === undefined || eventType === undefined) throw new ProtocolError('subscribe before discover');
    // Events reach the client once per publishing cycle: the interval bounds print → confirmation latency.
    const sub = link.keep(ua.ClientSubscription.create(session, { requestedPublishingInterval: this.#publishingMs, requestedLifetimeCount: 6000, requestedMaxKeepAliveCount: 200, publishingEnabled: true, priority: 10 }));
    const filter = ua.constructEventFilter(['EventType', `${this.#ns}:JobId`]);
    const events = await sub.monitor({ nodeId: device, attributeId: ua.AttributeIds.EventNotifier }, { queueSize: 10_000, filter, discardOldest: false, samplingInterval: 0 }, ua.TimestampsToReturn.Neither);
    events.on('changed', (fields: unknown) => { this.#onEvent(fields as Variant[], eventType); });
    const faults = await sub.monitor({ nodeId: faultsNode, attributeId: ua.AttributeIds.Value }, { samplingInterval: this.#publishingMs, queueSize: 1, discardOldest: true }, ua.TimestampsToReturn.Server);
    faults.on('changed', (dv: { value: { value: unknown }; serverTimestamp?: Date | null }) => {
      const at = dv.serverTimestamp?.getTime();
      if (at !== undefined) {
        if (at < this.#faultsAt) return;
        this.#faultsAt = at;
      }
      const s = this.machine.state;
      if (s === 'ready' || s === 'busy' || s === 'faulted') this.#applyFaults(decodeFaults(dv.value.value));
    });
  }

  #onEvent(fields: Variant[], eventType: NodeId): void {
    if (fields[0]?.value?.toString() !== eventType.toString()) return;
    const jobId: unknown = fields[1]?.value;
    if (typeof jobId !== 'number') return;
    const entry = this.inFlight.find((e) => e.jobId === jobId);
    if (entry) {
      this.deviceFull = false;
      this.settle(entry, { kind: 'printed' });
      return;
    }
    // The event can overtake a Print reply that is still on its way: remember it for that reply (bounded).
    if (this.inFlight.some((e) => e.jobId === null)) {
      this.#early.add(jobId);
      if (this.#early.size > EARLY_MAX) this.#early.delete(this.#early.values().next().value as number);
    } else {
      this.logger.debug('print event for no job in flight', { device: this.#url, jobId });
    }
  }

  #applyFaults(faults: readonly PrinterFault[]): void {
    this.deviceFull = faults.includes('buffer-full');
    const blocking = faults.filter((f) => f !== 'buffer-full');
    const state = this.machine.state;
    if (blocking.length > 0) {
      if (state === 'faulted' && blocking.join() === this.machine.faults.join()) return;
      if (state !== 'faulted') this.settleAll(`打印中出现故障，结果未知 (fault while printing: ${blocking.join(', ')})`);
      this.machine.tryApply('fault', blocking);
      this.logger.warn('printer fault', { device: this.#url, faults: blocking });
    } else if (state === 'faulted' && this.#session !== null) {
      this.machine.tryApply('fault-cleared');
    }
  }

  protected override onJobsSettled(): void {
    this.#early.clear();
  }

  #onLinkLost(): void {
    const s = this.machine.state;
    if (s === 'closing' || s === 'closed') return;
    this.logger.warn('link lost', { device: this.#url });
    this.settleAll('OPC UA 连接中断，结果未知 (OPC UA connection lost)');
    this.machine.tryApply('link-lost', ['offline']);
    void this.release();
  }

  protected override async release(): Promise<void> {
    const link = this.#link;
    this.#link = null;
    this.#session = null;
    await link?.close();
  }
}
