import { requireString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { UsageError } from '../errors.ts';
import { reworkRemove } from '../../store/rework/index.ts';
import { readEpcisContext, readPin, SIGNING_OPTIONS } from '../../store/rework/signer-input.ts';

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
    const userId = requireString(args, 'user');
    const reason = requireString(args, 'reason');
    const pinFile = args.values['pin-file'];
    const sig = { userId, reason, pin: readPin(typeof pinFile === 'string' ? pinFile : undefined, ctx.env) };
    const config = args.values['config'];
    const env = { epcis: readEpcisContext(typeof config === 'string' ? config : undefined, ctx.env) };
    const store = ctx.openStore();
    try {
      const outcome = reworkRemove(store.db, env, sig, { code: p(0) });
      if (ctx.json) ctx.printJson({ ok: true, action: 'rework.remove', ...outcome });
      else ctx.print((r => `已从 ${r.from} 取出 ${r.code}，现 ${r.childCount}/${r.ratio} (removed)`)(outcome.result) + `；签名 ${outcome.signedBy.userId} @ ${outcome.signedAt}，审计 #${outcome.auditSeq}`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
