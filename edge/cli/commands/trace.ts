import { optionalString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { UsageError } from '../errors.ts';
import { failOnStoreError } from '../fail-on-store-error.ts';
import { withStore } from '../with-store.ts';
import { Warehouse, type TraceResult } from '../../warehouse/index.ts';

function lines(t: TraceResult): string[] {
  const out = [`码 ${t.code}（${t.kind}，${t.status}）`];
  if (t.product !== null) out.push(`  产品 (product): ${t.product.id} ${t.product.name}`);
  if (t.batch !== null) out.push(`  批次 (batch): #${t.batch.id} 批号 ${t.batch.lot}  生产日期 ${t.batch.productionDate}  产线 ${t.batch.line}`);
  out.push(`  箱 (case): ${t.case ?? '—'}   垛 (pallet): ${t.pallet ?? '—'}`);
  const s = t.shipment;
  if (s === null) out.push('  未发货 (not shipped)');
  else out.push(`  发货单 (order): ${s.orderId}  经销商 ${s.dealer.id} ${s.dealer.name}  区域 ${s.dealer.region}  发货时间 ${s.shippedAt}${s.returned ? '  已退货 (returned)' : ''}`);
  if (t.finding !== null) out.push(`  ${t.finding.message}  [稽查记录 #${t.finding.id}]`);
  return out;
}

export const command: CommandSpec = {
  path: ['trace'],
  summary: '渠道稽查：码 → 产品、批次、垛、发货单、经销商、区域；--found-in 判定窜货 (trace a code to its dealer and region; flag diversion)',
  positionals: 'CODE',
  options: {
    'found-in': { type: 'string', value: 'REGION', description: '在哪个区域的市场发现；判定是否窜货并记录 (region where it was found: records the finding)' },
    role: { type: 'string', value: 'ROLE', description: '查询人角色；内码（盖内码/箱内码）只限 qa (role; inner codes need qa)' },
    user: { type: 'string', value: 'ID', description: '查询人，写入审计 (who looks it up, for the audit; default $USER)' },
    note: { type: 'string', value: 'TEXT', description: '可选，发现地点说明 (optional note: where exactly)' },
  },
  details: '例 (example): wuma trace 6CE1A2B3C4D5 --found-in 华南 --note "广州某超市"\n内码只能以 --role qa 查询，输出中始终打码 (inner codes only with --role qa, always masked).',
  async run(ctx, args) {
    const code = args.positionals[0];
    if (code === undefined || args.positionals.length > 1) throw new UsageError('需要且只需要一个码 CODE (exactly one CODE)');
    const foundIn = optionalString(args, 'found-in');
    const note = optionalString(args, 'note');
    const result = await withStore(ctx, (store) => failOnStoreError(() => new Warehouse(store.db).trace(code, {
      role: optionalString(args, 'role') ?? 'warehouse', actor: optionalString(args, 'user') ?? ctx.env['USER'] ?? 'cli',
      ...(foundIn === undefined ? {} : { foundIn }), ...(note === undefined ? {} : { note }),
    })));
    if (ctx.json) ctx.printJson({ ok: true, trace: result });
    else for (const l of lines(result)) ctx.print(l);
    return 0;
  },
};
