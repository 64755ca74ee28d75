import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWuma } from '../../../test/support/run-cli.ts';
import { makeTempDir, type TempDir } from '../../../test/support/temp-dir.ts';

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '..', '..', '..');
let dir: TempDir;
beforeAll(() => { dir = makeTempDir('wuma-cli-render-'); });
afterAll(() => { dir.remove(); });

describe('wuma codes render', () => {
  it('writes a PNG that a real decoder reads back; --json summary', async () => {
    const out = dir.file('dm.png');
    const r = await runWuma(['codes', 'render', '--data', '(01)09501101530003(21)Ab3', '--symbology', 'gs1-datamatrix', '--out', out, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ ok: true, out, symbology: 'gs1-datamatrix', format: 'png', scale: 4 });
    const { stdout } = await run('dmtxread', ['-G', '29', '-N', '1', out], { encoding: 'buffer', timeout: 20_000 });
    expect(stdout.toString('latin1')).toBe('\u001d010950110153000321Ab3');
  });

  it('takes the format from the extension, through the real bin', async () => {
    const out = dir.file('q.SVG');
    const { stdout } = await run(join(REPO, 'node_modules/.bin/node'), [join(REPO, 'bin/wuma.js'), 'codes', 'render', '--data', 'N7K2ABCDEFGHJKQ9',
      '--symbology', 'qr', '--out', out, '--scale', '2'], { cwd: REPO, timeout: 30_000 });
    expect(stdout).toContain('已生成 qr 条码');
    expect(stdout).not.toContain('N7K2ABCDEFGHJKQ9');
    expect(readFileSync(out, 'utf8')).toMatch(/^<svg[^>]*viewBox/);
  });

  it('usage errors exit 2, bad data exits 1, and nothing is written', async () => {
    const out = dir.file('x.gif');
    const ext = await runWuma(['codes', 'render', '--data', 'A', '--symbology', 'qr', '--out', out]);
    expect(ext.code).toBe(2);
    expect(ext.stderr).toContain('.png 或 .svg');
    expect((await runWuma(['codes', 'render', '--data', 'A', '--symbology', 'pdf417', '--out', dir.file('a.png')])).code).toBe(2);
    expect((await runWuma(['codes', 'render', '--symbology', 'qr', '--out', dir.file('a.png')])).stderr).toContain('--data');
    expect((await runWuma(['codes', 'render', '--data', 'A', '--symbology', 'qr', '--out', dir.file('a.png'), '--scale', '99'])).code).toBe(2);
    const png = dir.file('bad.png');
    const bad = await runWuma(['codes', 'render', '--data', '(01)09501101530004(21)SECRETSERIAL', '--symbology', 'gs1-128', '--out', png, '--json']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('校验位错误');
    expect(bad.stderr).not.toContain('SECRETSERIAL');
    expect(bad.json()).toMatchObject({ ok: false, details: { code: 'INVALID_GS1_DATA', issues: [{ ai: '01', position: 17, reason: 'bad-check-digit' }] } });
    expect(existsSync(png)).toBe(false);
    const help = await runWuma(['codes', 'render', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--symbology');
  });
});
