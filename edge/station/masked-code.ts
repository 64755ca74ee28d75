import type { CodeLookup } from '../aggregation/check-case.ts';
import { displayCode } from '../domain/mask.ts';

/**
 * A read code as it may be shown (status snapshot, logs): a code the store knows as a secret kind (cap-inner,
 * case-inner — e.g. a cap turned over under the camera) is masked; any other value is shown as read, since an
 * unknown or outer code pays nothing and the operator needs to see it.
 */
export function maskedCode(code: string, lookup: CodeLookup): string {
  const facts = lookup.get(code);
  return facts === null ? code : displayCode(code, facts.kind);
}
