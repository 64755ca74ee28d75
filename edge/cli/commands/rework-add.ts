import type { CommandSpec } from '../command.ts';
import { UsageError } from '../errors.ts';
import { printSignedOutcome } from '../print-signed-outcome.ts';
import { reworkSigningFromArgs } from '../rework-signing-from-args.ts';
import { withStore } from '../with-store.ts';
import { reworkAdd } from '../../store/rework/index.ts';
import { SIGNING_OPTIONS } from '../../store/rework/signer-input.ts';

/** `wuma rework add`: see edge/store/rework for what it does to codes, containers, audit and outbox. */
export const command: CommandSpec = {
  path: ['rework', 'add'],
  summary: '把散瓶（含剔除品）装入箱/盒/垛 (pack a loose or rejected item into a container)',
  positionals: 'CONTAINER CODE',
  options: {
    ...SIGNING_OPTIONS,
  },
  details: '每次操作需重新输入 PIN 签名并记入审计 (every action is signed again with the PIN and audited).\n例 (example): WUMA_PIN=… wuma rework add CONTAINER CODE --user qa01 --reason "瓶盖破损" --config station.json',
  async run(ctx, args) {
    if (args.positionals.length < 2 || args.positionals.length > 2) throw new UsageError('需要参数 (expects) CONTAINER CODE');
    const p = (i: number): string => args.positionals[i] ?? '';
    const { sig, env } = reworkSigningFromArgs(args, ctx.env);
    return withStore(ctx, (store) => {
      const outcome = reworkAdd(store.db, env, sig, { container: p(0), code: p(1) });
      printSignedOutcome(ctx, 'rework.add', outcome, (r) => `已将 ${r.code} 装入 ${r.to}，现 ${r.childCount}/${r.ratio}${r.readmitted ? '，剔除品已重新入箱 (re-admitted)' : ''} (added)`);
      return 0;
    });
  },
};
