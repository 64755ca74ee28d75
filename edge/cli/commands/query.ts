import type { CommandSpec } from '../command.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { withStore } from '../with-store.ts';
import { queryCode } from '../../store/query.ts';

export const command: CommandSpec = {
  path: ['query'],
  summary: '查询码的上下级关联与历史（内码脱敏显示）(look a code up and down the hierarchy, with history)',
  positionals: 'CODE',
  options: {},
  details: '显示：状态、批次、同级码、上级（箱、垛）、下级、剔除记录、审计记录。盖内码、箱内码只显示部分字符。',
  async run(ctx, args) {
    const code = args.positionals[0];
    if (code === undefined || args.positionals.length > 1 || code.length > 200) throw new UsageError('需要且只需要一个码 CODE (exactly one CODE is required)');
    const found = await withStore(ctx, (store) => queryCode(store.db, code.trim()), { recover: false });
    // The message never echoes the scanned value: it may be a secret inner code.
    if (found === null) throw new CommandFailure('未找到该码，不在本站任何码包中 (code not found in any package of this station)');
    if (ctx.json) { ctx.printJson({ ok: true, ...found }); return 0; }
    const c = found.code;
    ctx.print(`${c.kindZh} ${c.code}  状态 ${c.statusZh} (${c.status})  批次 ${c.batchId ?? '—'}  码包 ${c.packageUuid}`);
    if (found.pair) ctx.print(`同级码 (pair): ${found.pair.kindZh} ${found.pair.code}  ${found.pair.statusZh}`);
    for (const [i, a] of found.ancestors.entries()) ctx.print(`${'  '.repeat(i)}↑ 上级 (parent): ${a.kindZh} ${a.code}  ${a.statusZh}`);
    if (found.palletStack) ctx.print(`在未完成的垛 #${found.palletStack.id} 上 (${found.palletStack.state})`);
    if (found.container) ctx.print(`容器 (container): ${found.container.level} ${found.container.state}, 子码 ${found.container.childCount} 个`);
    for (const ch of found.children) ctx.print(`  ↓ ${ch.kindZh} ${ch.code}  ${ch.statusZh}`);
    for (const r of found.rejects) ctx.print(`剔除 (reject) #${r.id} ${r.at} ${r.station}: ${r.findings.map((f) => f.detail).join('; ')}  确认 ${r.confirm}`);
    for (const a of found.audit) ctx.print(`审计 (audit) #${a.seq} ${a.at} ${a.actor} ${a.action}${a.reason ? ` 原因: ${a.reason}` : ''}`);
    return 0;
  },
};
