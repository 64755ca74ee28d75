import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

/**
 * A PLC peer running in its own process and controlled by JSON lines on stdin (one reply line each on stdout).
 * Used for pymodbus (`test/support/pymodbus-server.py`) and for `wuma emulate plc opcua --control`.
 * The first stdout line is the ready document (`{"ready":true,...}`).
 */
export interface ControlledPeer<Ready> {
  readonly ready: Ready;
  readonly pid: number;
  /** Sends one control message and resolves with its reply line, parsed. */
  control<T = { ok: boolean }>(message: Record<string, unknown>): Promise<T>;
  /** Sends `stop`, waits for exit (SIGKILL after 5 s). */
  close(): Promise<void>;
}

export async function startControlledPeer<Ready>(command: string, args: readonly string[], timeoutMs = 20_000): Promise<ControlledPeer<Ready>> {
  const child: ChildProcess = spawn(command, [...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { if (stderr.length < 16_384) stderr += d.toString(); });
  const exited = new Promise<void>((resolve) => { child.once('exit', () => { resolve(); }); });
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => { waiting.shift()?.(line); });
  let gone = false;
  void exited.then(() => { gone = true; });
  const nextLine = (ms: number): Promise<string> => new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`${command} did not answer in ${ms} ms: ${stderr.trim()}`)); }, ms);
    waiting.push((line) => { clearTimeout(timer); resolve(line); });
    void exited.then(() => { clearTimeout(timer); reject(new Error(`${command} exited: ${stderr.trim()}`)); });
  });
  const kill = async (): Promise<void> => {
    if (!gone) { child.kill('SIGKILL'); await exited; }
    lines.close();
    child.stdout?.destroy();
    child.stderr?.destroy();
    child.stdin?.destroy();
  };
  let ready: Ready;
  try {
    ready = JSON.parse(await nextLine(timeoutMs)) as Ready;
  } catch (error) {
    await kill();
    throw error;
  }
  let queue: Promise<unknown> = Promise.resolve();
  return {
    ready,
    pid: child.pid ?? -1,
    control<T>(message: Record<string, unknown>): Promise<T> {
      const run = queue.catch(() => undefined).then(async () => {
        const reply = nextLine(5_000);
        child.stdin?.write(`${JSON.stringify(message)}\n`);
        return JSON.parse(await reply) as T;
      });
      queue = run;
      return run;
    },
    async close() {
      if (!gone) {
        child.stdin?.end(`${JSON.stringify({ op: 'stop' })}\n`);
        const timer = setTimeout(() => { child.kill('SIGKILL'); }, 5_000);
        await exited;
        clearTimeout(timer);
      }
      await kill();
    },
  };
}

const SCRIPT = join(import.meta.dirname, 'pymodbus-server.py');
/** Debian's interpreter: pymodbus from apt imports only here (notes/feasibility.md §3). */
export const DEBIAN_PYTHON = '/usr/bin/python3';

export type PymodbusReady = { readonly ready: true; readonly port?: number; readonly path?: string };

/**
 * Starts pymodbus serving `map` (a ModbusRegisterMap as plain JSON) over TCP on 127.0.0.1 (port 0 = a free port,
 * reported in `ready.port`) or RTU on a serial path (e.g. one end of a socat pty pair).
 */
export function startPymodbus(map: unknown, link: { tcp: number } | { rtu: string; baudRate?: number }): Promise<ControlledPeer<PymodbusReady>> {
  const args = [SCRIPT, '--map-json', JSON.stringify(map)];
  if ('tcp' in link) args.push('--tcp', String(link.tcp));
  else args.push('--rtu', link.rtu, '--baud', String(link.baudRate ?? 115_200));
  return startControlledPeer<PymodbusReady>(DEBIAN_PYTHON, args);
}
