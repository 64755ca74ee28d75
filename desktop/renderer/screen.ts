import type { PushMessage, SessionInfo } from '../../edge/api/contract.ts';

/** One mounted screen. The shell forwards push messages to it and disposes it before showing another. */
export interface Screen {
  readonly root: HTMLElement;
  onPush?(message: PushMessage): void;
  dispose?(): void;
}

/** What every screen gets from the shell. */
export interface ScreenContext {
  readonly session: SessionInfo;
  /** Shows a short message at the top of the page (errors say what happened and what to do). */
  notify(kind: 'ok' | 'error', text: string): void;
  may(permission: SessionInfo['permissions'][number]): boolean;
}

export type ScreenName = 'operator' | 'qa' | 'trace' | 'it';
