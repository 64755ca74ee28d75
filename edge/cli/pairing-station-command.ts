import { dirname, join, resolve } from 'node:path';
import { integerOption, optionalString } from './args.ts';
import type { CommandContext, ParsedCommand } from './command.ts';
import { writeTokenFile } from '../api/token-file.ts';
import { startPairingUi, type PairingUi } from '../pairing/pairing-ui.ts';
import { CommandFailure } from './errors.ts';
import { ConfigError } from '../config/load-config.ts';
import { pairingSourceKind, parsePairingConfig, type PairingConfig } from '../config/pairing-config.ts';
import { startPairingStation } from '../pairing/pairing-runtime.ts';
import { describeDevice, plcConfigOf, printerConfigOf, readerConfigOf } from '../station/device-config.ts';
import { createLogger } from '../station/logger.ts';

function summary(config: PairingConfig): Record<string, unknown> {
  const p = config.pairing;
  const device = (name: 'innerReader' | 'outerReader' | 'camera' | 'outerPrinter'): Record<string, string> => {
    const d = p[name];
    return d === undefined ? {} : { [name]: describeDevice(d) };
  };
  return {
    mode: 'pairing', station: config.station, database: config.database,
    pairing: {
      innerPackage: p.innerPackage, outerPackage: p.outerPackage, sources: pairingSourceKind(p),
      ...device('innerReader'), ...device('outerReader'), ...device('camera'), ...device('outerPrinter'),
      readTimeoutMs: p.readTimeoutMs, ...(p.outerPrinter === undefined ? {} : { printConfirmTimeoutMs: p.printConfirmTimeoutMs }),
    },
    plc: { driver: config.plc.driver, address: config.plc.tcp ?? config.plc.serial ?? config.plc.opcua ?? null, rejectConfirmTimeoutMs: config.plc.rejectConfirmTimeoutMs },
  };
}

/**
 * `wuma station --config pairing.json` for a config with `mode: "pairing"` (issue 15): validates it against the
 * pairing schema and the device translations (`--check` stops there), then runs the pairing station until
 * SIGINT/SIGTERM and prints the run's counts when it stops.
 */
export async function runPairingStationCommand(ctx: CommandContext, args: ParsedCommand, file: string, raw: unknown, level: 'debug' | 'info' | 'warn' | 'error'): Promise<number> {
  let config: PairingConfig;
  try {
    config = parsePairingConfig(raw, file);
    for (const name of ['innerReader', 'outerReader', 'camera'] as const) {
      const d = config.pairing[name];
      if (d !== undefined) readerConfigOf(`pairing.${name}`, d, config.pairing.readTimeoutMs);
    }
    if (config.pairing.outerPrinter !== undefined) printerConfigOf('pairing.outerPrinter', config.pairing.outerPrinter);
    plcConfigOf(config.plc);
  } catch (error) {
    if (error instanceof ConfigError) throw new CommandFailure(error.message, { errors: error.errors });
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
  let running;
  try {
    running = await startPairingStation(config, { logger: log, actor: ctx.env['USER'] ?? 'station' });
  } catch (error) {
    throw new CommandFailure(`配对工位启动失败 (pairing station failed to start): ${error instanceof Error ? error.message : String(error)}`);
  }
  const port = args.values['api-port'] === undefined ? 8720 : integerOption(args, 'api-port', { min: 0, max: 65_535 });
  const tokenFile = resolve(optionalString(args, 'api-token-file') ?? join(dirname(resolve(config.database)), 'api-token'));
  let ui: PairingUi;
  try {
    ui = await startPairingUi(() => running.status(), { port, log });
    writeTokenFile(tokenFile, ui.token);
  } catch (error) {
    await running.stop();
    throw new CommandFailure(`配对工位界面启动失败 (pairing screen failed to start on port ${port}): ${error instanceof Error ? error.message : String(error)}`);
  }
  const readyMs = Math.round(performance.now());
  if (ctx.json) ctx.printJson({ ok: true, started: true, mode: 'pairing', readyMs, station: config.station, run: running.run.uuid, ui: { url: `${ui.url}/pairing.html`, port: ui.port, tokenFile } });
  else {
    ctx.print(`配对工位 ${config.station.id} 已启动（就绪用时 ${readyMs} ms），任务 ${running.run.uuid}；按 Ctrl+C 停止 (pairing station started; Ctrl+C stops it)`);
    ctx.print(`配对界面 (pairing screen): ${ui.url}/pairing.html?token=<令牌文件内容 token file contents>`);
    ctx.print(`令牌文件 (token file): ${tokenFile}`);
  }
  const signal = await ctx.shutdown;
  const counts = running.station.status().counts;
  await ui.close();
  await running.stop();
  if (ctx.json) ctx.printJson({ ok: true, stopped: signal, run: running.run.uuid, counts });
  else ctx.print(`已停止 (stopped on ${signal}): 配对 ${counts.paired}，排废 ${counts.waste} (pairs, waste)`);
  return 0;
}
