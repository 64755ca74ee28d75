import { PRINTER_EMULATORS, type PrinterEmulator } from '../../printers/index.ts';
import { READER_EMULATORS, type ReaderEmulator } from '../../scanners/index.ts';
import { startModbusPlcEmulator, type ModbusPlcEmulator } from '../plc/emulators/modbus-plc-emulator.ts';
import { DEFAULT_REGISTER_MAP } from '../plc/register-map.ts';
import { LabelFeed, QueueFeed } from './queue-feed.ts';

/** The emulated devices of the demo line, each listening on 127.0.0.1 (port 0: the OS picks a free one). */
export interface DemoDevices {
  /** 装箱相机: a Cognex-protocol multi-code camera over the open case top. */
  readonly camera: ReaderEmulator;
  readonly cameraFeed: QueueFeed;
  /** 箱码读码器: a Keyence-protocol reader on the case label. */
  readonly caseReader: ReaderEmulator;
  readonly caseFeed: QueueFeed;
  /** 垛箱码读码器: a Hikrobot-protocol reader at the palletiser, on its own photo-eye. */
  readonly palletReader: ReaderEmulator;
  readonly palletFeed: QueueFeed;
  /** 垛标打印机 + 校验读码器: a ZPL label printer and a Keyence-protocol reader that reads the label back. */
  readonly printer: PrinterEmulator;
  readonly verifier: ReaderEmulator;
  readonly labelFeed: LabelFeed;
  readonly plc: ModbusPlcEmulator;
  readonly ports: { readonly camera: number; readonly caseReader: number; readonly palletReader: number; readonly printer: number; readonly verifier: number; readonly plc: number };
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * Starts every emulator of the demo line on a real loopback transport. The camera and readers answer a trigger
 * after `readDelayMs` (exposure + decode, default 5 ms). The verifier always sees the label the printer printed
 * last: the printer emulator's log line for a finished label is the moment it appears under the verifier.
 */
export async function startDemoDevices(options: { readonly readDelayMs?: number; readonly printMs?: number } = {}): Promise<DemoDevices> {
  const started: { close(): Promise<void> }[] = [];
  const readDelay = options.readDelayMs === undefined ? {} : { readDelayMs: options.readDelayMs };
  try {
    const listen = { kind: 'tcp-listen', host: HOST, port: 0 } as const;
    const cameraFeed = new QueueFeed();
    const camera = await READER_EMULATORS.cognex({ endpoint: listen, feed: cameraFeed, ...readDelay }).start();
    started.push({ close: () => camera.stop() });
    const caseFeed = new QueueFeed();
    const caseReader = await READER_EMULATORS.keyence({ endpoint: listen, feed: caseFeed, ...readDelay }).start();
    started.push({ close: () => caseReader.stop() });
    const palletFeed = new QueueFeed();
    const palletReader = await READER_EMULATORS.hikrobot({ endpoint: listen, feed: palletFeed, ...readDelay }).start();
    started.push({ close: () => palletReader.stop() });
    const labelFeed = new LabelFeed();
    const verifier = await READER_EMULATORS.keyence({ endpoint: listen, feed: labelFeed, ...readDelay }).start();
    started.push({ close: () => verifier.stop() });
    const printer = PRINTER_EMULATORS.zpl({ printMs: options.printMs ?? 20 });
    const printerAt = await printer.listenTcp(HOST, 0);
    started.push({ close: () => printer.close() });
    let shown = 0;
    const labels = printer.onLog(() => {
      // Any log line may follow a finished label; what matters is that `printed` grew.
      if (printer.printed.length === shown) return;
      shown = printer.printed.length;
      const last = printer.printed.at(-1);
      if (last !== undefined) labelFeed.show([last.code]);
    });
    started.push({ close: async () => { labels.dispose(); } });
    const plc = await startModbusPlcEmulator({ map: DEFAULT_REGISTER_MAP, tcp: { host: HOST, port: 0 }, confirm: { mode: 'delay', ms: 5 }, heartbeatMs: 100 });
    started.push({ close: () => plc.close() });
    return {
      camera, cameraFeed, caseReader, caseFeed, palletReader, palletFeed, printer, verifier, labelFeed, plc,
      ports: { camera: camera.port, caseReader: caseReader.port, palletReader: palletReader.port, printer: printerAt.port, verifier: verifier.port, plc: plc.tcpPort ?? 0 },
      async close() {
        for (const s of started.reverse()) await s.close();
      },
    };
  } catch (error) {
    for (const s of started.reverse()) await s.close().catch(() => undefined);
    throw error;
  }
}
