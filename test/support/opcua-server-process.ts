import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { join } from 'node:path';

/**
 * Runs the OPC UA AutoID reader emulator in its own process (issue 3: "OPC UA through a node-opcua server in its
 * own process"), so the driver under test and the server never share an event loop or SDK state.
 * Startup takes ≈ 1 s (nodeset loading): start one per test file in beforeAll and `close()` it in afterAll.
 */
export interface OpcuaServerProcess {
  readonly endpointUrl: string;
  readonly pid: number;
  /** Sends a control message and waits for the child's reply line. */
  control(message: { op: 'fire' | 'scans' } | { op: 'feed'; reads: readonly (readonly string[])[] } | { op: 'faults'; noReads?: number; notReady?: boolean; dropEvents?: number; delayMs?: number }): Promise<{ ok: string; scans: number }>;
  close(): Promise<void>;
}

const ENTRY = join(import.meta.dirname, 'opcua-reader-child.ts');

export async function startOpcuaServerProcess(options: { codesFile?: string; timeoutMs?: number } = {}): Promise<OpcuaServerProcess> {
  const child: ChildProcess = spawn(process.execPath, [ENTRY, ...(options.codesFile === undefined ? [] : [options.codesFile])], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { if (stderr.length < 8192) stderr += d.toString(); });
  const exited = new Promise<void>((resolve) => { child.once('exit', () => { resolve(); }); });
  const lines: Interface = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => { waiting.shift()?.(line); });
  const nextLine = (timeoutMs: number): Promise<string> => new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`OPC UA emulator process did not answer in ${timeoutMs} ms: ${stderr.trim()}`)); }, timeoutMs);
    waiting.push((line) => { clearTimeout(timer); resolve(line); });
    void exited.then(() => { clearTimeout(timer); reject(new Error(`OPC UA emulator process exited: ${stderr.trim()}`)); });
  });
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    lines.close();
  };
  let ready: { endpointUrl: string };
  try {
    ready = JSON.parse(await nextLine(options.timeoutMs ?? 20_000)) as { endpointUrl: string };
  } catch (error) {
    await kill();
    throw error;
  }
  return {
    endpointUrl: ready.endpointUrl,
    pid: child.pid ?? -1,
    async control(message) {
      const reply = nextLine(5_000);
      child.stdin?.write(`${JSON.stringify(message)}\n`);
      return JSON.parse(await reply) as { ok: string; scans: number };
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin?.end(`${JSON.stringify({ op: 'stop' })}\n`);
        const timer = setTimeout(() => { child.kill('SIGKILL'); }, 5_000);
        await exited;
        clearTimeout(timer);
      }
      lines.close();
      child.stdout?.destroy();
      child.stderr?.destroy();
    },
  };
}
