import type { CommandContext } from './command.ts';
import type { ReworkAction, SignedOutcome } from '../store/rework/index.ts';

/**
 * Prints what a signed rework action did: with --json `{ ok, action, result, auditSeq, events, signedBy,
 * signedAt }`; otherwise the command's own sentence for the result followed by who signed, when, and the audit row.
 */
export function printSignedOutcome<T>(ctx: CommandContext, action: ReworkAction, outcome: SignedOutcome<T>, describe: (result: T) => string): void {
  if (ctx.json) ctx.printJson({ ok: true, action, ...outcome });
  else ctx.print(describe(outcome.result) + `；签名 ${outcome.signedBy.userId} @ ${outcome.signedAt}，审计 #${outcome.auditSeq}`);
}
