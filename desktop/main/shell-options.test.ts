import { describe, expect, it } from 'vitest';
import { ShellError } from './errors.ts';
import { parseShellArgs } from './shell-options.ts';

const DEFAULT = '/data/wuma/station.json';

function refusal(args: string[]): string {
  try {
    parseShellArgs(args, DEFAULT);
  } catch (error) {
    expect(error).toBeInstanceOf(ShellError);
    expect((error as ShellError).code).toBe('bad-arguments');
    return (error as ShellError).message;
  }
  throw new Error(`accepted ${args.join(' ')}`);
}

describe('parseShellArgs', () => {
  it('starts the station from the default config, $WUMA_CONFIG or --config, and the demo with --demo', () => {
    expect(parseShellArgs([], DEFAULT)).toEqual({ edge: { kind: 'spawn', mode: { kind: 'station', config: DEFAULT }, port: null }, kiosk: false, devTools: false });
    expect(parseShellArgs([], DEFAULT, { WUMA_CONFIG: '/etc/wuma.json' }).edge).toMatchObject({ mode: { config: '/etc/wuma.json' } });
    expect(parseShellArgs(['--config', 'line3.json', '--port', '8710', '--kiosk'], DEFAULT))
      .toEqual({ edge: { kind: 'spawn', mode: { kind: 'station', config: 'line3.json' }, port: 8710 }, kiosk: true, devTools: false });
    expect(parseShellArgs(['--no-sandbox', '--demo', '--devtools'], DEFAULT))
      .toEqual({ edge: { kind: 'spawn', mode: { kind: 'demo' }, port: null }, kiosk: false, devTools: true });
  });

  it('attaches to a running edge on loopback or https, with a token file', () => {
    expect(parseShellArgs(['--attach', 'http://127.0.0.1:8710/ops', '--token-file', '/run/wuma/token'], DEFAULT))
      .toEqual({ edge: { kind: 'attach', url: 'http://127.0.0.1:8710/', tokenFile: '/run/wuma/token' }, kiosk: false, devTools: false });
    expect(parseShellArgs(['--attach', 'https://line3.plant.local:8443', '--token-file', 't'], DEFAULT).edge)
      .toMatchObject({ url: 'https://line3.plant.local:8443/' });
  });

  it('refuses contradictory or incomplete command lines, in Chinese first', () => {
    expect(refusal(['--attach', 'http://10.0.0.5:8710/', '--token-file', 't'])).toContain('只接受本机 http 或 https');
    expect(refusal(['--attach', 'http://127.0.0.1:8710/'])).toContain('--token-file');
    expect(refusal(['--attach', 'http://127.0.0.1:8710/', '--token-file', 't', '--demo'])).toContain('--attach');
    expect(refusal(['--demo', '--config', 'x.json'])).toContain('--demo');
    expect(refusal(['--port', '70000'])).toContain('1–65535');
    expect(refusal(['--config'])).toContain('缺少取值');
    expect(refusal(['--attach', 'not a url', '--token-file', 't'])).toContain('URL');
  });
});
