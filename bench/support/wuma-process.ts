/**
 * A real `wuma` process (bin/wuma.js under this Node) for the HQ bench and its e2e fault test: its stdout lines kept,
 * the last 200 stderr lines kept, and its exit awaited.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = join(import.meta.dirname, '..', '..');

export interface WumaProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly stdout: string[];
  readonly stderr: string[];
  readonly exited: Promise<number | null>;
}

export function spawnWuma(name: string, args: readonly string[]): WumaProcess {
  const child = spawn(process.execPath, ['bin/wuma.js', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => stdout.push(l));
  createInterface({ input: child.stderr! }).on('line', (l) => { stderr.push(l); if (stderr.length > 200) stderr.shift(); });
  const exited = new Promise<number | null>((resolve) => { child.once('exit', (code) => resolve(code)); });
  return { name, child, pid: child.pid ?? 0, stdout, stderr, exited };
}

/** The process's first stdout line (its start line), waiting at most `ms`; fails naming the process if it exits first. */
export async function firstLine(p: WumaProcess, ms: number): Promise<string> {
  const deadline = Date.now() + ms;
  while (p.stdout.length === 0) {
    if (p.child.exitCode !== null) throw new Error(`${p.name} 退出 (exited) ${String(p.child.exitCode)}: ${p.stderr.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`${p.name} 未在 ${ms} ms 内就绪 (not ready)`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return p.stdout[0] ?? '';
}
