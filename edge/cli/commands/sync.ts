import { existsSync, readFileSync } from 'node:fs';
// The sender's own entry point: sync/index.ts would also load the receiver, its validators and the PostgreSQL
// driver (~29 MiB resident) into a process that only sends.
import { assembleCaptureDocument, Sender, type SyncLogLevel, type SyncState } from '../../../sync/sender/index.ts';
import { optionalString } from '../args.ts';
import type { CommandSpec, ParsedCommand } from '../command.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { SqliteOutbox } from '../../store/outbox.ts';

/** `--to URL`: the EPCIS REST root of headquarters (http or https). */
export function parseHqUrl(raw: string | undefined): string {
  if (raw === undefined || raw.length === 0) throw new UsageError('缺少总部地址 --to URL 或环境变量 WUMA_HQ_URL (missing --to URL or WUMA_HQ_URL)');
  let url: URL;
  try { url = new URL(raw); } catch { throw new UsageError(`--to 不是有效的 URL: "${raw}" (--to is not a valid URL)`); }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--to 只支持 http/https，收到 "${url.protocol}" (--to must be http or https)`);
  return url.href;
}

/** `--prefix P=URI` (repeatable): CURIE prefixes the events use beyond the EPCIS context (ILMD namespace). */
export function parsePrefixes(args: ParsedCommand): Record<string, string> {
  const raw = args.values['prefix'];
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  const out: Record<string, string> = {};
  for (const item of list) {
    const m = /^([A-Za-z][\w.-]*)=(\S+:\S+)$/.exec(item);
    if (!m?.[1] || !m[2]) throw new UsageError(`--prefix 应为 前缀=URI，收到 "${item}" (--prefix must be PREFIX=URI)`);
    out[m[1]] = m[2];
  }
  return out;
}

/** Reads the bearer token from a file on every request, so replacing the file lifts an `unauthorized` stop. */
function tokenReader(file: string | undefined): (() => string | undefined) | undefined {
  if (file === undefined) return undefined;
  if (!existsSync(file)) throw new UsageError(`令牌文件不存在: ${file} (token file not found)`);
  const read = (): string | undefined => {
    try {
      const t = readFileSync(file, 'utf8').trim();
      return t.length > 0 ? t : undefined;
    } catch { return undefined; }
  };
  if (read() === undefined) throw new UsageError(`令牌文件为空: ${file} (token file is empty)`);
  return read;
}

export const command: CommandSpec = {
  path: ['sync'],
  summary: '把待上传事件发送到总部 EPCIS 接口 (send the outbox to headquarters over EPCIS 2.0 capture)',
  options: {
    to: { type: 'string', value: 'URL', description: '总部 EPCIS 根地址，如 https://hq.example/epcis/ (EPCIS REST root; env WUMA_HQ_URL)' },
    once: { type: 'boolean', description: '发完当前队列后退出并打印汇总 (drain the queue, print a summary, exit)' },
    'token-file': { type: 'string', value: 'FILE', description: 'Bearer 令牌文件；更换文件内容即可解除未授权停止 (bearer token file; replace it to resume after 401/403)' },
    prefix: { type: 'string', multiple: true, value: 'P=URI', description: '事件使用的额外 CURIE 前缀 (extra CURIE prefix the events use, repeatable)' },
  },
  details: [
    '不带 --once 时持续运行，直到 Ctrl+C (without --once it runs until SIGINT/SIGTERM).',
    '只有总部确认 (上传任务成功) 的事件才标记为已确认；没有手动"设为已上传" (no manual "set uploaded").',
    '例 (example): wuma sync --once --to http://127.0.0.1:8080/ --db data/wuma.db',
  ].join('\n'),
  async run(ctx, args) {
    const url = parseHqUrl(optionalString(args, 'to') ?? ctx.env['WUMA_HQ_URL']);
    const token = tokenReader(optionalString(args, 'token-file'));
    const prefixes = parsePrefixes(args);
    if (!existsSync(ctx.dbPath)) throw new CommandFailure(`数据库文件不存在: ${ctx.dbPath} (database file not found)`);
    const once = args.values['once'] === true;
    // A forward scan of the outbox gains nothing from a big page cache: 8 MiB holds the b-tree's inner pages. The
    // WAL is checkpointed after each confirmation in this thread (SqliteOutbox), not by a worker.
    const store = ctx.openStore({ checkpointer: false, recover: false, cacheMiB: 8 });
    const controller = new AbortController();
    void ctx.shutdown.then(() => { controller.abort(); });
    let trouble: SyncState | undefined;
    const log = (level: SyncLogLevel, message: string, fields?: Readonly<Record<string, unknown>>): void => {
      if (level === 'debug') return;
      ctx.stderr.write(`[sync] ${level} ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`);
    };
    try {
      const sender = new Sender({
        outbox: new SqliteOutbox(store.db, { checkpointAfterConfirm: true }),
        url,
        assemble: assembleCaptureDocument(prefixes),
        ...(token ? { token } : {}),
        log,
        onState: (state) => { if (state === 'unauthorized' || state === 'backoff') trouble = state; else if (state === 'idle') trouble = undefined; },
      });
      const summary = await sender.run({ once, signal: controller.signal });
      const counts = new SqliteOutbox(store.db).counts();
      const report = { ...summary, stoppedIn: trouble ?? null, outbox: counts };
      if (trouble === 'unauthorized') {
        throw new CommandFailure('总部拒绝了凭据 (401/403)，已停止上传；请更换 --token-file 的令牌 (headquarters refused the credentials; replace the token)', report);
      }
      if (ctx.json) {
        ctx.printJson({ ok: true, ...report });
      } else {
        ctx.print(`已确认 (confirmed) ${summary.confirmed}，隔离 (quarantined) ${summary.quarantined}，请求 (requests) ${summary.requests}，重试 (retries) ${summary.retries}，发送字节 (bytes) ${summary.bytesSent}`);
        ctx.print(`队列 (outbox): 待上传 pending ${counts.pending}，已确认 confirmed ${counts.confirmed}，已隔离 quarantined ${counts.quarantined}`);
        if (counts.quarantined > 0) ctx.print('有被总部拒收的事件，见 wuma sync status (some events were rejected; see wuma sync status)');
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};
