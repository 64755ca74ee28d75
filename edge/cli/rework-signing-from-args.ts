import { requireString } from './args.ts';
import type { ParsedCommand } from './command.ts';
import type { ReworkEnv, Signature } from '../store/rework/index.ts';
import { readEpcisContext, readPin } from '../store/rework/signer-input.ts';

/**
 * The signature and station context of a `wuma rework …` command, from its SIGNING_OPTIONS: --user and
 * --reason (usage error when missing), the PIN from --pin-file or WUMA_PIN, the EPCIS context from --config or
 * WUMA_CONFIG (a StoreError INVALID_INPUT when either cannot be read). Read in that order.
 */
export function reworkSigningFromArgs(args: ParsedCommand, env: NodeJS.ProcessEnv): { readonly sig: Signature; readonly env: ReworkEnv } {
  const userId = requireString(args, 'user');
  const reason = requireString(args, 'reason');
  const pinFile = args.values['pin-file'];
  const sig = { userId, reason, pin: readPin(typeof pinFile === 'string' ? pinFile : undefined, env) };
  const config = args.values['config'];
  return { sig, env: { epcis: readEpcisContext(typeof config === 'string' ? config : undefined, env) } };
}
