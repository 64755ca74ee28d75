import type { CommandSpec } from '../command.ts';
import { withStore } from '../with-store.ts';
import { listUsers, ROLE_LABEL_ZH } from '../../store/users.ts';

export const command: CommandSpec = {
  path: ['user', 'list'],
  summary: '列出用户及角色，不显示任何密钥 (list users and roles; never shows secrets)',
  options: {},
  async run(ctx) {
    return withStore(ctx, (store) => {
      const users = listUsers(store.db);
      if (ctx.json) {
        ctx.printJson({ ok: true, users });
      } else {
        for (const u of users) {
          const flags = [u.active ? '启用 active' : '停用 inactive', u.hasPin ? 'PIN' : '', u.hasBadge ? '工卡 badge' : '', u.lockedUntil === null ? '' : `锁定至 locked until ${u.lockedUntil}`];
          ctx.print(`${u.id.padEnd(16)} ${u.name}  ${ROLE_LABEL_ZH[u.role]} ${u.role}  ${flags.filter((f) => f.length > 0).join(', ')}`);
        }
        ctx.print(`共 ${users.length} 个用户 (${users.length} users)`);
      }
      return 0;
    });
  },
};
