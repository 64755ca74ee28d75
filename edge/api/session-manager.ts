import { randomBytes } from 'node:crypto';
import type { ApiRole } from './contract.ts';

export interface SessionUser {
  readonly id: string;
  readonly name: string;
  readonly role: ApiRole;
}

export interface Session {
  readonly id: string;
  readonly user: SessionUser;
  readonly method: 'badge' | 'pin';
  readonly startedAt: number;
  lastSeenAt: number;
}

export type SessionLookup =
  | { readonly kind: 'ok'; readonly session: Session }
  | { readonly kind: 'none' }
  | { readonly kind: 'expired' };

export type SessionEnd = 'expired' | 'logout';

/**
 * User sessions in memory (a restart of edge logs everyone out, which is the safe default on a line PC).
 * A session ends after `idleTimeoutMs` without a request (IEC 62443-4-2 CR 2.6 remote session termination;
 * operators walk away from the station): `lookup` refuses an idle session and forgets it, and `sweep` ends idle
 * sessions nobody asked about so their WebSocket clients hear of it. Session ids are 256-bit random values.
 */
export class SessionManager {
  readonly idleTimeoutMs: number;
  readonly #sessions = new Map<string, Session>();
  readonly #expired = new Set<string>();
  readonly #now: () => number;
  readonly #listeners = new Set<(session: Session, why: SessionEnd) => void>();

  constructor(idleTimeoutMs: number, now: () => number = Date.now) {
    this.idleTimeoutMs = idleTimeoutMs;
    this.#now = now;
  }

  create(user: SessionUser, method: Session['method']): Session {
    const now = this.#now();
    const session: Session = { id: randomBytes(32).toString('base64url'), user, method, startedAt: now, lastSeenAt: now };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** Finds a live session and counts this request as activity. */
  lookup(id: string | null | undefined): SessionLookup {
    if (id === null || id === undefined || id.length === 0) return { kind: 'none' };
    const session = this.#sessions.get(id);
    if (session === undefined) return this.#expired.has(id) ? { kind: 'expired' } : { kind: 'none' };
    const now = this.#now();
    if (now - session.lastSeenAt >= this.idleTimeoutMs) {
      this.#end(session, 'expired');
      return { kind: 'expired' };
    }
    session.lastSeenAt = now;
    return { kind: 'ok', session };
  }

  /** Looks without touching (WebSocket pushes are not user activity). */
  peek(id: string): Session | undefined {
    return this.#sessions.get(id);
  }

  end(id: string): void {
    const session = this.#sessions.get(id);
    if (session !== undefined) this.#end(session, 'logout');
  }

  /** Ends every idle session; returns how many. */
  sweep(): number {
    const now = this.#now();
    let n = 0;
    for (const session of [...this.#sessions.values()]) {
      if (now - session.lastSeenAt >= this.idleTimeoutMs) { this.#end(session, 'expired'); n += 1; }
    }
    return n;
  }

  onEnd(listener: (session: Session, why: SessionEnd) => void): () => void {
    this.#listeners.add(listener);
    return () => { this.#listeners.delete(listener); };
  }

  #end(session: Session, why: SessionEnd): void {
    this.#sessions.delete(session.id);
    // Remember recently expired ids (bounded) so the UI can say "logged out for inactivity" instead of "no session".
    if (why === 'expired') {
      this.#expired.add(session.id);
      if (this.#expired.size > 1000) this.#expired.delete(this.#expired.values().next().value as string);
    }
    for (const listener of this.#listeners) listener(session, why);
  }
}
