import { readFileSync } from 'node:fs';
import { optionalString, requireString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { UsageError } from '../errors.ts';
import { withStore } from '../with-store.ts';
import { addUser, ROLES } from '../../store/users.ts';

function firstLine(path: string | undefined, what: string): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8').split(/\r?\n/)[0] ?? '';
  } catch (error) {
    throw new UsageError(`无法读取${what}文件 ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'} (cannot read the ${what === 'PIN' ? 'PIN' : 'badge'} file)`);
  }
}

export const command: CommandSpec = {
  path: ['user', 'add'],
  summary: '新增用户及角色 (add a user with a role)',
  options: {
    id: { type: 'string', value: 'ID', description: '工号 (user id)' },
    name: { type: 'string', value: 'NAME', description: '姓名 (name)' },
    role: { type: 'string', value: 'ROLE', description: `角色 (role): ${ROLES.join(' | ')} — 操作员/质检/信息/管理员` },
    'pin-file': { type: 'string', value: 'FILE', description: 'PIN 所在文件，第一行 (file holding the PIN, first line)' },
    'badge-file': { type: 'string', value: 'FILE', description: '工卡码所在文件，第一行 (file holding the badge code, first line)' },
    by: { type: 'string', value: 'ID', description: '操作人，记入审计 (who adds the user, for the audit trail; default $USER)' },
  },
  details: '只保存 PIN 与工卡的哈希 (only hashes of PIN and badge are stored).\n例 (example): wuma user add --id qa01 --name 张三 --role qa --pin-file pin.txt',
  async run(ctx, args) {
    const pin = firstLine(optionalString(args, 'pin-file'), 'PIN');
    const badge = firstLine(optionalString(args, 'badge-file'), '工卡');
    const input = {
      id: requireString(args, 'id'), name: requireString(args, 'name'), role: requireString(args, 'role'),
      ...(pin === undefined ? {} : { pin }), ...(badge === undefined ? {} : { badge }),
    };
    return withStore(ctx, (store) => {
      const user = addUser(store.db, input, optionalString(args, 'by') ?? ctx.env['USER'] ?? 'cli');
      if (ctx.json) ctx.printJson({ ok: true, user });
      else ctx.print(`已新增用户 ${user.id}「${user.name}」，角色 ${user.role} (user added)`);
      return 0;
    });
  },
};
