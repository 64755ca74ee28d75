import { CodeFeed, createCognexEmulator, createKeyenceEmulator, createTextEmulator, TEXT_EMULATOR_PRESETS, type ReaderEmulator } from '../../scanners/index.ts';
import { PRINTER_EMULATORS, type PrinterEmulator } from '../../printers/index.ts';
import { parseConfig } from '../../edge/config/load-config.ts';
import { createLogger, startStation, type RunningStation, type StationOverrides } from '../../edge/main.ts';
import { startModbusPlcEmulator, type ModbusPlcEmulator } from '../../edge/plc/emulators/modbus-plc-emulator.ts';
import type { ConfirmMode } from '../../edge/plc/emulators/simulated-plc.ts';
import { DEFAULT_REGISTER_MAP } from '../../edge/plc/register-map.ts';
import { openStore } from '../../edge/store/open.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { packageUuids, seedLine, type LineMaterial, type SeedOptions } from './batch-line-fixture.ts';

/**
 * A whole line on loopback for the station e2e tests: a Cognex camera and a Keyence case reader (software
 * triggered by the station on each PLC trigger), a text reader at the pallet (self-triggered, `fire()`), a
 * Cognex verifier that reads back whatever the ZPL printer emulator printed last, and the Modbus PLC emulator.
 * Every device is a real emulator over TCP on 127.0.0.1, port 0.
 */

/** What the camera sees, trigger by trigger: tests push one entry per case; an empty queue is a no-read. */
export class QueueFeed extends CodeFeed {
  readonly items: (readonly string[])[] = [];
  constructor() { super([[]]); }
  override next(): readonly string[] { return this.items.shift() ?? []; }
}

/** A label beside the one just printed (the previous pallet's, or a neighbouring line's). */
export const NEIGHBOUR_LABEL = 'NEIGHBOUR0001';

/** The verifier sees the label the printer printed last (or nothing). */
class LabelFeed extends CodeFeed {
  readonly #printer: PrinterEmulator;
  /** Fault knob: the next N reads see a smudged label (no-read). */
  smudged = 0;
  /** Fault knob: the next N reads see the printed label and a neighbour's label beside it (two codes). */
  neighbour = 0;
  constructor(printer: PrinterEmulator) { super([[]]); this.#printer = printer; }
  override next(): readonly string[] {
    if (this.smudged > 0) { this.smudged -= 1; return []; }
    const last = this.#printer.printed.at(-1);
    if (last === undefined) return [];
    if (this.neighbour > 0) { this.neighbour -= 1; return [last.code, NEIGHBOUR_LABEL]; }
    return [last.code];
  }
}

export interface LineOptions {
  readonly seed?: SeedOptions;
  readonly confirm?: ConfirmMode;
  readonly consecutiveRejects?: number;
  readonly rejectConfirmTimeoutMs?: number;
  readonly overrides?: StationOverrides;
}

export interface TestLine {
  readonly dir: TempDir;
  readonly dbPath: string;
  readonly material: LineMaterial;
  readonly plc: ModbusPlcEmulator;
  readonly camera: ReaderEmulator;
  readonly caseReader: ReaderEmulator;
  readonly palletReader: ReaderEmulator;
  readonly verifier: ReaderEmulator;
  readonly printer: PrinterEmulator;
  readonly cameraFeed: QueueFeed;
  readonly caseFeed: QueueFeed;
  readonly palletFeed: QueueFeed;
  readonly labelFeed: LabelFeed;
  /** Every log line the station wrote (JSON lines, debug level). */
  readonly logs: string[];
  station: RunningStation;
  startBatch(): void;
  /** Puts one case under the camera, fires the PLC trigger and waits until the station decided it. */
  runCase(children: readonly string[], caseCode: string | null): Promise<void>;
  /** One case passes the pallet reader; waits until the pallet station took it. */
  stackCase(caseCode: string): Promise<void>;
  /** Stops the station (as a restart would) and starts it again on the same database and devices. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function waitFor(what: string, predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function startTestLine(options: LineOptions = {}): Promise<TestLine> {
  const dir = makeTempDir('wuma-station-');
  const dbPath = dir.file('wuma.db');
  const seedStore = openStore(dbPath, { checkpointer: false });
  const material = seedLine(seedStore.db, { unitsPerCase: 4, casesPerPallet: 3, cases: 12, spareCaps: 8, ...options.seed });
  await seedStore.close();

  const listen = { kind: 'tcp-listen' as const, host: '127.0.0.1', port: 0 };
  const cameraFeed = new QueueFeed();
  const caseFeed = new QueueFeed();
  const palletFeed = new QueueFeed();
  const printer = PRINTER_EMULATORS.zpl({ printMs: 5 });
  const labelFeed = new LabelFeed(printer);
  const camera = await createCognexEmulator({ endpoint: listen, feed: cameraFeed, readDelayMs: 2 }).start();
  const caseReader = await createKeyenceEmulator({ endpoint: listen, feed: caseFeed, readDelayMs: 2 }).start();
  const palletReader = await createTextEmulator({ endpoint: listen, feed: palletFeed, settings: TEXT_EMULATOR_PRESETS.text, readDelayMs: 1 }).start();
  const verifier = await createCognexEmulator({ endpoint: listen, feed: labelFeed, readDelayMs: 2 }).start();
  const printerAddress = await printer.listenTcp('127.0.0.1', 0);
  const plc = await startModbusPlcEmulator({ map: DEFAULT_REGISTER_MAP, tcp: { host: '127.0.0.1', port: 0 }, heartbeatMs: 50, confirm: options.confirm ?? { mode: 'delay', ms: 5 } });

  const config = parseConfig({
    station: { id: 'T1', name: '测试线', line: 'T1' },
    database: dbPath,
    case: {
      camera: { driver: 'cognex', tcp: `127.0.0.1:${camera.port}` },
      caseCode: { mode: 'read', reader: { driver: 'keyence', tcp: `127.0.0.1:${caseReader.port}` } },
      readTimeoutMs: 500,
    },
    pallet: {
      reader: { driver: 'text', tcp: `127.0.0.1:${palletReader.port}` },
      printer: { driver: 'zpl', tcp: `127.0.0.1:${printerAddress.port}` },
      verifier: { driver: 'cognex', tcp: `127.0.0.1:${verifier.port}` },
    },
    plc: { driver: 'modbus-tcp', tcp: `127.0.0.1:${plc.tcpPort}`, rejectConfirmTimeoutMs: options.rejectConfirmTimeoutMs ?? 400 },
    epcis: { identifiers: { uriTemplate: 'https://c.wuma.example/{kind}/{code}' } },
    alarms: { consecutiveRejects: options.consecutiveRejects ?? 3, diskMinFreeMiB: 16 },
  }, 'test');
  const logs: string[] = [];
  const logger = createLogger({ write: (l) => { logs.push(l); }, level: 'debug' });
  const start = (): Promise<RunningStation> => startStation(config, { logger, plcTiming: { pollIntervalMs: 5, requestTimeoutMs: 3_000, watchdogMs: 5_000 }, verifyTimeoutMs: 500, ...options.overrides });

  const line: TestLine = {
    dir, dbPath, material, plc, camera, caseReader, palletReader, verifier, printer, cameraFeed, caseFeed, palletFeed, labelFeed, logs,
    station: await start(),
    startBatch() {
      line.station.startBatch({ productId: material.productId, lot: 'L20260101', productionDate: '2026-01-01', packages: packageUuids(material), actor: 'tester' });
    },
    async runCase(children, caseCode) {
      const before = line.station.status().lastReads[0]?.seq ?? 0;
      cameraFeed.items.push(children);
      caseFeed.items.push(caseCode === null ? [] : [caseCode]);
      plc.plc.advanceTrigger(1);
      await waitFor('the case decision', () => (line.station.status().lastReads[0]?.seq ?? 0) > before && line.station.status().caseStation?.state === 'idle')
        .catch((error: unknown) => { throw new Error(`${String(error)}\n${logs.filter((l) => !l.includes('"rx"') && !l.includes('unsolicited')).join('')}`); });
    },
    async stackCase(caseCode) {
      const s = line.station.status().palletStation;
      const before = (s?.cases ?? 0) + (s?.pallets ?? 0) * 1000 + (s?.held ?? 0);
      const refused = line.station.status().alarms.length;
      palletFeed.items.push([caseCode]);
      palletReader.fire();
      // Counted at once; stored (or refused) when the deferred write commits with the next decision or alone.
      const stored = line.station.store.db.prepare('SELECT 1 FROM pallet_stack_cases WHERE case_code = ?').pluck();
      await waitFor('the pallet station to take the case', () => {
        const p = line.station.status().palletStation;
        if (line.station.status().alarms.length !== refused) return true;
        if ((p?.cases ?? 0) + (p?.pallets ?? 0) * 1000 + (p?.held ?? 0) === before) return false;
        return (p?.held ?? 0) > 0 || stored.get(caseCode) !== undefined || (p?.pallets ?? 0) * 1000 > before;
      });
    },
    async restart() {
      await line.station.stop();
      line.station = await start();
    },
    async close() {
      await line.station.stop();
      await Promise.all([camera.stop(), caseReader.stop(), palletReader.stop(), verifier.stop(), printer.close(), plc.close()]);
      dir.remove();
    },
  };
  return line;
}
