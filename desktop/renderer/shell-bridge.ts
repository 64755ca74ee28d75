import type { WumaBridge } from '../shared/ipc-channels.ts';

const OPERATIONS = ['getApiToken', 'getVersion', 'getEdgeStatus', 'restartEdge', 'setKiosk', 'onEdgeStatus'] as const satisfies readonly (keyof WumaBridge)[];

/**
 * The desktop shell's preload bridge (`window.wuma`, desktop/preload/index.ts), or null in a plain browser — the
 * same renderer is served to both, so every use of the shell is optional and hidden without it. A `wuma` that
 * lacks one of the operations is not the shell's and counts as absent.
 */
export function shellBridge(): WumaBridge | null {
  const candidate: unknown = (globalThis as { wuma?: unknown }).wuma;
  if (typeof candidate !== 'object' || candidate === null) return null;
  const ops = candidate as Record<string, unknown>;
  return OPERATIONS.every((op) => typeof ops[op] === 'function') ? (candidate as WumaBridge) : null;
}
