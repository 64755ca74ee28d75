import { ApiCallError, type ApiClient } from '../../../edge/api/client.ts';
import type { SessionInfo } from '../../../edge/api/contract.ts';

/** What the PDA's screens get from the page (pda-main.ts). */
export interface PdaContext {
  readonly client: ApiClient;
  readonly session: SessionInfo;
  notify(kind: 'ok' | 'error', text: string): void;
  openOrder(orderId: string): void;
  backToOrders(): void;
  /** A call found no session (idle logout, restart of edge) or no pairing: back to the badge or pairing screen. */
  sessionLost(err: unknown): void;
}

/** The session or the pairing is gone: the page must go back to login (or to "not paired"). */
export function lostSession(err: unknown): boolean {
  return err instanceof ApiCallError && (err.code === 'NO_SESSION' || err.code === 'SESSION_EXPIRED' || err.code === 'UNAUTHORIZED');
}

/** A failed call as a sentence: the server's own message (Chinese, English in parentheses), or that edge was not reached. */
export function describe(err: unknown): string {
  if (err instanceof ApiCallError) return err.message;
  if (err instanceof TypeError) return '连不上工作站，请检查无线网络 (cannot reach the station; check the Wi-Fi)';
  return err instanceof Error ? err.message : String(err);
}

/**
 * A scanned value as the PDA may show it when the station did not accept it: it may be an inner code read by
 * mistake, so it is masked like edge/domain/mask.ts does (`N7K2…Q9`). Accepted scans are case or pallet codes.
 */
export function maskScan(code: string): string {
  if (code.length >= 12) return `${code.slice(0, 4)}…${code.slice(-2)}`;
  if (code.length >= 6) return `${code.slice(0, 2)}…${code.slice(-1)}`;
  return '…';
}

export function clock(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString('zh-CN', { hour12: false });
}
