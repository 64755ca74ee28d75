import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { EdgeSupervisor, isAlive, type SupervisorState } from '../../desktop/main/edge-supervisor.ts';
import { canConnect, freePort, waitForPort } from '../../desktop/main/wait-for-port.ts';

const FAKE_EDGE = fileURLToPath(new URL('../../desktop/main/fixtures/fake-edge.ts', import.meta.url));

async function until(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Kills a process we released and waits until it is gone (tests close what they open). */
async function killAndWait(pid: number): Promise<void> {
  try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  await until(`pid ${pid} to end`, () => !isAlive(pid));
}

describe('EdgeSupervisor (real child processes)', () => {
  let dir: TempDir;
  const supervisors: EdgeSupervisor[] = [];

  beforeEach(() => { dir = makeTempDir('wuma-supervisor-'); });
  afterEach(async () => {
    for (const s of supervisors.splice(0)) await s.stop();
    dir.remove();
  });

  function supervise(args: string[], extra: Partial<ConstructorParameters<typeof EdgeSupervisor>[0]> = {}): EdgeSupervisor {
    const s = new EdgeSupervisor({
      spec: { command: process.execPath, args: [FAKE_EDGE, ...args], logFile: join(dir.path, 'edge.log') },
      backoff: { initialMs: 100, factor: 2, maxMs: 400, stableMs: 10_000 },
      killTimeoutMs: 2_000,
      ...extra,
    });
    supervisors.push(s);
    return s;
  }

  it('restarts an edge that keeps dying, with exponential backoff capped at maxMs', async () => {
    const s = supervise(['--exit-after', '30']);
    const seen: { state: SupervisorState; at: number }[] = [];
    s.onStateChange((state) => seen.push({ state, at: Date.now() }));
    s.start();
    await until('four backoffs', () => seen.filter((e) => e.state.kind === 'backoff').length >= 4);
    await s.stop();

    const backoffs = seen.filter((e) => e.state.kind === 'backoff');
    expect(backoffs.slice(0, 4).map((e) => (e.state.kind === 'backoff' ? e.state.delayMs : -1))).toEqual([100, 200, 400, 400]);
    const first = backoffs[0]?.state;
    expect(first?.kind === 'backoff' ? first.lastExit.code : null).toBe(3);
    // Each new start came no sooner than its backoff delay after the exit.
    for (const b of backoffs.slice(0, 3)) {
      const delayMs = b.state.kind === 'backoff' ? b.state.delayMs : 0;
      const next = seen.find((e) => e.at >= b.at && e.state.kind === 'starting');
      expect(next, 'a start after each backoff').toBeDefined();
      expect(next!.at - b.at).toBeGreaterThanOrEqual(delayMs - 5);
    }
    const restartCounts = seen.filter((e) => e.state.kind === 'starting').map((e) => (e.state.kind === 'starting' ? e.state.restarts : -1));
    expect(restartCounts.slice(0, 4)).toEqual([0, 1, 2, 3]);
    expect(s.state.kind).toBe('stopped');
    expect(readFileSync(join(dir.path, 'edge.log'), 'utf8')).toMatch(/fake-edge pid=\d+ started/);
  });

  it('waits for the port before reporting running, and leaves edge running when released', async () => {
    const port = await freePort();
    const s = supervise(['--port', String(port)], { ready: (signal) => waitForPort(port, { signal, timeoutMs: 10_000 }) });
    s.start();
    expect(s.state.kind).toBe('starting');
    await until('running', () => s.state.kind === 'running');
    const pid = s.pid!;
    s.release();
    expect(s.state).toEqual({ kind: 'released', pid });
    // The shell let go; the line did not stop.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(isAlive(pid)).toBe(true);
    expect(await canConnect('127.0.0.1', port)).toBe(true);
    await killAndWait(pid);
  });

  it('adopts an edge left running by an earlier shell and replaces it when it dies', async () => {
    const port = await freePort();
    const first = supervise(['--port', String(port)], { ready: (signal) => waitForPort(port, { signal }) });
    first.start();
    await until('first running', () => first.state.kind === 'running');
    const oldPid = first.pid!;
    first.release();

    const second = supervise(['--port', String(port)], { ready: (signal) => waitForPort(port, { signal }), adoptPollMs: 50 });
    second.adopt(oldPid);
    expect(second.state).toEqual({ kind: 'running', pid: oldPid, restarts: 0, adopted: true });
    await killAndWait(oldPid);
    await until('replacement running', () => second.state.kind === 'running' && second.pid !== oldPid, 15_000);
    expect(second.state).toMatchObject({ kind: 'running', restarts: 1, adopted: false });
    await second.stop();
    expect(await canConnect('127.0.0.1', port)).toBe(false);
  });

  it('restart() replaces edge at once; stop() ends it and nothing restarts it', async () => {
    const s = supervise([]);
    s.start();
    const before = s.pid!;
    await s.restart();
    const after = s.pid!;
    expect(after).not.toBe(before);
    expect(isAlive(before)).toBe(false);
    expect(s.state).toMatchObject({ kind: 'running', restarts: 1 });
    await s.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(s.state.kind).toBe('stopped');
    expect(isAlive(after)).toBe(false);
  });

  it('kills an edge that never becomes ready and tries again', async () => {
    let calls = 0;
    const s = supervise([], { ready: async () => { calls += 1; throw new Error('not listening'); } });
    const kinds: string[] = [];
    s.onStateChange((st) => kinds.push(st.kind));
    s.start();
    await until('a second start', () => calls >= 2);
    await s.stop();
    expect(kinds.slice(0, 3)).toEqual(['starting', 'backoff', 'starting']);
  });

  it('treats a command that cannot be spawned as an exit and backs off', async () => {
    const s = new EdgeSupervisor({
      spec: { command: join(dir.path, 'no-such-edge'), args: [] },
      backoff: { initialMs: 50, factor: 2, maxMs: 100, stableMs: 10_000 },
    });
    supervisors.push(s);
    s.start();
    await until('backoff', () => s.state.kind === 'backoff');
    await s.stop();
  });
});
