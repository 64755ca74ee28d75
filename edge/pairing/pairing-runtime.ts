import { createPrinter, type Printer } from '../../printers/index.ts';
import { createReader, type Reader } from '../../scanners/index.ts';
import { parseEpcisContext, warmValidators } from '../../sync/index.ts';
import { DEFAULT_EPCIS_CONFIG } from '../config/default-epcis.ts';
import { pairingSourceKind, type PairingConfig } from '../config/pairing-config.ts';
import { openPlc } from '../plc/open-plc.ts';
import type { PlcPort, PlcTiming } from '../plc/plc-port.ts';
import { appendAudit } from '../store/audit.ts';
import { openStore, type Store } from '../store/open.ts';
import { startPairingRun, voidUnconfirmedPairingOuter, type PairingRun } from '../store/pairing-items.ts';
import { AlarmBoard } from '../station/alarm-board.ts';
import { plcConfigOf, printerConfigOf, readerConfigOf } from '../station/device-config.ts';
import type { Logger } from '../station/logger.ts';
import { PrinterLink } from '../station/printer-link.ts';
import { ReaderLink } from '../station/reader-link.ts';
import { PairingStation, type PairingSources, type PairingStationStatus } from './pairing-station.ts';

/** The devices of the configured sources (pairing-config.ts pairingSourceKind): absent ones are undefined. */
export interface PairingDevices {
  readonly inner?: Reader;
  readonly outer?: Reader;
  readonly camera?: Reader;
  readonly printer?: Printer;
}

export interface RunningPairingStation {
  readonly store: Store;
  readonly run: PairingRun;
  readonly station: PairingStation;
  readonly alarms: AlarmBoard;
  readonly readers: PairingDevices;
  /** Outer codes allocated before a crash and voided at this start (print mode). */
  readonly voidedAtStart: number;
  status(): PairingStationStatus & { readonly alarms: ReturnType<AlarmBoard['active']>; readonly station: PairingConfig['station'] };
  stop(): Promise<void>;
}

export interface PairingStartOptions {
  readonly logger: Logger;
  readonly actor?: string;
  readonly plcTiming?: Partial<PlcTiming>;
}

/**
 * The composition of the pairing mode (issue 15; the line station's is edge/main.ts): opens the database, resumes
 * or starts the line's pairing run for the configured packages, links both readers (ReaderLink: alarm and
 * reconnect with back-off) and the PLC, and starts the station. Any failure before it runs closes what was opened.
 */
export async function startPairingStation(config: PairingConfig, options: PairingStartOptions): Promise<RunningPairingStation> {
  const log = options.logger;
  const p = config.pairing;
  const kind = pairingSourceKind(p);
  if (typeof kind !== 'string') throw new Error(`${kind.path}: ${kind.message}`);
  const innerConfig = p.innerReader === undefined ? null : readerConfigOf('pairing.innerReader', p.innerReader, p.readTimeoutMs);
  const outerConfig = p.outerReader === undefined ? null : readerConfigOf('pairing.outerReader', p.outerReader, p.readTimeoutMs);
  const cameraConfig = p.camera === undefined ? null : readerConfigOf('pairing.camera', p.camera, p.readTimeoutMs);
  const printerConfig = p.outerPrinter === undefined ? null : { ...printerConfigOf('pairing.outerPrinter', p.outerPrinter), confirmTimeoutMs: p.printConfirmTimeoutMs };
  const epcis = parseEpcisContext(config.epcis ?? DEFAULT_EPCIS_CONFIG);
  // The EPCIS schema validator compiles on first use (hundreds of ms): before the first item, not in its decision.
  warmValidators();
  const plcLink = plcConfigOf(config.plc);
  const store = openStore(config.database);
  const closers: (() => Promise<void>)[] = [() => store.close()];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.splice(0).reverse()) await c().catch((error: unknown) => { log.warn('关闭失败 (close failed)', { error: error instanceof Error ? error.message : String(error) }); });
  };
  try {
    const db = store.db;
    const run = startPairingRun(db, { line: config.station.line, innerPackage: config.pairing.innerPackage, outerPackage: config.pairing.outerPackage, actor: options.actor ?? 'station' });
    const alarms = new AlarmBoard((action, alarm, actor) => {
      try {
        db.transaction(() => { appendAudit(db, { actor, action, subject: alarm.id, detail: { level: alarm.level, message: alarm.message, repeats: alarm.repeats } }); }).immediate();
      } catch (error) {
        log.error('报警写入审计日志失败 (alarm audit failed)', { alarm: alarm.id, error: error instanceof Error ? error.message : String(error) });
      }
      if (action === 'alarm.raise') log.warn(`报警 (alarm): ${alarm.message}`, { alarm: alarm.id });
    });
    const voidedAtStart = voidUnconfirmedPairingOuter(db, run.id, options.actor ?? 'station');
    if (voidedAtStart > 0) log.warn('上次中断时已分配、结果不明的外码已作废 (outer codes allocated before an interruption voided)', { count: voidedAtStart, run: run.uuid });
    const readerLinks: ReaderLink[] = [];
    const link = (name: string, c: ReturnType<typeof readerConfigOf> | null): ReaderLink | null => {
      if (c === null) return null;
      const l = new ReaderLink(name, createReader(c), alarms, log);
      closers.push(() => l.close());
      readerLinks.push(l);
      return l;
    };
    const inner = link('inner-reader', innerConfig);
    const outer = link('outer-reader', outerConfig);
    const camera = link('camera', cameraConfig);
    let printer: PrinterLink | null = null;
    if (printerConfig !== null) {
      const pl = new PrinterLink('outer-printer', createPrinter(printerConfig), alarms, log);
      closers.push(() => pl.close());
      printer = pl;
    }
    const plc: PlcPort = openPlc({ ...plcLink.connection, timing: { rejectConfirmTimeoutMs: plcLink.rejectConfirmTimeoutMs, ...options.plcTiming } });
    closers.push(() => plc.close());
    // The readers are software-triggered per item; a read they send on their own is a stray trigger that puts
    // that side's counter ahead (the next item is 错位). Logged here so the cause is visible.
    for (const l of readerLinks) {
      const sub = l.reader.onRead((r) => {
        if (r.trigger.source !== 'external') return;
        if (kind === 'two-readers') log.warn('读码器自触发（多余触发），下一件将判错位 (stray reader trigger; the next item will be slipped)', { deviceId: l.name, trigger: r.trigger.id });
        else log.warn('读码器自触发（多余触发），已忽略 (stray reader trigger; ignored)', { deviceId: l.name, trigger: r.trigger.id });
      });
      closers.push(async () => { sub.dispose(); });
    }
    await Promise.all([...readerLinks.map((l) => l.open()), ...(printer === null ? [] : [printer.open()])]);
    try {
      await plc.connect();
    } catch (error) {
      // Without the PLC there are no item triggers and no kicker: the pairing line cannot run unattended.
      throw new Error(`PLC 连接失败 (PLC connect failed): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const sources: PairingSources = kind === 'one-camera' && camera !== null ? { kind, camera: camera.reader }
      : kind === 'print' && inner !== null && printer !== null ? { kind, inner: inner.reader, printer: printer.printer }
      : inner !== null && outer !== null ? { kind: 'two-readers', inner: inner.reader, outer: outer.reader }
      : (() => { throw new Error(`配对工位读码配置不完整 (pairing sources incomplete: ${kind})`); })();
    const station = new PairingStation({
      db, run, sources, epcis, plc, alarms, log,
      readTimeoutMs: config.pairing.readTimeoutMs, lastItems: config.pairing.lastItems,
    });
    station.start();
    closers.push(() => station.stop());
    log.info('配对工位已启动 (pairing station started)', { stationId: config.station.id, line: config.station.line, run: run.uuid, sources: kind });
    const readers: PairingDevices = {
      ...(inner === null ? {} : { inner: inner.reader }), ...(outer === null ? {} : { outer: outer.reader }),
      ...(camera === null ? {} : { camera: camera.reader }), ...(printer === null ? {} : { printer: printer.printer }),
    };
    return {
      store, run, station, alarms, readers, voidedAtStart,
      status: () => ({ ...station.status(), alarms: alarms.active(), station: config.station }),
      stop: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
