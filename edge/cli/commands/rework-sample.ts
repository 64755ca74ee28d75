import type { CommandSpec } from '../command.ts';
import { UsageError } from '../errors.ts';
import { printSignedOutcome } from '../print-signed-outcome.ts';
import { reworkSigningFromArgs } from '../rework-signing-from-args.ts';
import { withStore } from '../with-store.ts';
import { reworkSample } from '../../store/rework/index.ts';
import { SIGNING_OPTIONS } from '../../store/rework/signer-input.ts';

/** `wuma rework sample`: see edge/store/rework for what it does to codes, containers, audit and outbox. */
export const command: CommandSpec = {
  path: ['rework', 'sample'],
  summary: '抽样：自动解除关联，状态已抽样 (pull samples; auto-disaggregates)',
  positionals: 'CODE...',
  options: {
    ...SIGNING_OPTIONS,
  },
  details: '每次操作需重新输入 PIN 签名并记入审计 (every action is signed again with the PIN and audited).\n例 (example): WUMA_PIN=… wuma rework sample CODE... --user qa01 --reason "瓶盖破损" --config station.json',
  async run(ctx, args) {
    if (args.positionals.length < 1 || args.positionals.length > 1000) throw new UsageError('需要参数 (expects) CODE...');
    const { sig, env } = reworkSigningFromArgs(args, ctx.env);
    return withStore(ctx, (store) => {
      const outcome = reworkSample(store.db, env, sig, { codes: args.positionals });
      printSignedOutcome(ctx, 'rework.sample', outcome, (r) => `已抽样 ${r.sampled.length} 个码 (sampled): ${r.sampled.join(' ')}`);
      return 0;
    });
  },
};
