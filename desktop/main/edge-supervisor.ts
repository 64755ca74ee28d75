/**
 * Keeps edge (the line station) running as a separate process, in plain Node so it is tested without Electron.
 *
 * Failure semantics (DESIGN §3: the line keeps running when the window is closed or crashes):
 * - edge is spawned detached (own process group on POSIX) with its output going to a log file, never to a pipe,
 *   so it survives the shell: a crashed or quit Electron main leaves it running, and the next shell launch adopts
 *   it by pid (`adopt`) instead of starting a second edge on the same database.
 * - When edge exits without being asked to, it is started again after a backoff: `initialMs · factor^(n-1)`,
 *   capped at `maxMs`; n resets once a run has lasted `stableMs`. There is no retry limit: a line station keeps
 *   trying, and the status (with the restart count and the last exit) is pushed to the UI to raise an alarm.
 * - `release()` stops supervising and leaves edge running (quitting the UI). Only `stop()` ends edge.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Logger } from '../../links/index.ts';

export interface EdgeProcessSpec {
  readonly command: string;
  readonly args: readonly string[];
  /** Added to the shell's environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** edge's stdout and stderr are appended here; without it they are discarded. */
  readonly logFile?: string;
}

export interface BackoffPolicy {
  readonly initialMs: number;
  readonly factor: number;
  readonly maxMs: number;
  /** A run at least this long resets the backoff to `initialMs`. */
  readonly stableMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, factor: 2, maxMs: 30_000, stableMs: 60_000 };

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: string | null;
  /** How long that run lasted. */
  readonly ranMs: number;
}

export type SupervisorState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'starting'; readonly pid: number | null; readonly restarts: number }
  | { readonly kind: 'running'; readonly pid: number | null; readonly restarts: number; readonly adopted: boolean }
  | { readonly kind: 'backoff'; readonly restarts: number; readonly delayMs: number; readonly lastExit: ExitInfo }
  | { readonly kind: 'stopped'; readonly restarts: number }
  | { readonly kind: 'released'; readonly pid: number | null };

/** The part of the one Logger (links/logger.ts) the supervisor uses. */
export type SupervisorLogger = Pick<Logger, 'info' | 'warn'>;

export interface EdgeSupervisorOptions {
  readonly spec: EdgeProcessSpec;
  readonly backoff?: BackoffPolicy;
  /**
   * Resolves once the new edge serves (e.g. its port accepts connections); rejects or times out on its own.
   * On rejection the child is killed and the exit path restarts it. Without it, a spawned edge counts as running.
   */
  readonly ready?: (signal: AbortSignal) => Promise<void>;
  /** How often an adopted edge (not our child, so no exit event) is checked for life. */
  readonly adoptPollMs?: number;
  /** SIGTERM, then SIGKILL after this long, in `stop()` and `restart()`. */
  readonly killTimeoutMs?: number;
  readonly logger?: SupervisorLogger;
  readonly now?: () => number;
}

export interface Disposable {
  dispose(): void;
}

const silent: SupervisorLogger = { info: () => undefined, warn: () => undefined };

/** True while a process with this pid exists (signal 0 probes without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class EdgeSupervisor {
  readonly #spec: EdgeProcessSpec;
  readonly #backoff: BackoffPolicy;
  readonly #ready: ((signal: AbortSignal) => Promise<void>) | undefined;
  readonly #adoptPollMs: number;
  readonly #killTimeoutMs: number;
  readonly #log: SupervisorLogger;
  readonly #now: () => number;
  readonly #listeners = new Set<(state: SupervisorState) => void>();

  #state: SupervisorState = { kind: 'idle' };
  #child: ChildProcess | null = null;
  #pid: number | null = null;
  #startedAt = 0;
  #restarts = 0;
  /** Consecutive short runs; drives the backoff delay. */
  #failures = 0;
  #timer: NodeJS.Timeout | null = null;
  #readyAbort: AbortController | null = null;
  /** Set while we are ending the process on purpose, so its exit does not schedule a restart. */
  #intentional = false;

  constructor(options: EdgeSupervisorOptions) {
    this.#spec = options.spec;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.#ready = options.ready;
    this.#adoptPollMs = options.adoptPollMs ?? 1_000;
    this.#killTimeoutMs = options.killTimeoutMs ?? 10_000;
    this.#log = options.logger ?? silent;
    this.#now = options.now ?? Date.now;
  }

  get state(): SupervisorState {
    return this.#state;
  }

  /** pid of the edge process now supervised, or null. */
  get pid(): number | null {
    return this.#pid;
  }

  onStateChange(listener: (state: SupervisorState) => void): Disposable {
    this.#listeners.add(listener);
    return { dispose: () => { this.#listeners.delete(listener); } };
  }

  /** Spawns edge and supervises it. */
  start(): void {
    if (this.#state.kind !== 'idle' && this.#state.kind !== 'stopped' && this.#state.kind !== 'released') return;
    this.#spawn();
  }

  /**
   * Supervises an edge that an earlier shell started (its pid from the shell's state file). Not our child, so its
   * death is seen by polling; it is then replaced by a spawned edge as after any other exit.
   */
  adopt(pid: number): void {
    if (this.#state.kind !== 'idle' && this.#state.kind !== 'stopped' && this.#state.kind !== 'released') return;
    this.#pid = pid;
    this.#startedAt = this.#now();
    this.#set({ kind: 'running', pid, restarts: this.#restarts, adopted: true });
    this.#log.info('adopted running edge', { pid });
    const poll = (): void => {
      if (this.#pid !== pid || this.#child !== null) return;
      if (isAlive(pid)) {
        this.#timer = setTimeout(poll, this.#adoptPollMs);
        return;
      }
      this.#timer = null;
      this.#onExit({ code: null, signal: null, ranMs: this.#now() - this.#startedAt });
    };
    this.#timer = setTimeout(poll, this.#adoptPollMs);
  }

  /** Ends the current edge (if any) and starts a new one at once, without backoff. */
  async restart(): Promise<void> {
    this.#clearTimer();
    await this.#terminate();
    this.#failures = 0;
    this.#restarts += 1;
    this.#spawn();
  }

  /** Ends edge and supervision (SIGTERM, then SIGKILL after `killTimeoutMs`). Stops the line. */
  async stop(): Promise<void> {
    this.#clearTimer();
    await this.#terminate();
    this.#set({ kind: 'stopped', restarts: this.#restarts });
  }

  /** Stops supervising and leaves edge running (the UI quits; the line does not). */
  release(): void {
    this.#clearTimer();
    this.#readyAbort?.abort();
    const pid = this.#pid;
    if (this.#child !== null) {
      this.#child.removeAllListeners('exit');
      this.#child.unref();
      this.#child = null;
    }
    this.#pid = null;
    this.#set({ kind: 'released', pid });
  }

  #spawn(): void {
    this.#intentional = false;
    let logFd: number | 'ignore' = 'ignore';
    if (this.#spec.logFile !== undefined) logFd = openSync(this.#spec.logFile, 'a', 0o600);
    let child: ChildProcess;
    try {
      child = spawn(this.#spec.command, [...this.#spec.args], {
        cwd: this.#spec.cwd,
        env: { ...process.env, ...this.#spec.env },
        // Own process group, no pipes to us: edge outlives the shell.
        detached: true,
        stdio: ['ignore', logFd, logFd],
        windowsHide: true,
      });
    } finally {
      if (typeof logFd === 'number') closeSync(logFd);
    }
    this.#child = child;
    this.#pid = child.pid ?? null;
    this.#startedAt = this.#now();
    this.#set({ kind: 'starting', pid: this.#pid, restarts: this.#restarts });
    this.#log.info('edge started', { pid: this.#pid, command: this.#spec.command });

    child.once('error', (error) => {
      // Spawn failed (no such file, no permission): 'exit' may not follow, so treat it as an exit here.
      if (this.#child !== child) return;
      this.#log.warn('edge could not be started', { error: error.message });
      this.#child = null;
      this.#onExit({ code: null, signal: null, ranMs: 0 });
    });
    child.once('exit', (code, signal) => {
      if (this.#child !== child) return;
      this.#child = null;
      this.#onExit({ code, signal, ranMs: this.#now() - this.#startedAt });
    });

    if (this.#ready === undefined) {
      this.#set({ kind: 'running', pid: this.#pid, restarts: this.#restarts, adopted: false });
      return;
    }
    const abort = new AbortController();
    this.#readyAbort = abort;
    this.#ready(abort.signal).then(
      () => {
        if (this.#child !== child || abort.signal.aborted) return;
        this.#set({ kind: 'running', pid: this.#pid, restarts: this.#restarts, adopted: false });
      },
      (error: unknown) => {
        if (this.#child !== child || abort.signal.aborted) return;
        this.#log.warn('edge did not become ready; killing it', { pid: this.#pid, error: String(error) });
        killTree(child.pid, 'SIGKILL');
      },
    );
  }

  #onExit(exit: ExitInfo): void {
    this.#readyAbort?.abort();
    this.#readyAbort = null;
    this.#pid = null;
    if (this.#intentional) return;
    this.#failures = exit.ranMs >= this.#backoff.stableMs ? 1 : this.#failures + 1;
    const delayMs = Math.min(this.#backoff.maxMs, this.#backoff.initialMs * this.#backoff.factor ** (this.#failures - 1));
    this.#log.warn('edge exited; restarting after backoff', { code: exit.code, signal: exit.signal, ranMs: exit.ranMs, delayMs });
    this.#set({ kind: 'backoff', restarts: this.#restarts, delayMs, lastExit: exit });
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#restarts += 1;
      this.#spawn();
    }, delayMs);
  }

  /** Ends the current process on purpose and waits for it to be gone. */
  async #terminate(): Promise<void> {
    this.#intentional = true;
    this.#readyAbort?.abort();
    const child = this.#child;
    const pid = this.#pid;
    if (child !== null) {
      const exited = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
      killTree(child.pid, 'SIGTERM');
      const timer = setTimeout(() => killTree(child.pid, 'SIGKILL'), this.#killTimeoutMs);
      await exited;
      clearTimeout(timer);
    } else if (pid !== null) {
      // An adopted edge: signal it and poll until it is gone.
      killTree(pid, 'SIGTERM');
      const deadline = this.#now() + this.#killTimeoutMs;
      while (isAlive(pid)) {
        if (this.#now() >= deadline) killTree(pid, 'SIGKILL');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    this.#child = null;
    this.#pid = null;
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #set(state: SupervisorState): void {
    this.#state = state;
    for (const listener of [...this.#listeners]) listener(state);
  }
}

/** Signals edge and anything it started: its process group on POSIX (it was spawned detached), the pid on Windows. */
function killTree(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, signal);
  } catch {
    try { process.kill(pid, signal); } catch { /* already gone: nothing to end */ }
  }
}
