import { requireString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { UsageError } from '../errors.ts';
import { reworkAdd } from '../../store/rework/index.ts';
import { readEpcisContext, readPin, SIGNING_OPTIONS } from '../../store/rework/signer-input.ts';

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
    const userId = requireString(args, 'user');
    const reason = requireString(args, 'reason');
    const pinFile = args.values['pin-file'];
    const sig = { userId, reason, pin: readPin(typeof pinFile === 'string' ? pinFile : undefined, ctx.env) };
    const config = args.values['config'];
    const env = { epcis: readEpcisContext(typeof config === 'string' ? config : undefined, ctx.env) };
    const store = ctx.openStore();
    try {
      const outcome = reworkAdd(store.db, env, sig, { container: p(0), code: p(1) });
      if (ctx.json) ctx.printJson({ ok: true, action: 'rework.add', ...outcome });
      else ctx.print((r => `已将 ${r.code} 装入 ${r.to}，现 ${r.childCount}/${r.ratio}${r.readmitted ? '，剔除品已重新入箱 (re-admitted)' : ''} (added)`)(outcome.result) + `；签名 ${outcome.signedBy.userId} @ ${outcome.signedAt}，审计 #${outcome.auditSeq}`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
