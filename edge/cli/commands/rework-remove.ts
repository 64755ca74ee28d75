import type { CommandSpec } from '../command.ts';
import { UsageError } from '../errors.ts';
import { printSignedOutcome } from '../print-signed-outcome.ts';
import { reworkSigningFromArgs } from '../rework-signing-from-args.ts';
import { withStore } from '../with-store.ts';
import { reworkRemove } from '../../store/rework/index.ts';
import { SIGNING_OPTIONS } from '../../store/rework/signer-input.ts';

/** `wuma rework remove`: see edge/store/rework for what it does to codes, containers, audit and outbox. */
export const command: CommandSpec = {
  path: ['rework', 'remove'],
  summary: '取出瓶/盒/箱：回到已赋码、无上级 (take an item out of its container; it goes back to commissioned)',
  positionals: 'CODE',
  options: {
    ...SIGNING_OPTIONS,
  },
  details: '每次操作需重新输入 PIN 签名并记入审计 (every action is signed again with the PIN and audited).\n例 (example): WUMA_PIN=… wuma rework remove CODE --user qa01 --reason "瓶盖破损" --config station.json',
  async run(ctx, args) {
    if (args.positionals.length < 1 || args.positionals.length > 1) throw new UsageError('需要参数 (expects) CODE');
    const p = (i: number): string => args.positionals[i] ?? '';
    const { sig, env } = reworkSigningFromArgs(args, ctx.env);
    return withStore(ctx, (store) => {
      const outcome = reworkRemove(store.db, env, sig, { code: p(0) });
      printSignedOutcome(ctx, 'rework.remove', outcome, (r) => `已从 ${r.from} 取出 ${r.code}，现 ${r.childCount}/${r.ratio} (removed)`);
      return 0;
    });
  },
};
