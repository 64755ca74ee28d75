import type { EdgeStatus } from '../shared/ipc-channels.ts';
import type { Disposable, EdgeSupervisor, SupervisorState } from './edge-supervisor.ts';

/** What the window needs from edge's lifecycle: its status, changes to it, and a restart. */
export interface EdgeControl {
  readonly status: EdgeStatus;
  onStatus(listener: (status: EdgeStatus) => void): Disposable;
  /** Null when the shell only attached to an edge it does not own. */
  restart: (() => Promise<void>) | null;
}

/** The renderer's view of the supervisor's state (no paths, no command lines). */
export function toEdgeStatus(state: SupervisorState): EdgeStatus {
  switch (state.kind) {
    case 'idle': return { kind: 'starting', pid: null, restarts: 0 };
    case 'starting': return { kind: 'starting', pid: state.pid, restarts: state.restarts };
    case 'running': return { kind: 'running', pid: state.pid, restarts: state.restarts };
    case 'backoff': {
      const { code, signal } = state.lastExit;
      const lastExit = signal !== null ? `signal ${signal}` : code !== null ? `exit ${code}` : 'gone';
      return { kind: 'backoff', restarts: state.restarts, retryInMs: state.delayMs, lastExit };
    }
    case 'stopped': return { kind: 'stopped', restarts: state.restarts };
    case 'released': return { kind: 'stopped', restarts: 0 };
  }
}

export function supervisedEdge(supervisor: EdgeSupervisor): EdgeControl {
  return {
    get status() { return toEdgeStatus(supervisor.state); },
    onStatus: (listener) => supervisor.onStateChange((state) => listener(toEdgeStatus(state))),
    restart: () => supervisor.restart(),
  };
}

/** An edge the shell attached to (`--attach URL`): always shown as external, never restarted from here. */
export function externalEdge(): EdgeControl {
  return { status: { kind: 'external' }, onStatus: () => ({ dispose: () => undefined }), restart: null };
}
