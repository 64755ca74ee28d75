import type { CommandSpec } from '../command.ts';
import { UsageError } from '../errors.ts';
import { printSignedOutcome } from '../print-signed-outcome.ts';
import { reworkSigningFromArgs } from '../rework-signing-from-args.ts';
import { withStore } from '../with-store.ts';
import { reworkMove } from '../../store/rework/index.ts';
import { SIGNING_OPTIONS } from '../../store/rework/signer-input.ts';

/** `wuma rework move`: see edge/store/rework for what it does to codes, containers, audit and outbox. */
export const command: CommandSpec = {
  path: ['rework', 'move'],
  summary: '整箱转入新箱码，旧箱及箱内码作废 (move the contents of a case to a new case code)',
  positionals: 'FROM_CASE TO_CASE',
  options: {
    ...SIGNING_OPTIONS,
  },
  details: '每次操作需重新输入 PIN 签名并记入审计 (every action is signed again with the PIN and audited).\n例 (example): WUMA_PIN=… wuma rework move FROM_CASE TO_CASE --user qa01 --reason "瓶盖破损" --config station.json',
  async run(ctx, args) {
    if (args.positionals.length < 2 || args.positionals.length > 2) throw new UsageError('需要参数 (expects) FROM_CASE TO_CASE');
    const p = (i: number): string => args.positionals[i] ?? '';
    const { sig, env } = reworkSigningFromArgs(args, ctx.env);
    return withStore(ctx, (store) => {
      const outcome = reworkMove(store.db, env, sig, { fromCase: p(0), toCase: p(1) });
      printSignedOutcome(ctx, 'rework.move', outcome, (r) => `已将 ${r.fromCase} 的 ${r.children} 个码转入 ${r.toCase} (moved)`);
      return 0;
    });
  },
};
