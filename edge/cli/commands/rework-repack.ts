import type { CommandSpec } from '../command.ts';
import { UsageError } from '../errors.ts';
import { printSignedOutcome } from '../print-signed-outcome.ts';
import { reworkSigningFromArgs } from '../rework-signing-from-args.ts';
import { withStore } from '../with-store.ts';
import { reworkRepack } from '../../store/rework/index.ts';
import { SIGNING_OPTIONS } from '../../store/rework/signer-input.ts';

/** `wuma rework repack`: see edge/store/rework for what it does to codes, containers, audit and outbox. */
export const command: CommandSpec = {
  path: ['rework', 'repack'],
  summary: '剔除品经返工重新装整箱 (re-pack rejected/loose items into a full case)',
  positionals: 'CASE CODE...',
  options: {
    ...SIGNING_OPTIONS,
  },
  details: '每次操作需重新输入 PIN 签名并记入审计 (every action is signed again with the PIN and audited).\n例 (example): WUMA_PIN=… wuma rework repack CASE CODE... --user qa01 --reason "瓶盖破损" --config station.json',
  async run(ctx, args) {
    if (args.positionals.length < 2 || args.positionals.length > 1001) throw new UsageError('需要参数 (expects) CASE CODE...');
    const p = (i: number): string => args.positionals[i] ?? '';
    const { sig, env } = reworkSigningFromArgs(args, ctx.env);
    return withStore(ctx, (store) => {
      const outcome = reworkRepack(store.db, env, sig, { caseCode: p(0), codes: args.positionals.slice(1) });
      printSignedOutcome(ctx, 'rework.repack', outcome, (r) => `已装箱 ${r.caseCode}：${r.children} 个，其中剔除品 ${r.readmitted} 个 (re-packed)`);
      return 0;
    });
  },
};
