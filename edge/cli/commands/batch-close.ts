import { optionalString } from '../args.ts';
import { batchIdArgument } from '../batch-id-argument.ts';
import type { CommandSpec } from '../command.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { failOnStoreError } from '../fail-on-store-error.ts';
import { withStore } from '../with-store.ts';
import { closeBatch } from '../../store/batches.ts';
import { readEpcisContext } from '../../store/rework/signer-input.ts';
import { DEFAULT_EPCIS_CONFIG } from '../../config/default-epcis.ts';
import { parseEpcisContext } from '../../../sync/index.ts';
import { LEVEL_LABEL, UNEXPLAINED_LABEL } from '../../report/index.ts';

export const command: CommandSpec = {
  path: ['batch', 'close'],
  summary: '关闭批次并对账；有无法解释的码时需要签名原因 (close a batch after reconciliation)',
  positionals: 'ID',
  options: {
    reason: { type: 'string', value: 'TEXT', description: '签名原因：有无法解释的码时必填 (signed reason; required when codes are unexplained)' },
    'signed-by': { type: 'string', value: 'USER', description: '签名人，与 --reason 一起使用 (the signing user; goes with --reason)' },
    config: { type: 'string', value: 'FILE', description: '工作站配置，取其 epcis 部分用于作废事件；或环境变量 WUMA_CONFIG (station config for the EPCIS events of voided rejects; or env WUMA_CONFIG)' },
  },
  details: '对账不平衡（有无法解释的码）时拒绝关闭，退出码 1；用 --reason 与 --signed-by 签名后可关闭，原因与签名人记入批次和审计日志。关闭时，剔除后未返工的码全部作废（连同内码），不会再兑奖。\n(refused with exit 1 while codes are unexplained, unless signed with --reason and --signed-by; on close, codes of rejected items never reworked are voided with their inner codes)',
  async run(ctx, args) {
    const batchId = batchIdArgument(args);
    const reason = optionalString(args, 'reason');
    const signedBy = optionalString(args, 'signed-by');
    if ((reason === undefined) !== (signedBy === undefined)) throw new UsageError('--reason 与 --signed-by 必须同时给出 (--reason and --signed-by go together)');
    if (reason !== undefined && reason.trim().length === 0) throw new UsageError('--reason 不能为空 (--reason must not be empty)');
    if (signedBy !== undefined && signedBy.trim().length === 0) throw new UsageError('--signed-by 不能为空 (--signed-by must not be empty)');
    // Rejected codes never reworked are voided when the batch closes; their decommissioning events need the
    // station's EPCIS context (the same default as the station when no config is given).
    const configPath = optionalString(args, 'config') ?? ctx.env['WUMA_CONFIG'];
    const epcis = failOnStoreError(() => (configPath === undefined ? parseEpcisContext(DEFAULT_EPCIS_CONFIG) : readEpcisContext(configPath, ctx.env)));
    return withStore(ctx, (store) => {
      const outcome = failOnStoreError(() => closeBatch(store.db, { batchId, actor: signedBy ?? ctx.env['USER'] ?? 'cli', epcis, ...(reason === undefined ? {} : { reason }) }));
      const r = outcome.report;
      if (outcome.kind === 'refused') {
        const detail = Object.entries(r.totals.unexplainedDetail).filter(([, n]) => n > 0)
          .map(([k, n]) => `  ${UNEXPLAINED_LABEL[k as keyof typeof UNEXPLAINED_LABEL]}: ${n}`);
        const levels = r.levels.filter((l) => l.unexplained > 0).map((l) => `  ${LEVEL_LABEL[l.level] ?? l.level}: ${l.unexplained}`);
        throw new CommandFailure(
          [`批次 ${r.batch.id} 有 ${r.totals.unexplained} 个无法解释的码，未关闭。请处理（返工或作废）后再关闭，或用 --reason 和 --signed-by 签名关闭 (batch has unexplained codes; not closed)`, ...levels, ...detail].join('\n'),
          { code: 'UNEXPLAINED', unexplained: r.totals.unexplained, detail: r.totals.unexplainedDetail },
        );
      }
      if (ctx.json) ctx.printJson({ ok: true, batch: outcome.batch, report: r });
      else ctx.print(`批次 ${r.batch.id} 已关闭${outcome.batch.closeReason === null ? '' : `（签名 ${outcome.batch.closedBy}：${outcome.batch.closeReason}）`}：接收 ${r.totals.received}，已关联 ${r.totals.aggregated}，无法解释 ${r.totals.unexplained} (batch closed)`);
      return 0;
    });
  },
};
