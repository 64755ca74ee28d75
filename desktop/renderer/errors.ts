import { ApiCallError } from './api.ts';
import { t } from './i18n.ts';

/**
 * A failed call as a sentence for the person at the screen: what happened (translated by its literal code), then
 * the server's own detail (Chinese, English in parentheses). A fetch that never reached edge says so.
 */
export function describeError(err: unknown): string {
  if (err instanceof ApiCallError) {
    const key = `error.${err.code}`;
    const what = t(key);
    return what === key ? err.message : `${what} — ${err.message}`;
  }
  if (err instanceof TypeError) return t('error.NETWORK');
  return err instanceof Error ? err.message : String(err);
}
