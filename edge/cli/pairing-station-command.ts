import type { CommandContext, ParsedCommand } from './command.ts';
import { CommandFailure } from './errors.ts';
import { ConfigError } from '../config/load-config.ts';
import { parsePairingConfig, type PairingConfig } from '../config/pairing-config.ts';
import { startPairingStation } from '../pairing/pairing-runtime.ts';
import { describeDevice, plcConfigOf, readerConfigOf } from '../station/device-config.ts';
import { createLogger } from '../station/logger.ts';

function summary(config: PairingConfig): Record<string, unknown> {
  return {
    mode: 'pairing', station: config.station, database: config.database,
    pairing: {
      innerPackage: config.pairing.innerPackage, outerPackage: config.pairing.outerPackage,
      innerReader: describeDevice(config.pairing.innerReader), outerReader: describeDevice(config.pairing.outerReader), readTimeoutMs: config.pairing.readTimeoutMs,
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
    readerConfigOf('pairing.innerReader', config.pairing.innerReader, config.pairing.readTimeoutMs);
    readerConfigOf('pairing.outerReader', config.pairing.outerReader, config.pairing.readTimeoutMs);
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
  const readyMs = Math.round(performance.now());
  if (ctx.json) ctx.printJson({ ok: true, started: true, mode: 'pairing', readyMs, station: config.station, run: running.run.uuid });
  else ctx.print(`配对工位 ${config.station.id} 已启动（就绪用时 ${readyMs} ms），任务 ${running.run.uuid}；按 Ctrl+C 停止 (pairing station started; Ctrl+C stops it)`);
  const signal = await ctx.shutdown;
  const counts = running.station.status().counts;
  await running.stop();
  if (ctx.json) ctx.printJson({ ok: true, stopped: signal, run: running.run.uuid, counts });
  else ctx.print(`已停止 (stopped on ${signal}): 配对 ${counts.paired}，排废 ${counts.waste} (pairs, waste)`);
  return 0;
}
