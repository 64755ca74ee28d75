import type { EdgeMode } from './edge-launch.ts';
import { ShellError } from './errors.ts';

/**
 * The desktop app's command line:
 *   wuma [--demo | --config FILE] [--port N] [--kiosk] [--devtools]   start and supervise edge
 *   wuma --attach URL --token-file FILE [--kiosk] [--devtools]       show an edge that is already running
 * Without `--demo` or `--config`, the station config is `$WUMA_CONFIG`, else `station.json` in the app's data
 * folder (`defaultConfig`). Unknown arguments (Chromium switches) are ignored.
 */
export interface ShellArgs {
  readonly edge:
    | { readonly kind: 'spawn'; readonly mode: EdgeMode; readonly port: number | null }
    | { readonly kind: 'attach'; readonly url: string; readonly tokenFile: string };
  readonly kiosk: boolean;
  readonly devTools: boolean;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function parseShellArgs(args: readonly string[], defaultConfig: string, env: Readonly<Record<string, string | undefined>> = {}): ShellArgs {
  const value = (name: string): string | undefined => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) throw new ShellError('bad-arguments', `${name} 缺少取值 (${name} needs a value)`);
    return v;
  };
  const kiosk = args.includes('--kiosk');
  const devTools = args.includes('--devtools');
  const attach = value('--attach');
  const config = value('--config');
  const demo = args.includes('--demo');
  const portText = value('--port');

  if (attach !== undefined) {
    if (demo || config !== undefined || portText !== undefined) {
      throw new ShellError('bad-arguments', '--attach 不能与 --demo、--config、--port 同用 (--attach excludes --demo, --config and --port)');
    }
    const tokenFile = value('--token-file');
    if (tokenFile === undefined) throw new ShellError('bad-arguments', '--attach 需要 --token-file (--attach needs --token-file)');
    let url: URL;
    try { url = new URL(attach); } catch { throw new ShellError('bad-arguments', `--attach 不是有效的 URL (not a URL): ${attach}`); }
    // Plain http only on loopback; a LAN edge must be https (edge refuses a LAN bind without TLS anyway).
    if (!(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname)))) {
      throw new ShellError('bad-arguments', `--attach 只接受本机 http 或 https 地址 (only loopback http or https): ${attach}`);
    }
    return { edge: { kind: 'attach', url: url.origin + '/', tokenFile }, kiosk, devTools };
  }

  if (demo && config !== undefined) throw new ShellError('bad-arguments', '--demo 与 --config 只能选一个 (choose --demo or --config)');
  let port: number | null = null;
  if (portText !== undefined) {
    port = Number(portText);
    if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new ShellError('bad-arguments', `--port 须为 1–65535 (must be 1–65535): ${portText}`);
  }
  const mode: EdgeMode = demo ? { kind: 'demo' } : { kind: 'station', config: config ?? env['WUMA_CONFIG'] ?? defaultConfig };
  return { edge: { kind: 'spawn', mode, port }, kiosk, devTools };
}
