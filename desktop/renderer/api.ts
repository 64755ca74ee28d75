import { ApiCallError, ApiClient, type CallInput, type CallResult } from '../../edge/api/client.ts';
import type { OperationId } from '../../edge/api/contract.ts';

/**
 * The renderer's one API client (edge/api/client.ts), same-origin: the per-launch token cookie (set when the page
 * was opened with `/?token=…`) and the session cookie (set at login) authenticate every call, so nothing secret
 * lives in page script.
 */
export const client = new ApiClient();
export { ApiCallError };

export function call<K extends OperationId>(op: K, ...args: {} extends CallInput<K> ? [input?: CallInput<K>] : [input: CallInput<K>]): Promise<CallResult<K>> {
  return client.call(op, ...args);
}

/** The URL of an operation with its parameters filled in (report download links, uploads). */
export function operationUrl<K extends OperationId>(op: K, input?: CallInput<K>): string {
  return client.url(op, input);
}
