import { dirname, join, resolve } from 'node:path';
import { integerOption, optionalString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { listenFailure } from '../listen-failure.ts';
import { ConfigError, parseConfig, readConfigJson } from '../../config/load-config.ts';
import { configMode } from '../../config/pairing-config.ts';
import { runPairingStationCommand } from '../pairing-station-command.ts';
import type { StationConfig } from '../../config/station-config.ts';
import { ApiStartError } from '../../api/index.ts';
import { createLogger, DEFAULT_API_PORT, startStation, startStationApi, type RunningStationApi } from '../../main.ts';
import { describeDevice, plcConfigOf, printerConfigOf, readerConfigOf } from '../../station/device-config.ts';

/** The config as a short summary (what `--check` prints). */
function summary(config: StationConfig): Record<string, unknown> {
  return {
    station: config.station,
    database: config.database,
    case: config.case === undefined ? null : {
      camera: describeDevice(config.case.camera),
      caseCode: config.case.caseCode.mode === 'read'
        ? { mode: 'read', reader: describeDevice(config.case.caseCode.reader) }
        : {
          mode: 'print', printer: describeDevice(config.case.caseCode.printer), verifier: describeDevice(config.case.caseCode.verifier),
          verifyTimeoutMs: config.case.verifyTimeoutMs ?? 2_000, printAttempts: config.case.printAttempts ?? 3,
        },
      readTimeoutMs: config.case.readTimeoutMs,
    },
    pallet: config.pallet === undefined ? null : {
      reader: describeDevice(config.pallet.reader), printer: describeDevice(config.pallet.printer), verifier: describeDevice(config.pallet.verifier),
    },
    plc: config.plc === undefined ? null : { driver: config.plc.driver, address: config.plc.tcp ?? config.plc.serial ?? config.plc.opcua ?? null, unitId: config.plc.unitId, rejectConfirmTimeoutMs: config.plc.rejectConfirmTimeoutMs },
    sync: config.sync === undefined ? null : { url: config.sync.url ?? null, enabled: config.sync.enabled },
    alarms: config.alarms ?? null,
  };
}

/** Runs the device translations without opening anything, so --check catches an unknown driver too. */
function checkDevices(config: StationConfig): void {
  if (config.case) {
    readerConfigOf('case.camera', config.case.camera, config.case.readTimeoutMs);
    if (config.case.caseCode.mode === 'read') readerConfigOf('case.caseCode.reader', config.case.caseCode.reader, config.case.readTimeoutMs);
    else {
      // Print mode (allocate → print → read back) runs like read mode: its printer and verifier are checked the same way.
      printerConfigOf('case.caseCode.printer', config.case.caseCode.printer);
      readerConfigOf('case.caseCode.verifier', config.case.caseCode.verifier, config.case.verifyTimeoutMs ?? 2_000);
    }
  }
  if (config.pallet) {
    readerConfigOf('pallet.reader', config.pallet.reader, 2_000);
    printerConfigOf('pallet.printer', config.pallet.printer);
    readerConfigOf('pallet.verifier', config.pallet.verifier, 2_000);
  }
  if (config.plc) plcConfigOf(config.plc);
}

export const command: CommandSpec = {
  path: ['station'],
  summary: '运行产线工位：装箱关联、组垛关联、剔除与报警；配置 mode 为 pairing 时运行配对工位 (run the line station; a config with mode "pairing" runs the pairing station)',
  usesDb: false,
  options: {
    config: { type: 'string', value: 'FILE', description: '工作站配置文件 (station config, JSON with // comments; see edge/config/station.example.json)' },
    check: { type: 'boolean', description: '只检查配置并显示摘要，不连接设备 (validate the config and print a summary; touch no device)' },
    'api-port': { type: 'string', value: 'P', description: `本地接口/界面端口，优先于配置 api.port (local API/UI port; overrides config api.port; default ${DEFAULT_API_PORT}; 0 = any free port)` },
    'api-token-file': { type: 'string', value: 'FILE', description: '本次启动的令牌写入此文件（仅本用户可读）(write the per-launch API token here, mode 0600; default api-token beside the database)' },
    'log-level': { type: 'string', value: 'LEVEL', description: '日志级别 debug | info | warn | error (default info; logs go to stderr as JSON lines)' },
  },
  details: [
    '不带 --check 时一直运行，直到 Ctrl+C / SIGTERM；数据库路径取自配置文件 (runs until SIGINT/SIGTERM; the database path comes from the config).',
    '同时在 127.0.0.1 提供本地接口与界面（配置 api 节，默认端口 8720）；令牌只写入令牌文件，从不打印 (also serves the local API and UI; the token goes to the token file only, never to the output).',
    '例 (examples):',
    '  wuma station --config /etc/wuma/station.json --check',
    '  wuma station --config /etc/wuma/station.json',
    '  wuma station --config /etc/wuma/station.json --api-port 8710 --api-token-file /run/wuma/api-token',
  ].join('\n'),
  async run(ctx, args) {
    const file = optionalString(args, 'config');
    if (file === undefined) throw new UsageError('需要 --config FILE (a config file is required)');
    const level = optionalString(args, 'log-level') ?? 'info';
    if (level !== 'debug' && level !== 'info' && level !== 'warn' && level !== 'error') throw new UsageError(`--log-level 应为 debug | info | warn | error，收到 "${level}"`);
    const apiPort = args.values['api-port'] === undefined ? undefined : integerOption(args, 'api-port', { min: 0, max: 65_535 });
    let raw: unknown;
    try {
      raw = readConfigJson(file);
    } catch (error) {
      if (error instanceof ConfigError) throw new CommandFailure(error.message, { errors: error.errors });
      throw error;
    }
    // mode: "pairing" → the pairing station (issue 15), its own schema; anything else is a line station config.
    if (configMode(raw) === 'pairing') return runPairingStationCommand(ctx, args, file, raw, level);
    let config: StationConfig;
    try {
      config = parseConfig(raw, file);
      checkDevices(config);
    } catch (error) {
      if (error instanceof ConfigError) throw new CommandFailure(error.message, { errors: error.errors });
      if (error instanceof CommandFailure) throw error;
      throw new CommandFailure(`配置文件 ${file} 有误 (invalid config): ${error instanceof Error ? error.message : String(error)}`);
    }
    if (args.values['check'] === true) {
      if (ctx.json) ctx.printJson({ ok: true, config: summary(config) });
      else {
        ctx.print(`配置有效 (config ok): ${file}`);
        ctx.print(JSON.stringify(summary(config), null, 2));
      }
      return 0;
    }
    const log = createLogger({ write: (l) => { ctx.stderr.write(l); }, level });
    let station;
    try {
      station = await startStation(config, { logger: log });
    } catch (error) {
      throw new CommandFailure(`工位启动失败 (station failed to start): ${error instanceof Error ? error.message : String(error)}`);
    }
    const tokenFile = resolve(optionalString(args, 'api-token-file') ?? join(dirname(resolve(config.database)), 'api-token'));
    let api: RunningStationApi;
    try {
      api = await startStationApi(station, { ...(apiPort === undefined ? {} : { port: apiPort }), tokenFile, logger: log });
    } catch (error) {
      await station.stop();
      const port = apiPort ?? config.api?.port ?? DEFAULT_API_PORT;
      if (error instanceof ApiStartError) throw new CommandFailure(error.message, { code: error.code });
      const failure = listenFailure(error, port, '--api-port');
      if (failure !== undefined) throw failure;
      throw new CommandFailure(`本地接口启动失败 (local API failed to start): ${error instanceof Error ? error.message : String(error)}`);
    }
    const s = station.status();
    // From process start (performance's time origin) to serving: devices linked, recovered, API listening.
    const readyMs = Math.round(performance.now());
    if (ctx.json) ctx.printJson({ ok: true, started: true, readyMs, station: s.station, batch: s.batch, api: { url: api.url, ws: api.wsUrl, port: api.port, tokenFile } });
    else {
      ctx.print(`工位 ${s.station.id} 已启动（就绪用时 ${readyMs} ms），批次 ${s.batch === null ? '无 (none)' : `${s.batch.id} ${s.batch.lot}`}；按 Ctrl+C 停止 (station started, ready in ${readyMs} ms; Ctrl+C stops it)`);
      ctx.print(`本地界面/接口 (local UI/API): ${api.url}/?token=<令牌文件内容 token file contents>`);
      ctx.print(`令牌文件 (token file): ${tokenFile}`);
    }
    const signal = await ctx.shutdown;
    await api.close();
    await station.stop();
    if (!ctx.json) ctx.print(`已停止 (stopped on ${signal})`);
    return 0;
  },
};
