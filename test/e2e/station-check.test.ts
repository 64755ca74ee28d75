import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runWuma } from '../support/run-cli.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
// Loaded up front, not by the first test: the station command pulls in node-opcua, whose first load opens a
// process.stdin handle that the leak check would blame on that test.
import '../../edge/cli/commands/station.ts';

/** `wuma station --check`: validates a config and prints its summary without touching a device. */

let dir: TempDir | null = null;
afterEach(() => { dir?.remove(); dir = null; });

function printModeConfig(d: TempDir, printerDriver: string): string {
  const file = d.file('station.json');
  writeFileSync(file, JSON.stringify({
    station: { id: 'S1', line: 'L1' },
    database: d.file('line.db'),
    case: {
      camera: { driver: 'cognex', tcp: '127.0.0.1:23' },
      caseCode: { mode: 'print', printer: { driver: printerDriver, tcp: '127.0.0.1:9100' }, verifier: { driver: 'keyence', tcp: '127.0.0.1:9004' } },
      readTimeoutMs: 800,
      verifyTimeoutMs: 1500,
      printAttempts: 2,
    },
  }));
  return file;
}

describe('wuma station --check', () => {
  it('accepts case-code print mode (supported now) and summarises its printer and verifier', async () => {
    dir = makeTempDir('wuma-station-check-');
    const r = await runWuma(['station', '--config', printModeConfig(dir, 'linx'), '--check', '--json']);
    expect(r.stderr).not.toMatch(/尚不支持|not supported/);
    expect(r.code).toBe(0);
    const out = r.json<{ ok: boolean; config: { case: { caseCode: Record<string, unknown> } } }>();
    expect(out.ok).toBe(true);
    expect(out.config.case.caseCode).toMatchObject({ mode: 'print', verifyTimeoutMs: 1500, printAttempts: 2 });
    expect(String(out.config.case.caseCode['printer'])).toMatch(/linx/);
    expect(String(out.config.case.caseCode['verifier'])).toMatch(/keyence/);
    const text = await runWuma(['station', '--config', printModeConfig(dir, 'linx'), '--check']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('配置有效 (config ok)');
    expect(text.stdout).toContain('"mode": "print"');
  });

  it('still checks the print-mode printer: an unknown driver fails with its field path', async () => {
    dir = makeTempDir('wuma-station-check-');
    const r = await runWuma(['station', '--config', printModeConfig(dir, 'no-such-printer'), '--check', '--json']);
    expect(r.code).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toContain('case.caseCode.printer');
  });
});
