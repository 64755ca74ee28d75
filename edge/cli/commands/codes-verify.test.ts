import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DEFAULT_PROFILES, generateCode, webCryptoRandom } from '../../codes/index.ts';
import { runWuma } from '../../../test/support/run-cli.ts';

const capInner = (): string => generateCode(DEFAULT_PROFILES['cap-inner'], webCryptoRandom);
const caseOuter = (): string => generateCode(DEFAULT_PROFILES['case-outer'], webCryptoRandom);
/** Replaces the check character with a wrong one. */
const REPO = join(import.meta.dirname, '..', '..', '..');
const breakCheck = (code: string): string => code.slice(0, -1) + (code.endsWith('0') ? '1' : '0');

describe('wuma codes verify', () => {
  it('exit 0 for valid codes; secret kinds are masked, visible kinds shown in full', async () => {
    const secret = capInner();
    const visible = caseOuter();
    const run = await runWuma(['codes', 'verify', secret, visible]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain(secret);
    expect(run.stdout).not.toContain(secret.slice(4, 14));
    expect(run.stdout).toContain(`${secret.slice(0, 4)}…${secret.slice(-2)}`);
    expect(run.stdout).toContain('盖内码 cap-inner');
    expect(run.stdout).toContain(visible);
    expect(run.stdout).toContain('2 个有效，0 个无效');
  });

  it('exit 1 when any code is invalid, naming the defect; invalid codes are masked (a misread secret is nearly the secret)', async () => {
    const bad = breakCheck(capInner());
    const run = await runWuma(['codes', 'verify', caseOuter(), bad, 'I0']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('校验字符错误');
    expect(run.stdout).toContain('check character is wrong');
    expect(run.stdout).toContain('长度 2 不符合任何码规则');
    expect(run.stdout).not.toContain(bad);
    expect(run.stdout).toContain('1 个有效，2 个无效');
  });

  it('--kind checks against that kind; --json reports every code with reason and position', async () => {
    const visible = caseOuter();
    const run = await runWuma(['codes', 'verify', '--kind', 'case-outer', '--json', visible, `${visible.slice(0, 3)}U${visible.slice(4)}`]);
    expect(run.code).toBe(1);
    const doc = run.json<{ ok: boolean; valid: number; invalid: number; results: Array<Record<string, unknown>> }>();
    expect(doc).toMatchObject({ ok: false, valid: 1, invalid: 1 });
    expect(doc.results[0]).toEqual({ code: visible, masked: false, ok: true, kinds: ['case-outer'] });
    expect(doc.results[1]).toMatchObject({ masked: false, ok: false, reason: 'alphabet', position: 4 });

    const secret = capInner();
    const json = await runWuma(['codes', 'verify', '--kind', 'case-inner', '--json', secret]);
    expect(json.code).toBe(0);
    expect(json.stdout).not.toContain(secret);
    expect(json.json<{ results: Array<Record<string, unknown>> }>().results[0]).toMatchObject({ masked: true, ok: true, kinds: ['case-inner'] });
    // Visible kinds share one default format: a case-outer code is also a well-formed pallet code.
    expect((await runWuma(['codes', 'verify', '--kind', 'pallet', caseOuter()])).code).toBe(0);
  });

  it('exit 2 for usage errors: no code, unknown kind, unknown option', async () => {
    const none = await runWuma(['codes', 'verify']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no CODE given');
    const kind = await runWuma(['codes', 'verify', '--kind', 'bottle', caseOuter()]);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain('--kind 不支持 "bottle"');
    const option = await runWuma(['codes', 'verify', '--count', '3', caseOuter()]);
    expect(option.code).toBe(2);
  });

  it('--help shows usage and exits 0', async () => {
    const help = await runWuma(['codes', 'verify', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('wuma codes verify CODE...');
    expect(help.stdout).toContain('--kind');
  });

  it('the installed bin gives the same exit codes in a real process', () => {
    const good = spawnSync('node_modules/.bin/node', ['bin/wuma.js', 'codes', 'verify', caseOuter()], { cwd: REPO, encoding: 'utf8', timeout: 20_000 });
    expect(good.status).toBe(0);
    const bad = spawnSync('node_modules/.bin/node', ['bin/wuma.js', 'codes', 'verify', breakCheck(caseOuter())], { cwd: REPO, encoding: 'utf8', timeout: 20_000 });
    expect(bad.status).toBe(1);
  });
});
