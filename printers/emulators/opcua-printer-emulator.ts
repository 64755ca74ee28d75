import { DataType, OPCUAServer, StatusCodes, Variant, VariantArrayType, nodesets, type CallbackT, type CallMethodResultOptions, type UAEventType, type UAObject } from 'node-opcua';
import { DEFAULT_FAULTS, type EmulatorFaults, type PrintedItem } from './printer-emulator.ts';

/**
 * A coder / print-and-apply engine that exposes its own OPC UA server (node-opcua), written from the object type
 * below, not from the driver. No companion spec covers a printer: OPEN-SCS (OPC 30260) models the L3
 * serialization server (SN pools, `LabelsEncodingEvent` reported *to* L3), not a device that prints, so this is
 * a small documented type in namespace `http://wuma.local/UA/CodePrinter/` [?: each vendor names its own]:
 *
 * `CodePrinterType` (ObjectType, subtype of BaseObjectType), instance `CodePrinter` under Objects, EventNotifier set:
 * - `Print(Code: String) → (JobId: UInt32, Result: Int32)` — queues one item; JobId 0 unless Result is 0.
 * - `PrintBatch(Codes: String[]) → (JobIds: UInt32[], Results: Int32[])` — the same per code, in order.
 * - Result: 0 Accepted, 1 BufferFull, 2 Faulted, 3 InvalidData (refused: never printed), 4 NotReady.
 * - `PrintConfirmedEventType` (subtype of BaseEventType, props `JobId: UInt32`), raised on the printer object
 *   once per printed item. Per-item facts are events, never variable changes: subscriptions coalesce values.
 * - Variables (status, coalescing is harmless): `State: String` (Idle | Printing | Faulted | Booting),
 *   `Faults: String[]` (RibbonOut, PaperOut, HeadOpen, BufferFull), `QueueDepth: UInt32` (items held, including
 *   the one printing), `Identity: String`.
 * Fault knobs are the shared `EmulatorFaults`; byte-level ones (split, garbage, oversize) have no meaning here.
 * `dropReplies` holds a Print reply until the server stops (the job is still queued: its fate is unknown to
 * the host); `replyDelayMs` delays method replies.
 */
export const CODE_PRINTER_NAMESPACE = 'http://wuma.local/UA/CodePrinter/';

export interface OpcuaPrinterEmulatorOptions {
  readonly port: number;
  /** Address to bind, default 127.0.0.1. */
  readonly host?: string;
  readonly printMs?: number;
  readonly bufferSize?: number;
  readonly bootMs?: number;
  /** Called before each PrintConfirmed event is raised (test harnesses publish `printed` first). */
  readonly beforeConfirm?: (item: PrintedItem) => Promise<void> | void;
  /** Called when an item is accepted into the queue. */
  readonly onAccepted?: (item: PrintedItem) => void;
  /** Called at the start of every method call, variable read and engine step (test harness control input). */
  readonly refresh?: () => void;
  readonly onLog?: (line: string) => void;
}

export interface OpcuaPrinterEmulator {
  readonly endpointUrl: string;
  readonly port: number;
  readonly faults: EmulatorFaults;
  readonly printed: readonly PrintedItem[];
  readonly accepted: readonly PrintedItem[];
  /** Applies fault knobs; clearing a device fault resumes printing. */
  set(faults: Partial<EmulatorFaults>): void;
  /** Power cycle: client connections drop, the queue is lost, for bootMs every call answers NotReady. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const ACCEPTED = 0;
const BUFFER_FULL = 1;
const FAULTED = 2;
const INVALID_DATA = 3;
const NOT_READY = 4;
/** Longest code accepted (a coder's field limit; longer is InvalidData). */
const MAX_CODE = 3072;

interface Job extends PrintedItem {
  readonly jobId: number;
}

export async function startOpcuaPrinterEmulator(options: OpcuaPrinterEmulatorOptions): Promise<OpcuaPrinterEmulator> {
  const printMs = options.printMs ?? 20;
  const bufferSize = options.bufferSize ?? 32;
  const bootMs = options.bootMs ?? 300;
  const log = options.onLog ?? ((): void => undefined);
  const refresh = options.refresh ?? ((): void => undefined);
  const faults: EmulatorFaults = { ...DEFAULT_FAULTS };
  const printed: Job[] = [];
  const accepted: Job[] = [];
  let queue: Job[] = [];
  let current: Job | null = null;
  let nextJobId = 1;
  let booting = false;
  let stopped = false;
  let engine: NodeJS.Timeout | null = null;
  const timers = new Set<NodeJS.Timeout>();
  const held = new Set<() => void>();
  const deviceFaulted = (): boolean => faults.ribbonOut || faults.paperOut || faults.headOpen;
  const faultNames = (): string[] => [
    ...(faults.ribbonOut ? ['RibbonOut'] : []), ...(faults.paperOut ? ['PaperOut'] : []), ...(faults.headOpen ? ['HeadOpen'] : []),
    ...(faults.bufferFull || queue.length >= bufferSize ? ['BufferFull'] : []),
  ];
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => { timers.delete(t); if (!stopped) fn(); }, ms);
    timers.add(t);
  };
  const masked = (code: string): string => (code.length <= 6 ? '*'.repeat(code.length) : `${code.slice(0, 4)}…${code.slice(-2)}`);

  const kick = (): void => {
    if (engine !== null || stopped || booting) return;
    refresh();
    if (deviceFaulted() || queue.length === 0) return;
    current = queue.shift() ?? null;
    engine = setTimeout(() => {
      engine = null;
      const job = current;
      current = null;
      if (job !== null) {
        printed.push(job);
        log(`已打印 (printed) job ${job.jobId} ${masked(job.code)}`);
        const raise = (): void => {
          if (stopped) return;
          if (device !== null && confirmedType !== null) device.raiseEvent(confirmedType, { jobId: { dataType: DataType.UInt32, value: job.jobId } });
        };
        const before = options.beforeConfirm?.(job);
        if (before instanceof Promise) void before.then(raise, raise);
        else raise();
      }
      kick();
    }, printMs);
  };

  /** One code through the device's admission rules; returns [jobId, result]. */
  const admit = (code: unknown): [number, number] => {
    if (booting) return [0, NOT_READY];
    if (faults.nakJobs > 0) { faults.nakJobs -= 1; log('故障注入: 拒收 (fault: job refused)'); return [0, INVALID_DATA]; }
    if (typeof code !== 'string' || code.length === 0 || code.length > MAX_CODE) return [0, INVALID_DATA];
    if (deviceFaulted()) return [0, FAULTED];
    if (faults.bufferFull || queue.length >= bufferSize) return [0, BUFFER_FULL];
    const job: Job = { jobId: nextJobId, code, detail: `job ${nextJobId}` };
    nextJobId = nextJobId >= 0xffff_fffe ? 1 : nextJobId + 1;
    queue.push(job);
    accepted.push(job);
    options.onAccepted?.(job);
    log(`排队 (queued) job ${job.jobId} ${masked(code)}`);
    kick();
    return [job.jobId, ACCEPTED];
  };

  /** Sends a method reply through the reply knobs (drop = hold until stop, delay). */
  const answer = (callback: CallbackT<CallMethodResultOptions>, result: CallMethodResultOptions): void => {
    if (faults.dropReplies > 0 && faults.dropAfter > 0) faults.dropAfter -= 1;
    else if (faults.dropReplies > 0) {
      faults.dropReplies -= 1;
      log('故障注入: 丢弃应答 (fault: reply held back)');
      held.add(() => { callback(null, { statusCode: StatusCodes.BadShutdown }); });
      return;
    }
    if (faults.replyDelayMs > 0) later(faults.replyDelayMs, () => { callback(null, result); });
    else callback(null, result);
  };

  let server: OPCUAServer | null = null;
  let device: UAObject | null = null;
  let confirmedType: UAEventType | null = null;
  /** Builds and starts the server (again after a restart, on the same port: a power cycle drops every session). */
  const build = async (port: number): Promise<OPCUAServer> => {
    const srv = new OPCUAServer({
      port,
      hostname: options.host ?? '127.0.0.1',
      nodeset_filename: [nodesets.standard],
      buildInfo: { productName: 'wuma OPC UA code printer emulator', manufacturerName: 'wuma' },
      serverInfo: { applicationName: { text: 'wuma-opcua-printer-emulator' } },
    });
    await srv.initialize();
    const addressSpace = srv.engine.addressSpace;
    if (addressSpace === null) throw new Error('OPC UA address space not created');
    const namespace = addressSpace.registerNamespace(CODE_PRINTER_NAMESPACE);
    const printerType = namespace.addObjectType({ browseName: 'CodePrinterType' });
    confirmedType = namespace.addEventType({ browseName: 'PrintConfirmedEventType', subtypeOf: 'BaseEventType' });
    namespace.addVariable({ propertyOf: confirmedType, browseName: 'JobId', dataType: 'UInt32', modellingRule: 'Mandatory' });
    device = namespace.addObject({ browseName: 'CodePrinter', typeDefinition: printerType, organizedBy: addressSpace.rootFolder.objects, eventNotifier: 1 }) as UAObject;
    namespace.addMethod(device as UAObject, {
      browseName: 'Print',
      inputArguments: [{ name: 'Code', dataType: DataType.String }],
      outputArguments: [{ name: 'JobId', dataType: DataType.UInt32 }, { name: 'Result', dataType: DataType.Int32 }],
    }).bindMethod((inputs, _context, callback) => {
      refresh();
      const [jobId, result] = admit(inputs[0]?.value);
      answer(callback, {
        statusCode: StatusCodes.Good,
        outputArguments: [new Variant({ dataType: DataType.UInt32, value: jobId }), new Variant({ dataType: DataType.Int32, value: result })],
      });
    });
    namespace.addMethod(device as UAObject, {
      browseName: 'PrintBatch',
      inputArguments: [{ name: 'Codes', dataType: DataType.String, valueRank: 1 }],
      outputArguments: [{ name: 'JobIds', dataType: DataType.UInt32, valueRank: 1 }, { name: 'Results', dataType: DataType.Int32, valueRank: 1 }],
    }).bindMethod((inputs, _context, callback) => {
      refresh();
      const codes: unknown = inputs[0]?.value;
      const list: unknown[] = Array.isArray(codes) ? codes : [];
      const out = list.map((c) => admit(c));
      answer(callback, {
        statusCode: StatusCodes.Good,
        outputArguments: [
          new Variant({ dataType: DataType.UInt32, arrayType: VariantArrayType.Array, value: out.map((x) => x[0]) }),
          new Variant({ dataType: DataType.Int32, arrayType: VariantArrayType.Array, value: out.map((x) => x[1]) }),
        ],
      });
    });
    const variable = (browseName: string, dataType: DataType, get: () => Variant): void => {
      namespace.addVariable({ componentOf: device as UAObject, browseName, dataType, ...(dataType === DataType.String && browseName === 'Faults' ? { valueRank: 1 } : {}), value: { get: () => { refresh(); return get(); } } });
    };
    variable('State', DataType.String, () => new Variant({ dataType: DataType.String, value: booting ? 'Booting' : deviceFaulted() ? 'Faulted' : current !== null || queue.length > 0 ? 'Printing' : 'Idle' }));
    variable('Faults', DataType.String, () => new Variant({ dataType: DataType.String, arrayType: VariantArrayType.Array, value: faultNames() }));
    variable('QueueDepth', DataType.UInt32, () => new Variant({ dataType: DataType.UInt32, value: queue.length + (current === null ? 0 : 1) }));
    variable('Identity', DataType.String, () => new Variant({ dataType: DataType.String, value: 'WUMA-EMU OPC UA coder 1.0' }));
    await srv.start();
    return srv;
  };
  server = await build(options.port);
  const port = server.endpoints[0]?.port ?? options.port;
  return {
    endpointUrl: `opc.tcp://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    faults,
    printed,
    accepted,
    set(patch) {
      Object.assign(faults, patch);
      kick();
    },
    async restart() {
      log('重启 (restart): 队列清空 (queue lost)');
      booting = true;
      if (engine !== null) clearTimeout(engine);
      engine = null;
      current = null;
      queue = [];
      const old = server;
      server = null;
      device = null;
      await old?.shutdown(0);
      await new Promise<void>((resolve) => { later(bootMs, resolve); });
      if (stopped) return;
      server = await build(port);
      booting = false;
      log('启动完成 (boot complete)');
      kick();
    },
    async stop() {
      stopped = true;
      if (engine !== null) clearTimeout(engine);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const release of held) release();
      held.clear();
      await server?.shutdown(0);
      server = null;
    },
  };
}
