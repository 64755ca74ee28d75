/**
 * The composition root (STYLE.md "One composition root"): the only place that constructs concrete adapters —
 * the SQLite store, reader and printer drivers, the PLC driver (Modbus TCP/RTU or OPC UA) and the sync sender — and
 * hands them to the line runtime (edge/station/line-runtime.ts), which owns the batch lifecycle, the device links and
 * the status. `startStation(config)` returns that runtime; `startStationApi` serves the local HTTP API and UI on it.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { DEFAULT_EPCIS_CONFIG } from './config/default-epcis.ts';
import { createPrinter } from '../printers/index.ts';
import { createReader } from '../scanners/index.ts';
import { assembleCaptureDocument, parseEpcisContext, Sender, warmValidators } from '../sync/index.ts';
import type { ApiLogger, RunningApi } from './api/index.ts';
import type { StationConfig } from './config/station-config.ts';
import { openPlc } from './plc/open-plc.ts';
import type { PlcTiming } from './plc/plc-port.ts';
import { openStore } from './store/open.ts';

/** The station connection's SQLite page cache, MiB. */
export const STATION_CACHE_MIB = 16;
import { SqliteOutbox } from './store/outbox.ts';
import type { CaseTriggerSource } from './station/case-station.ts';
import { plcConfigOf, printerConfigOf, readerConfigOf } from './station/device-config.ts';
import type { FreeSpace } from './station/disk-guard.ts';
import { LineRuntime } from './station/line-runtime.ts';
import { createLogger, type Logger } from './station/logger.ts';
import { StationConfigError } from './station/station-errors.ts';

export type { StationStatus } from './station/station-status.ts';
export { createLogger, type Logger, type LogLevel } from './station/logger.ts';
export type { PalletOutcome } from './station/pallet-station.ts';
export type { Alarm } from './station/alarm-board.ts';
/** A running station: the line runtime over the adapters built here. */
export type RunningStation = LineRuntime;

/** Test and demo knobs; a real station passes none. */
export interface StationOverrides {
  readonly logger?: Logger;
  /** Free-space probe (a fake simulates a nearly full disk). */
  readonly freeSpace?: FreeSpace;
  readonly now?: () => number;
  /** PLC driver timing (the demo and tests poll faster than the 20 ms default). */
  readonly plcTiming?: Partial<PlcTiming>;
  /** Where case triggers come from; default `plc` when a PLC is configured, else the camera's own trigger. */
  readonly caseTrigger?: CaseTriggerSource;
  /** How long the pallet (and case label) verifier may take to read a label, ms; wins over the config's. */
  readonly verifyTimeoutMs?: number;
  /** Start the sync sender when the config has one (default true). */
  readonly sync?: boolean;
}

/**
 * Starts a station: translates every device config first (a bad config fails with its field path before anything
 * opens), opens the store, builds the drivers and the sync sender, and starts the line runtime on them (which
 * recovers, connects the devices — an offline one alarms and is retried — and takes cases if a batch runs).
 */
export async function startStation(config: StationConfig, overrides: StationOverrides = {}): Promise<RunningStation> {
  const log = overrides.logger ?? createLogger({ write: (l) => { process.stderr.write(l); } });
  if (config.epcis === undefined) log.warn('配置中没有 epcis，使用默认标识模板 (no epcis in config; using a default identifier template)');
  const epcis = parseEpcisContext(config.epcis ?? DEFAULT_EPCIS_CONFIG);
  const readTimeoutMs = config.case?.readTimeoutMs ?? 800;
  const caseCode = config.case?.caseCode;
  const caseVerifyTimeoutMs = overrides.verifyTimeoutMs ?? config.case?.verifyTimeoutMs ?? 2_000;
  const palletVerifyTimeoutMs = overrides.verifyTimeoutMs ?? config.pallet?.verifyTimeoutMs ?? 2_000;
  const camera = config.case ? readerConfigOf('case.camera', config.case.camera, readTimeoutMs) : null;
  const caseReader = caseCode?.mode === 'read' ? readerConfigOf('case.caseCode.reader', caseCode.reader, readTimeoutMs) : null;
  const casePrint = caseCode?.mode === 'print' ? {
    printer: printerConfigOf('case.caseCode.printer', caseCode.printer), verifier: readerConfigOf('case.caseCode.verifier', caseCode.verifier, caseVerifyTimeoutMs),
  } : null;
  const pallet = config.pallet ? {
    reader: readerConfigOf('pallet.reader', config.pallet.reader, palletVerifyTimeoutMs),
    printer: printerConfigOf('pallet.printer', config.pallet.printer),
    verifier: readerConfigOf('pallet.verifier', config.pallet.verifier, palletVerifyTimeoutMs),
  } : null;
  const plc = config.plc ? plcConfigOf(config.plc) : null;
  const triggerSource: CaseTriggerSource = overrides.caseTrigger ?? config.case?.triggerSource ?? (plc === null ? 'camera' : 'plc');
  if (config.case !== undefined && triggerSource === 'plc' && plc === null) {
    throw new StationConfigError('case.triggerSource', '触发来源为 plc 但没有配置 PLC，请配置 plc 或改用 "camera" (trigger source plc needs a plc section)');
  }

  // Every commit freezes its EPCIS events through the schema validators, compiled on first use (~250 ms of
  // blocked event loop): compile them now, before any device link is open and before the first case, not in it.
  const warmStarted = performance.now();
  warmValidators();
  log.info('EPCIS 校验器已就绪 (EPCIS validators compiled)', { ms: Math.round(performance.now() - warmStarted) });

  // A 16 MiB page cache (not the 64 MiB default): the station's lookups touch a few index pages per code, which
  // the OS page cache serves in microseconds; the process stays within a line PC's budget (issue 12).
  const store = openStore(config.database, { cacheMiB: STATION_CACHE_MIB });
  const printerLogger = { debug: (m: string, f?: Readonly<Record<string, unknown>>) => { log.debug(m, f); }, warn: (m: string, f?: Readonly<Record<string, unknown>>) => { log.warn(m, f); } };
  const printer = (c: NonNullable<typeof pallet>['printer']) => createPrinter({ ...c, logger: printerLogger });
  const devices = {
    camera: camera === null ? null : createReader(camera),
    caseReader: caseReader === null ? null : createReader(caseReader),
    casePrint: casePrint === null ? null : { printer: printer(casePrint.printer), verifier: createReader(casePrint.verifier) },
    pallet: pallet === null ? null : { reader: createReader(pallet.reader), printer: printer(pallet.printer), verifier: createReader(pallet.verifier) },
    plc: plc === null ? null : openPlc({ ...plc.connection, timing: { rejectConfirmTimeoutMs: plc.rejectConfirmTimeoutMs, ...overrides.plcTiming } }),
  };
  const syncUrl = config.sync?.enabled === true && overrides.sync !== false ? config.sync.url : undefined;
  return LineRuntime.start({
    config, store, devices, epcis, log, now: overrides.now ?? Date.now, triggerSource, readTimeoutMs, caseVerifyTimeoutMs, palletVerifyTimeoutMs,
    ...(overrides.freeSpace ? { freeSpace: overrides.freeSpace } : {}), ...(syncUrl === undefined ? {} : { background: () => startSender(store.db, syncUrl, config.sync?.tokenFile, log) }),
  });
}

/** The sync sender on the station's outbox, re-reading the token file on each attempt; stopped with the station. */
function startSender(db: ReturnType<typeof openStore>['db'], url: string, tokenFile: string | undefined, log: Logger): { stop(): Promise<void> } {
  const token = tokenFile === undefined ? undefined : (): string | undefined => {
    try { return existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() || undefined : undefined; } catch { return undefined; }
  };
  const abort = new AbortController();
  const sender = new Sender({
    outbox: new SqliteOutbox(db), url, assemble: assembleCaptureDocument({}), ...(token ? { token } : {}),
    log: (level, message, fields) => { log[level](`[sync] ${message}`, fields); },
  });
  const done = sender.run({ signal: abort.signal }).catch((error: unknown) => { log.error('上传停止 (sync stopped)', { error: error instanceof Error ? error.message : String(error) }); });
  return { async stop() { abort.abort(); await done; } };
}

/** Where the station's local API listens; unset fields come from the config's `api` section, then the defaults. */
export interface StationApiOptions {
  /** Default `config.api.host`, else 127.0.0.1. */
  readonly host?: string;
  /** Default `config.api.port`, else 8720; 0 = any free port. */
  readonly port?: number;
  readonly allowLan?: boolean;
  /** PEM; default the files `config.api.tlsCert` / `tlsKey`. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Write the per-launch token here (one line, mode 0600; removed on close). */
  readonly tokenFile?: string;
  /** Default: the station's logger is not reachable from here, so a silent one. */
  readonly logger?: ApiLogger;
  /** The web UI's directory (default desktop/renderer); null = API only. */
  readonly rendererDir?: string | null;
  readonly idleTimeoutMs?: number;
}

export interface RunningStationApi extends RunningApi {
  readonly tokenFile: string | null;
}

export const DEFAULT_API_PORT = 8720;

/**
 * Serves the local API and UI (issue 6 §1) for a station running in this process: status, pushes, batch commands
 * and end-pallet go to the line runtime (edge/api/line-adapter.ts), everything else reads the station's own store.
 * Close it before stopping the station.
 */
export async function startStationApi(station: RunningStation, options: StationApiOptions = {}): Promise<RunningStationApi> {
  const config = station.config;
  const api = config.api;
  const tls = options.tls ?? (api?.tlsCert !== undefined && api.tlsKey !== undefined ? { cert: readFileSync(api.tlsCert), key: readFileSync(api.tlsKey) } : undefined);
  const logger = options.logger;
  // The API (HTTP server, sessions, OpenAPI, static UI) loads only when it is served: a station or demo run without
  // it (the crash harness, `--no-api`) starts that much faster.
  const [{ startApi }, { stationApiAdapter }, { devicesFromConfig }, { writeTokenFile }] = await Promise.all([
    import('./api/index.ts'), import('./api/line-adapter.ts'), import('./devices/devices-from-config.ts'), import('./api/token-file.ts'),
  ]);
  const running = await startApi({
    store: station.store,
    station: stationApiAdapter(station, {
      onError: (error, batchId) => { logger?.error('工位重新计数失败 (station failed to count again)', { batchId, error: error instanceof Error ? error.message : String(error) }); },
    }),
    host: options.host ?? api?.host ?? '127.0.0.1',
    port: options.port ?? api?.port ?? DEFAULT_API_PORT,
    allowLan: options.allowLan ?? api?.allowLan ?? false,
    ...(tls === undefined ? {} : { tls }),
    ...(logger === undefined ? {} : { logger }),
    ...(options.rendererDir === undefined ? {} : { rendererDir: options.rendererDir }),
    ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
    epcis: parseEpcisContext(config.epcis ?? DEFAULT_EPCIS_CONFIG),
    devices: devicesFromConfig(config),
  });
  const tokenFile = options.tokenFile ?? null;
  if (tokenFile !== null) {
    try {
      writeTokenFile(tokenFile, running.token);
    } catch (error) {
      await running.close();
      throw error;
    }
  }
  return {
    ...running,
    tokenFile,
    async close() {
      if (tokenFile !== null) rmSync(tokenFile, { force: true });
      await running.close();
    },
  };
}
