import { existsSync } from 'node:fs';
import { integerOption, optionalString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { CommandFailure } from '../errors.ts';
import { withStore } from '../with-store.ts';
import { palletConfirmations, syncStatus } from '../../store/outbox.ts';

export const command: CommandSpec = {
  path: ['sync', 'status'],
  summary: '上传状态: 积压、最近成功、被拒事件及原因、各垛确认数 (sync status: backlog, last success, quarantined, per-pallet)',
  options: {
    pallet: { type: 'string', value: 'CODE', description: '只看这一垛 (only this pallet)' },
    pallets: { type: 'string', value: 'N', description: '显示最近 N 垛 (show the newest N pallets; default 20)' },
    quarantined: { type: 'string', value: 'N', description: '最多列出 N 个被拒事件 (list at most N quarantined events; default 100)' },
  },
  async run(ctx, args) {
    const palletLimit = integerOption(args, 'pallets', { min: 0, max: 100_000 }, 20);
    const quarantineLimit = integerOption(args, 'quarantined', { min: 0, max: 100_000 }, 100);
    const pallet = optionalString(args, 'pallet');
    if (!existsSync(ctx.dbPath)) throw new CommandFailure(`数据库文件不存在: ${ctx.dbPath} (database file not found)`);
    return withStore(ctx, (store) => {
      const status = syncStatus(store.db, quarantineLimit);
      const pallets = palletConfirmations(store.db, { limit: palletLimit, ...(pallet === undefined ? {} : { pallet }) });
      if (pallet !== undefined && pallets.length === 0) throw new CommandFailure(`没有这一垛的上传事件: ${pallet} (no outbox events for this pallet)`);
      if (ctx.json) {
        ctx.printJson({ ok: true, backlog: status.counts.pending, ...status, pallets });
        return 0;
      }
      const c = status.counts;
      ctx.print(`积压 (backlog): ${c.pending} 待上传 pending${status.oldestPendingAt ? `，最早 (oldest) ${status.oldestPendingAt}` : ''}`);
      ctx.print(`已确认 (confirmed by headquarters): ${c.confirmed}    已隔离 (quarantined): ${c.quarantined}`);
      ctx.print(`最近成功 (last success): ${status.lastSuccessAt ?? '从未 (never)'}`);
      if (status.sender) ctx.print(`发送器状态 (sender): ${status.sender.state} @ ${status.sender.at}${status.sender.detail ? ` — ${status.sender.detail}` : ''}`);
      if (status.sender?.state === 'unauthorized') ctx.print('⚠ 总部拒绝凭据，上传已停止，请更换令牌 (headquarters refused the credentials; replace the token)');
      for (const q of status.quarantined) {
        ctx.print(`  ✘ #${q.id} ${q.eventType} 批次 batch ${q.batchId ?? '-'} 垛 pallet ${q.pallet ?? '-'}: ${q.reason}`);
      }
      if (c.quarantined > status.quarantinedShown) ctx.print(`  … 另有 ${c.quarantined - status.quarantinedShown} 个 (and ${c.quarantined - status.quarantinedShown} more)`);
      for (const p of pallets) {
        ctx.print(`  ${p.confirmedByHeadquarters ? '✔' : '…'} 垛 ${p.pallet}: ${p.confirmed}/${p.events} 已确认 confirmed${p.quarantined > 0 ? `，${p.quarantined} 被拒 quarantined` : ''}`);
      }
      return 0;
    }, { readonly: true });
  },
};
