import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { CommandSpec } from '../command.ts';
import { integerOption, optionalString } from '../args.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { listenFailure } from '../listen-failure.ts';
import { ApiStartError, startApi, type ApiLogger } from '../../api/index.ts';
import { writeTokenFile } from '../../api/token-file.ts';
import { devicesFromConfig } from '../../devices/devices-from-config.ts';
import { loadConfig } from '../../config/load-config.ts';
import { parseEpcisContext } from '../../../sync/index.ts';

/**
 * `wuma api`: serves the local API and the web UI for a station database (no station devices in this process:
 * status comes from the database, and commits by a station running elsewhere are pushed as they land). The
 * per-launch token is written to a file readable only by this user (never printed); the desktop app or a script
 * reads it from there, and a browser opens `URL/?token=…` once.
 */
export const command: CommandSpec = {
  path: ['api'],
  summary: '启动本地 API 与界面 (serve the local API and web UI for a station database)',
  options: {
    port: { type: 'string', value: 'P', description: '监听端口，0 = 自动 (TCP port, 0 = any free port)' },
    host: { type: 'string', value: 'H', description: '监听地址，默认 127.0.0.1；其他地址需 --allow-lan 与 TLS (default 127.0.0.1; others need --allow-lan and TLS)' },
    'allow-lan': { type: 'boolean', description: '允许局域网地址（必须同时给出 TLS 证书与私钥）(allow a LAN address; TLS required)' },
    'tls-cert': { type: 'string', value: 'FILE', description: 'TLS 证书 PEM (TLS certificate, PEM)' },
    'tls-key': { type: 'string', value: 'FILE', description: 'TLS 私钥 PEM (TLS private key, PEM)' },
    'token-file': { type: 'string', value: 'FILE', description: '令牌文件，默认数据库旁的 api-token (token file; default api-token beside the database)' },
    config: { type: 'string', value: 'FILE', description: '工作站配置：设备列表与 EPCIS（返工需要）(station config: devices and EPCIS, needed for rework)' },
    'idle-minutes': { type: 'string', value: 'N', description: '无操作自动退出登录的分钟数，默认 15 (idle logout minutes; default 15)' },
  },
  details: '例 (example): wuma api --port 8080 --db ./data/wuma.db --config station.json\n浏览器打开 (browser): http://127.0.0.1:8080/?token=$(cat ./data/api-token)',
  async run(ctx, args) {
    const port = integerOption(args, 'port', { min: 0, max: 65_535 }, 0);
    const host = optionalString(args, 'host') ?? '127.0.0.1';
    const allowLan = args.values['allow-lan'] === true;
    const certFile = optionalString(args, 'tls-cert');
    const keyFile = optionalString(args, 'tls-key');
    if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError('--tls-cert 与 --tls-key 需同时给出 (give both --tls-cert and --tls-key)');
    const idle = integerOption(args, 'idle-minutes', { min: 1, max: 24 * 60 }, 15);
    const read = (file: string): Buffer => {
      try { return readFileSync(file); } catch (error) { throw new UsageError(`无法读取 ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'} (cannot read file)`); }
    };
    const tls = certFile !== undefined && keyFile !== undefined ? { cert: read(certFile), key: read(keyFile) } : undefined;
    const configFile = optionalString(args, 'config');
    const config = configFile === undefined ? undefined : loadConfig(configFile);
    const epcis = config?.epcis === undefined ? undefined : parseEpcisContext(config.epcis, 'epcis');
    const tokenFile = resolve(optionalString(args, 'token-file') ?? join(dirname(ctx.dbPath), 'api-token'));
    const logger: ApiLogger = {
      debug() {},
      info() {},
      warn: (message, fields) => { ctx.stderr.write(`${JSON.stringify({ level: 'warn', message, ...fields })}\n`); },
      error: (message, fields) => { ctx.stderr.write(`${JSON.stringify({ level: 'error', message, ...fields })}\n`); },
    };
    const store = ctx.openStore({ checkpointer: true });
    let api;
    try {
      api = await startApi({
        store, host, port, allowLan, logger, idleTimeoutMs: idle * 60_000,
        ...(tls === undefined ? {} : { tls }), ...(epcis === undefined ? {} : { epcis }), ...(config === undefined ? {} : { devices: devicesFromConfig(config), line: config.station.line }),
      });
    } catch (error) {
      await store.close();
      if (error instanceof ApiStartError) throw new CommandFailure(error.message, { code: error.code });
      throw listenFailure(error, port) ?? error;
    }
    try {
      writeTokenFile(tokenFile, api.token);
      if (ctx.json) ctx.printJson({ ok: true, url: api.url, ws: api.wsUrl, port: api.port, tokenFile, db: ctx.dbPath });
      else {
        ctx.print(`本地 API 已启动 (local API listening): ${api.url}`);
        ctx.print(`令牌文件 (token file): ${tokenFile}`);
        ctx.print(`界面 (UI): ${api.url}/?token=<令牌文件内容 token file contents>`);
      }
      const signal = await ctx.shutdown;
      if (!ctx.json) ctx.print(`本地 API 已停止 (${signal}) (local API stopped)`);
      return 0;
    } finally {
      rmSync(tokenFile, { force: true });
      await api.close();
      await store.close();
    }
  },
};
