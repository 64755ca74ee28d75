import { requireString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { UsageError } from '../errors.ts';
import { reworkDestroy } from '../../store/rework/index.ts';
import { readEpcisContext, readPin, SIGNING_OPTIONS } from '../../store/rework/signer-input.ts';

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
    const p = (i: number): string => args.positionals[i] ?? '';
    const userId = requireString(args, 'user');
    const reason = requireString(args, 'reason');
    const pinFile = args.values['pin-file'];
    const sig = { userId, reason, pin: readPin(typeof pinFile === 'string' ? pinFile : undefined, ctx.env) };
    const config = args.values['config'];
    const env = { epcis: readEpcisContext(typeof config === 'string' ? config : undefined, ctx.env) };
    const store = ctx.openStore();
    try {
      const outcome = reworkDestroy(store.db, env, sig, { codes: args.positionals, withContents: args.values['with-contents'] === true });
      if (ctx.json) ctx.printJson({ ok: true, action: 'rework.destroy', ...outcome });
      else ctx.print((r => `已销毁 ${r.destroyed.length} 个码 (destroyed): ${r.destroyed.join(' ')}`)(outcome.result) + `；签名 ${outcome.signedBy.userId} @ ${outcome.signedAt}，审计 #${outcome.auditSeq}`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
