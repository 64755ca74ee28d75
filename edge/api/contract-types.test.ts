import { describe, expectTypeOf, it } from 'vitest';
import type { CodeHistory } from '../store/query.ts';
import type { Reconciliation } from '../store/reconciliation.ts';
import type { Role } from '../store/users.ts';
import type { ApiRole, CodeHistoryView, ReconciliationView } from './contract.ts';

/**
 * The contract's views are the store's own shapes where the API sends them as they are (checked by `tsc` in
 * `npm test`): a loose `Record<string, unknown>` would let the UI read fields that do not exist, and force the
 * routes to cast (`as unknown as`). Roles are defined once, by the store.
 */
describe('API contract types', () => {
  it('sends the reconciliation report, the code history and the roles as the store defines them', () => {
    expectTypeOf<ReconciliationView>().toEqualTypeOf<Reconciliation>();
    expectTypeOf<CodeHistoryView>().toEqualTypeOf<CodeHistory>();
    expectTypeOf<ApiRole>().toEqualTypeOf<Role>();
  });
});
