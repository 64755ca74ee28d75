import { createReader, type Reader } from '../../scanners/index.ts';
import type { PairingConfig } from '../config/pairing-config.ts';
import { openPlc } from '../plc/open-plc.ts';
import type { PlcPort, PlcTiming } from '../plc/plc-port.ts';
import { appendAudit } from '../store/audit.ts';
import { openStore, type Store } from '../store/open.ts';
import { startPairingRun, type PairingRun } from '../store/pairing-items.ts';
import { AlarmBoard } from '../station/alarm-board.ts';
import { plcConfigOf, readerConfigOf } from '../station/device-config.ts';
import type { Logger } from '../station/logger.ts';
import { ReaderLink } from '../station/reader-link.ts';
import { PairingStation, type PairingStationStatus } from './pairing-station.ts';

export interface RunningPairingStation {
  readonly store: Store;
  readonly run: PairingRun;
  readonly station: PairingStation;
  readonly alarms: AlarmBoard;
  readonly readers: { readonly inner: Reader; readonly outer: Reader };
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
  const innerConfig = readerConfigOf('pairing.innerReader', config.pairing.innerReader, config.pairing.readTimeoutMs);
  const outerConfig = readerConfigOf('pairing.outerReader', config.pairing.outerReader, config.pairing.readTimeoutMs);
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
    const inner = new ReaderLink('inner-reader', createReader(innerConfig), alarms, log);
    closers.push(() => inner.close());
    const outer = new ReaderLink('outer-reader', createReader(outerConfig), alarms, log);
    closers.push(() => outer.close());
    const plc: PlcPort = openPlc({ ...plcLink.connection, timing: { rejectConfirmTimeoutMs: plcLink.rejectConfirmTimeoutMs, ...options.plcTiming } });
    closers.push(() => plc.close());
    // The readers are software-triggered per item; a read they send on their own is a stray trigger that puts
    // that side's counter ahead (the next item is 错位). Logged here so the cause is visible.
    for (const link of [inner, outer]) {
      const sub = link.reader.onRead((r) => {
        if (r.trigger.source === 'external') log.warn('读码器自触发（多余触发），下一件将判错位 (stray reader trigger; the next item will be slipped)', { deviceId: link.name, trigger: r.trigger.id });
      });
      closers.push(async () => { sub.dispose(); });
    }
    await Promise.all([inner.open(), outer.open()]);
    try {
      await plc.connect();
    } catch (error) {
      // Without the PLC there are no item triggers and no kicker: the pairing line cannot run unattended.
      throw new Error(`PLC 连接失败 (PLC connect failed): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const station = new PairingStation({
      db, run, inner: inner.reader, outer: outer.reader, plc, alarms, log,
      readTimeoutMs: config.pairing.readTimeoutMs, lastItems: config.pairing.lastItems,
    });
    station.start();
    closers.push(() => station.stop());
    log.info('配对工位已启动 (pairing station started)', { stationId: config.station.id, line: config.station.line, run: run.uuid });
    return {
      store, run, station, alarms, readers: { inner: inner.reader, outer: outer.reader },
      status: () => ({ ...station.status(), alarms: alarms.active(), station: config.station }),
      stop: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
