import type { CommandSpec } from '../command.ts';
import { UsageError } from '../errors.ts';
import { printSignedOutcome } from '../print-signed-outcome.ts';
import { reworkSigningFromArgs } from '../rework-signing-from-args.ts';
import { withStore } from '../with-store.ts';
import { reworkDestroy } from '../../store/rework/index.ts';
import { SIGNING_OPTIONS } from '../../store/rework/signer-input.ts';

/** `wuma rework destroy`: see edge/store/rework for what it does to codes, containers, audit and outbox. */
export const command: CommandSpec = {
  path: ['rework', 'destroy'],
  summary: '销毁码（永久），先解除关联，同级内码一并销毁 (destroy codes permanently)',
  positionals: 'CODE...',
  options: {
    ...SIGNING_OPTIONS,
    'with-contents': { type: 'boolean', description: '连同箱/垛内所有码一起销毁 (destroy a container with everything in it)' },
  },
  details: '每次操作需重新输入 PIN 签名并记入审计 (every action is signed again with the PIN and audited).\n例 (example): WUMA_PIN=… wuma rework destroy CODE... --user qa01 --reason "瓶盖破损" --config station.json',
  async run(ctx, args) {
    if (args.positionals.length < 1 || args.positionals.length > 1000) throw new UsageError('需要参数 (expects) CODE...');
    const { sig, env } = reworkSigningFromArgs(args, ctx.env);
    return withStore(ctx, (store) => {
      const outcome = reworkDestroy(store.db, env, sig, { codes: args.positionals, withContents: args.values['with-contents'] === true });
      printSignedOutcome(ctx, 'rework.destroy', outcome, (r) => `已销毁 ${r.destroyed.length} 个码 (destroyed): ${r.destroyed.join(' ')}`);
      return 0;
    });
  },
};
