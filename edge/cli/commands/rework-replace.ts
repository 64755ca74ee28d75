import type { CommandSpec } from '../command.ts';
import { UsageError } from '../errors.ts';
import { printSignedOutcome } from '../print-signed-outcome.ts';
import { reworkSigningFromArgs } from '../rework-signing-from-args.ts';
import { withStore } from '../with-store.ts';
import { reworkReplace } from '../../store/rework/index.ts';
import { SIGNING_OPTIONS } from '../../store/rework/signer-input.ts';

/** `wuma rework replace`: see edge/store/rework for what it does to codes, containers, audit and outbox. */
export const command: CommandSpec = {
  path: ['rework', 'replace'],
  summary: '替换容器内的一个码 (replace one item of a container by a loose one)',
  positionals: 'OLD NEW',
  options: {
    ...SIGNING_OPTIONS,
  },
  details: '每次操作需重新输入 PIN 签名并记入审计 (every action is signed again with the PIN and audited).\n例 (example): WUMA_PIN=… wuma rework replace OLD NEW --user qa01 --reason "瓶盖破损" --config station.json',
  async run(ctx, args) {
    if (args.positionals.length < 2 || args.positionals.length > 2) throw new UsageError('需要参数 (expects) OLD NEW');
    const p = (i: number): string => args.positionals[i] ?? '';
    const { sig, env } = reworkSigningFromArgs(args, ctx.env);
    return withStore(ctx, (store) => {
      const outcome = reworkReplace(store.db, env, sig, { oldCode: p(0), newCode: p(1) });
      printSignedOutcome(ctx, 'rework.replace', outcome, (r) => `已在 ${r.container} 中用 ${r.added} 替换 ${r.removed} (replaced)`);
      return 0;
    });
  },
};
