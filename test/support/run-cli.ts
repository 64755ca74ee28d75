import { PassThrough } from 'node:stream';
import { runCli } from '../../edge/cli/main.ts';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON (the last line), for --json runs. */
  json<T = Record<string, unknown>>(): T;
}

/** Runs the wuma CLI in-process with captured output (the same entry bin/wuma.js uses). */
export async function runWuma(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on('data', (c: Buffer) => chunks.out.push(c));
  err.on('data', (c: Buffer) => chunks.err.push(c));
  const code = await runCli(argv, { stdout: out, stderr: err, env: { ...env }, shutdown: new Promise<string>(() => {}) });
  out.end();
  err.end();
  const stdout = Buffer.concat(chunks.out).toString('utf8');
  const stderr = Buffer.concat(chunks.err).toString('utf8');
  return {
    code,
    stdout,
    stderr,
    json<T>() {
      const lines = stdout.trim().split('\n');
      return JSON.parse(lines[lines.length - 1] ?? 'null') as T;
    },
  };
}
