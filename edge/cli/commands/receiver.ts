import type { CommandSpec } from '../command.ts';
import { integerOption, optionalString } from '../args.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { listenFailure } from '../listen-failure.ts';
import { DEFAULT_RECEIVER_LIMITS, guardDriverFaults, PgReceiverStorage, redactPgUrl, startReceiver, SyncError } from '../../../sync/index.ts';

/**
 * `wuma receiver`: the reference EPCIS 2.0 capture receiver (sync/receiver/start-receiver.ts) as a long-running
 * process. It writes its own database: SQLite at --db (not the station database; the default), or PostgreSQL
 * with --pg postgres://… (or $WUMA_RECEIVER_PG), where any number of receivers may share one server (issue 14). Prints one line (or one JSON
 * document with --json) once listening, then runs until SIGINT/SIGTERM.
 */
export const command: CommandSpec = {
  path: ['receiver'],
  summary: '运行 EPCIS 2.0 参考接收端 (run the reference EPCIS 2.0 capture receiver)',
  options: {
    port: { type: 'string', value: 'P', description: '监听端口，0 = 自动 (TCP port, 0 = any free port)' },
    host: { type: 'string', value: 'ADDR', description: '监听地址 (listen address; default 127.0.0.1)' },
    token: { type: 'string', value: 'T', description: 'Bearer 访问令牌 (require this bearer token; env WUMA_RECEIVER_TOKEN)' },
    'max-events': { type: 'string', value: 'N', description: `每次采集最多事件数 (events per capture; default ${DEFAULT_RECEIVER_LIMITS.maxEvents})` },
    pg: { type: 'string', value: 'URL', description: 'PostgreSQL 连接串，多个接收端可共用 (postgres://user@host/db; env WUMA_RECEIVER_PG; instead of --db)' },
    'pg-pool': { type: 'string', value: 'N', description: 'PostgreSQL 连接池大小 (connections per receiver; default 8)' },
    'clock-skew-s': { type: 'string', value: 'S', description: '事件时间超前多少秒算时钟偏差 (seconds an event time may run ahead; default 300)' },
    'max-bytes': { type: 'string', value: 'B', description: `每次采集最大字节数 (bytes per capture; default ${DEFAULT_RECEIVER_LIMITS.maxBytes})` },
  },
  details: [
    '接口 (endpoints): OPTIONS/POST /capture, GET /capture/{id}, POST /events, GET /events/{eventID}, GET /events?EQ_bizStep=…&MATCH_epc=…&perPage=…, GET /epcs/{epc}, GET /conflicts, GET /hq/overview',
    '--db 为接收端自己的数据库 (--db is the receiver\'s own database file); --pg 用 PostgreSQL (use PostgreSQL; N receivers on one server).',
    '例 (example): wuma receiver --port 8090 --db ./data/hq.db --token s3cret',
    '例 (example): wuma receiver --port 8090 --host 0.0.0.0 --pg postgres://wuma@db.hq.example/wuma --token s3cret',
  ].join('\n'),
  async run(ctx, args) {
    const port = integerOption(args, 'port', { min: 0, max: 65_535 });
    const host = optionalString(args, 'host') ?? '127.0.0.1';
    if (!/^[0-9A-Za-z.:-]+$/.test(host)) throw new UsageError(`--host 无效: "${host}" (invalid --host)`);
    const token = optionalString(args, 'token') ?? ctx.env['WUMA_RECEIVER_TOKEN'];
    if (token !== undefined && !/^[\x21-\x7e]{8,256}$/.test(token)) {
      throw new UsageError('--token 应为 8–256 个可见 ASCII 字符 (--token must be 8–256 printable ASCII characters)');
    }
    const maxEvents = integerOption(args, 'max-events', { min: 1, max: 1_000_000 }, DEFAULT_RECEIVER_LIMITS.maxEvents);
    const maxBytes = integerOption(args, 'max-bytes', { min: 1024, max: 1024 ** 3 }, DEFAULT_RECEIVER_LIMITS.maxBytes);
    const pg = optionalString(args, 'pg') ?? ctx.env['WUMA_RECEIVER_PG'];
    if (pg !== undefined && !/^postgres(ql)?:\/\//.test(pg)) throw new UsageError('--pg 应以 postgres:// 开头 (--pg must be a postgres:// URL)');
    const pgPool = integerOption(args, 'pg-pool', { min: 1, max: 100 }, 8);
    const skewS = integerOption(args, 'clock-skew-s', { min: 1, max: 86_400 * 365 }, 300);
    const storage = pg === undefined ? { dbPath: ctx.dbPath } : { pg, pgPoolMax: pgPool };
    const where = pg === undefined ? ctx.dbPath : redactPgUrl(pg);
    let receiver;
    try {
      receiver = await startReceiver({ port, host, ...storage, clockSkewMs: skewS * 1000, ...(token === undefined ? {} : { token }), limits: { maxEvents, maxBytes } });
    } catch (error) {
      const failure = listenFailure(error, port);
      if (failure !== undefined) throw failure;
      if (error instanceof SyncError) throw new CommandFailure(error.message);
      throw error;
    }
    // This process owns the receiver: the PostgreSQL driver's uncatchable fault after a lost connection replaces the
    // pool instead of ending the process (pg-storage.ts).
    const owned = receiver.storage;
    const unguard = owned instanceof PgReceiverStorage ? guardDriverFaults(owned, ctx.stderr) : (): void => {};
    if (ctx.json) ctx.printJson({ ok: true, url: receiver.url, port: receiver.port, storage: receiver.storage.kind, db: where, limits: { maxEvents, maxBytes }, auth: token !== undefined });
    else ctx.print(`EPCIS 接收端已启动 (receiver listening): ${receiver.url}  数据库 (${receiver.storage.kind}): ${where}  上限 (limits): ${maxEvents} 事件 / ${maxBytes} 字节`);
    const signal = await ctx.shutdown;
    await receiver.close();
    unguard();
    if (!ctx.json) ctx.print(`接收端已停止 (${signal}) (receiver stopped)`);
    return 0;
  },
};
