import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A pair of connected pseudo-terminals made by socat: bytes written to `a` come out of `b` and back.
 * Stands in for a serial cable in conformance tests. A pty ignores baud rate and modem lines.
 */
export interface PtyPair {
  readonly a: string;
  readonly b: string;
  close(): Promise<void>;
}

export async function openPtyPair(timeoutMs = 5_000): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'wuma-pty-'));
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  const child: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<void>((resolve) => { child.once('exit', () => { resolve(); }); });
  const deadline = Date.now() + timeoutMs;
  while (!(existsSync(a) && existsSync(b))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`socat did not create the pty pair: ${stderr.trim() || 'timeout'}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    a,
    b,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 2_000);
        await exited;
        clearTimeout(t);
      }
      child.stderr?.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
