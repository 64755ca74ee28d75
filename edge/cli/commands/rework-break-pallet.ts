import type { CommandSpec } from '../command.ts';
import { UsageError } from '../errors.ts';
import { printSignedOutcome } from '../print-signed-outcome.ts';
import { reworkSigningFromArgs } from '../rework-signing-from-args.ts';
import { withStore } from '../with-store.ts';
import { reworkBreakPallet } from '../../store/rework/index.ts';
import { SIGNING_OPTIONS } from '../../store/rework/signer-input.ts';

/** `wuma rework break-pallet`: see edge/store/rework for what it does to codes, containers, audit and outbox. */
export const command: CommandSpec = {
  path: ['rework', 'break-pallet'],
  summary: '拆垛：所有箱解除关联，垛码作废 (break a pallet; its code is voided)',
  positionals: 'PALLET',
  options: {
    ...SIGNING_OPTIONS,
  },
  details: '每次操作需重新输入 PIN 签名并记入审计 (every action is signed again with the PIN and audited).\n例 (example): WUMA_PIN=… wuma rework break-pallet PALLET --user qa01 --reason "瓶盖破损" --config station.json',
  async run(ctx, args) {
    if (args.positionals.length < 1 || args.positionals.length > 1) throw new UsageError('需要参数 (expects) PALLET');
    const p = (i: number): string => args.positionals[i] ?? '';
    const { sig, env } = reworkSigningFromArgs(args, ctx.env);
    return withStore(ctx, (store) => {
      const outcome = reworkBreakPallet(store.db, env, sig, { pallet: p(0) });
      printSignedOutcome(ctx, 'rework.break-pallet', outcome, (r) => `已拆垛 ${r.pallet}，${r.cases.length} 箱解除关联 (pallet broken)`);
      return 0;
    });
  },
};
