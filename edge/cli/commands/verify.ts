import { existsSync } from 'node:fs';
import type { CommandSpec } from '../command.ts';
import { CommandFailure } from '../errors.ts';
import { withStore } from '../with-store.ts';
import { verifyStore } from '../../store/verify.ts';

export const command: CommandSpec = {
  path: ['verify'],
  summary: '检查数据库完整性与业务不变量 (check database integrity and station invariants)',
  options: {},
  details: '检查项 (checks): integrity_check, 外键, 码包数量, 一码一父, 已关联必先赋码, 容器子数, 同级关联, 每条产线最多一个未关闭批次, 审计哈希链, 待上传队列。\n任一项不通过则退出码 1 (exit 1 on any violation).',
  async run(ctx) {
    if (!existsSync(ctx.dbPath)) throw new CommandFailure(`数据库文件不存在: ${ctx.dbPath} (database file not found)`);
    return withStore(ctx, (store) => {
      const report = verifyStore(store.db);
      if (ctx.json) {
        ctx.printJson(report);
      } else {
        for (const c of report.checks) {
          ctx.print(`${c.ok ? '✔ 通过' : '✘ 失败'}  ${c.title}${c.ok ? '' : `: ${c.violations} 处 (violations)`}`);
          for (const e of c.examples) ctx.print(`      ${e}`);
        }
        ctx.print(report.ok ? '数据库检查全部通过 (all checks passed)' : '数据库检查发现问题，请联系信息部 (violations found; contact IT)');
      }
      return report.ok ? 0 : 1;
    }, { recover: false });
  },
};
