import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test/support/temp-dir.ts';
import { runWuma } from '../../../test/support/run-cli.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const NODE = process.execPath;

/** Starts `wuma emulate reader …` as a real child process; resolves with its first JSON line and a stopper. */
async function startEmulatorCli(argv: readonly string[]): Promise<{ first: Record<string, unknown>; lines: string[]; stop(): Promise<number | null> }> {
  const child = spawn(NODE, [join(ROOT, 'bin', 'wuma.js'), 'emulate', 'reader', ...argv, '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => { child.once('exit', (code) => { resolve(code); }); });
  const rl = createInterface({ input: child.stdout });
  const lines: string[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`emulator CLI did not start: ${stderr}`)); }, 20_000);
    rl.on('line', (line) => {
      lines.push(line);
      if (lines.length === 1) { clearTimeout(timer); resolve(JSON.parse(line) as Record<string, unknown>); }
    });
    void exited.then(() => { clearTimeout(timer); reject(new Error(`emulator CLI exited: ${stderr}`)); });
  });
  return {
    first,
    lines,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      rl.close();
      return code;
    },
  };
}

describe('wuma emulate reader + wuma device read', () => {
  it('reads 24 caps and a GS1 code from the Keyence emulator CLI over TCP, then a no-read', async () => {
    const dir = makeTempDir();
    try {
      const caps = Array.from({ length: 24 }, (_, i) => `CAP${String(i).padStart(6, '0')}`);
      const file = dir.file('codes.txt');
      writeFileSync(file, `# one trigger per line\n${caps.join('\t')}\n]d2010614141000041721ABC123\\x1d10LOT7\n-\n`);
      const emu = await startEmulatorCli(['keyence', '--tcp', '127.0.0.1:0', '--codes', file]);
      try {
        expect(emu.first).toMatchObject({ event: 'listening' });
        const port = emu.first['port'] as number;
        const r = await runWuma(['device', 'read', '--driver', 'keyence', '--tcp', `127.0.0.1:${port}`, '--trigger', '--count', '3', '--separator', ',', '--show-codes', '--json']);
        const results = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(results).toHaveLength(3);
        expect(results[0]).toMatchObject({ kind: 'read', trigger: { id: 1, source: 'software' } });
        expect((results[0]?.['codes'] as { text: string }[]).map((c) => c.text)).toEqual(caps);
        expect(results[1]).toMatchObject({ kind: 'read', codes: [{ aimId: ']d2', symbology: 'gs1-datamatrix', gs1: true, fields: 2, text: '010614141000041721ABC123<GS>10LOT7' }] });
        expect(results[2]).toMatchObject({ kind: 'no-read', cause: 'reader' });
        expect(r.code).toBe(1);
      } finally {
        expect(await emu.stop()).toBe(0);
      }
      expect(emu.lines.some((l) => l.includes('"command"') && l.includes('LON'))).toBe(true);
    } finally {
      dir.remove();
    }
  });

  it('masks codes unless --show-codes, and exits 0 when every trigger reads', async () => {
    const emu = await startEmulatorCli(['cognex', '--tcp', '127.0.0.1:0']);
    try {
      const port = emu.first['port'] as number;
      const r = await runWuma(['device', 'read', '--driver', 'cognex', '--tcp', `127.0.0.1:${port}`, '--trigger']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('✔');
      expect(r.stdout).toContain('CA…1');
      expect(r.stdout).not.toContain('CAP000001');
    } finally {
      await emu.stop();
    }
    expect(emu.lines.every((l) => !l.includes('CAP000001'))).toBe(true);
  });

  it('exits 1 with a reason when nothing listens, 2 on bad arguments', async () => {
    const emu = await startEmulatorCli(['keyence', '--tcp', '127.0.0.1:0']);
    const port = emu.first['port'] as number;
    await emu.stop();
    const offline = await runWuma(['device', 'read', '--driver', 'keyence', '--tcp', `127.0.0.1:${port}`, '--trigger']);
    expect(offline.code).toBe(1);
    expect(offline.stderr).toContain('无法连接读码器');
    expect((await runWuma(['device', 'read', '--tcp', '127.0.0.1:9'])).code).toBe(2);
    expect((await runWuma(['device', 'read', '--driver', 'zebra', '--tcp', '127.0.0.1:9'])).code).toBe(2);
    expect((await runWuma(['device', 'read', '--driver', 'opcua', '--tcp', '127.0.0.1:9'])).code).toBe(2);
    const badOption = await runWuma(['device', 'read', '--driver', 'text', '--tcp', '127.0.0.1:9', '--option', 'nonsense']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain('--option');
    expect((await runWuma(['emulate', 'reader', 'nope', '--tcp', '127.0.0.1:0'])).code).toBe(2);
    expect((await runWuma(['emulate', 'reader', 'keyence', '--tcp', '127.0.0.1:0', '--fault', 'explode'])).code).toBe(2);
    expect((await runWuma(['emulate', 'reader', 'keyence', '--tcp', '127.0.0.1:0', '--serial', '/dev/null'])).code).toBe(2);
  });

  it('--help describes both commands', async () => {
    expect((await runWuma(['emulate', 'reader', '--help'])).stdout).toContain('--codes');
    expect((await runWuma(['device', 'read', '--help'])).stdout).toContain('--trigger');
  });
});
