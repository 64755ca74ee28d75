import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataType, OPCUAServer, StatusCodes, Variant, VariantArrayType, nodesets, type UAObject, type UAMethod } from 'node-opcua';
import type { CodeFeed } from './code-feed.ts';

/**
 * An OPC UA AutoID reader (OPC 30010 v1.01; notes/standards.md §3.1, notes/devices.md §3.3): one
 * `OpticalReaderDeviceType` object under Objects with
 * - `Scan(Settings) → (Results: OpticalScanResult[], Status)` — results in the method reply;
 * - `ScanStart(Settings) → Status` — the result follows as an `OpticalScanEventType` event raised on the device;
 * - `ScanStop() → Status`; `fire()` raises an event as a hardware-triggered reader would.
 * Per-item facts travel only as method results and events, never as variable changes (subscriptions coalesce
 * value changes). A no-read is Status NO_IDENTIFIER (8) with no results, or an event with an empty result list
 * (the spec does not say which a ScanStart reader does on a no-read [?]).
 * Codes fed with an AIM prefix (`]d2…`) are published with it in `ScanData.String` and as `Symbology: "]d2"`,
 * `CodeType "GS1"` for GS1 identifiers, else `RAW:STRING`. `Symbology` text is vendor-defined [?].
 */
export const AUTOID_NAMESPACE = 'http://opcfoundation.org/UA/AutoID/';
const SUCCESS = 0;
const NO_IDENTIFIER = 8;
const DEVICE_NOT_READY = 17;

export interface OpcuaEmulatorOptions {
  readonly port: number;
  readonly feed: CodeFeed;
  /** NodeSet2.xml of AutoID; defaults to ../shared/standards/…/AutoID, else the copy bundled in node-opcua-nodesets. */
  readonly nodesetPath?: string;
  readonly deviceName?: string;
  readonly scanDelayMs?: number;
}

export interface OpcuaFaults {
  /** Answer the next N scans with NO_IDENTIFIER. */
  noReads: number;
  /** Answer scans with DEVICE_NOT_READY. */
  notReady: boolean;
  /** Accept ScanStart but never raise the result event. */
  dropEvents: number;
  /** Delay every Scan reply and ScanStart event by this many ms (a slow or hung camera). */
  delayMs: number;
}

export interface OpcuaAutoIdEmulator {
  readonly endpointUrl: string;
  readonly port: number;
  readonly faults: OpcuaFaults;
  readonly scans: number;
  fire(): void;
  setFeed(feed: CodeFeed): void;
  stop(): Promise<void>;
}

export function defaultAutoIdNodeset(): string {
  const shared = join(import.meta.dirname, '..', '..', '..', 'shared', 'standards', 'opcua-nodesets', 'AutoID', 'Opc.Ua.AutoID.NodeSet2.xml');
  return existsSync(shared) ? shared : nodesets.autoId;
}

export async function startOpcuaAutoIdEmulator(options: OpcuaEmulatorOptions): Promise<OpcuaAutoIdEmulator> {
  const server = new OPCUAServer({
    port: options.port,
    hostname: '127.0.0.1',
    nodeset_filename: [nodesets.standard, nodesets.di, options.nodesetPath ?? defaultAutoIdNodeset()],
    buildInfo: { productName: 'wuma AutoID reader emulator', manufacturerName: 'wuma' },
    serverInfo: { applicationName: { text: 'wuma-autoid-emulator' } },
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace;
  if (addressSpace === null) throw new Error('OPC UA address space not created');
  const ns = addressSpace.getNamespaceIndex(AUTOID_NAMESPACE);
  const type = addressSpace.findObjectType('OpticalReaderDeviceType', ns);
  const eventType = addressSpace.findEventType('OpticalScanEventType', ns);
  const resultType = addressSpace.findDataType('OpticalScanResult', ns);
  if (type === null || eventType === null || resultType === null) throw new Error('AutoID nodeset lacks OpticalReaderDeviceType / OpticalScanEventType / OpticalScanResult');
  const deviceName = options.deviceName ?? 'CodeReader';
  const device = type.instantiate({
    browseName: { name: deviceName, namespaceIndex: addressSpace.getOwnNamespace().index },
    organizedBy: addressSpace.rootFolder.objects,
    optionals: ['Scan', 'ScanStart', 'ScanStop'],
    eventNotifier: 1,
  }) as UAObject;
  const faults: OpcuaFaults = { noReads: 0, notReady: false, dropEvents: 0, delayMs: 0 };
  const timers = new Set<NodeJS.Timeout>();
  let scans = 0;
  let feed = options.feed;

  const results = (): { status: number; values: unknown[] } => {
    scans += 1;
    if (faults.notReady) return { status: DEVICE_NOT_READY, values: [] };
    let codes = feed.next();
    if (faults.noReads > 0) {
      faults.noReads -= 1;
      codes = [];
    }
    if (codes.length === 0) return { status: NO_IDENTIFIER, values: [] };
    const values = codes.map((code, index) => {
      const aim = /^\][A-Za-z][0-9A-Za-z]/.test(code) ? code.slice(0, 3) : undefined;
      const gs1 = aim !== undefined && ['d2', 'C1', 'Q3', 'e0', 'J1'].includes(aim.slice(1));
      return addressSpace.constructExtensionObject(resultType, {
        codeType: gs1 ? 'GS1' : 'RAW:STRING',
        // The AIM id stays in the data, as a reader configured to transmit symbology identifiers sends it.
        scanData: { string: code },
        timestamp: new Date(),
        grade: 4,
        position: { x: 100 + (index % 6) * 200, y: 100 + Math.floor(index / 6) * 200, sizeX: 120, sizeY: 120, rotation: 0 },
        ...(aim === undefined ? {} : { symbology: aim }),
      });
    });
    return { status: SUCCESS, values };
  };
  const raise = (values: unknown[]): void => {
    device.raiseEvent(eventType, {
      scanResult: new Variant({ dataType: DataType.ExtensionObject, arrayType: VariantArrayType.Array, value: values }),
      deviceName: new Variant({ dataType: DataType.String, value: deviceName }),
    });
  };
  const later = (fn: () => void): void => {
    const t = setTimeout(() => { timers.delete(t); fn(); }, (options.scanDelayMs ?? 5) + faults.delayMs);
    timers.add(t);
  };
  const method = (name: string): UAMethod => {
    const m = device.getMethodByName(name, ns);
    if (m === null) throw new Error(`method ${name} missing on the device`);
    return m;
  };
  method('Scan').bindMethod((_inputs, _context, callback) => {
    const r = results();
    later(() => {
      callback(null, {
        statusCode: StatusCodes.Good,
        outputArguments: [
          new Variant({ dataType: DataType.ExtensionObject, arrayType: VariantArrayType.Array, value: r.values }),
          new Variant({ dataType: DataType.Int32, value: r.status }),
        ],
      });
    });
  });
  method('ScanStart').bindMethod((_inputs, _context, callback) => {
    if (faults.notReady) {
      callback(null, { statusCode: StatusCodes.Good, outputArguments: [new Variant({ dataType: DataType.Int32, value: DEVICE_NOT_READY })] });
      return;
    }
    callback(null, { statusCode: StatusCodes.Good, outputArguments: [new Variant({ dataType: DataType.Int32, value: SUCCESS })] });
    const r = results();
    if (faults.dropEvents > 0) {
      faults.dropEvents -= 1;
      return;
    }
    later(() => { raise(r.values); });
  });
  method('ScanStop').bindMethod((_inputs, _context, callback) => {
    callback(null, { statusCode: StatusCodes.Good, outputArguments: [new Variant({ dataType: DataType.Int32, value: SUCCESS })] });
  });
  await server.start();
  const endpoint = server.endpoints[0];
  const port = endpoint?.port ?? options.port;
  return {
    endpointUrl: `opc.tcp://127.0.0.1:${port}`,
    port,
    faults,
    get scans() { return scans; },
    fire: () => { raise(results().values); },
    setFeed: (next) => { feed = next; },
    stop: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await server.shutdown(0);
    },
  };
}
