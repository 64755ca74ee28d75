/**
 * How the shell starts edge and finds it again: the command line, the per-launch API token file, and the record
 * (`edge.json` in the app's data folder) that lets a relaunched shell adopt an edge that outlived the previous one.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, type EdgeProcessSpec } from './edge-supervisor.ts';
import { canConnect } from './wait-for-port.ts';

export type EdgeMode = { readonly kind: 'demo' } | { readonly kind: 'station'; readonly config: string };

export interface EdgeLaunchInput {
  /** The app's root folder (`app.getAppPath()`: the repository, or `resources/app.asar` when packaged). */
  readonly appRoot: string;
  readonly mode: EdgeMode;
  readonly port: number;
  readonly tokenFile: string;
  /** Working directory of edge; its default database `./data/wuma.db` lands under it. */
  readonly cwd: string;
  readonly logFile: string;
  /** The running executable (`process.execPath`): Electron in the app, Node in tests. */
  readonly execPath: string;
  readonly isElectron: boolean;
  /** A Node binary to run edge with instead of Electron-as-Node (`WUMA_EDGE_NODE`). */
  readonly nodeOverride?: string;
}

/**
 * `<node> <appRoot>/bin/wuma.js (demo | station --config F) --api-port P --api-token-file T`.
 * Inside the app, "node" is Electron's own executable with `ELECTRON_RUN_AS_NODE=1` (as VS Code runs its
 * extension host), so edge runs on Electron's Node, reads the app's files from the asar and loads the native modules
 * from `app.asar.unpacked`. This needs Electron's RunAsNode fuse left on.
 */
export function edgeProcessSpec(input: EdgeLaunchInput): EdgeProcessSpec {
  const useElectron = input.isElectron && input.nodeOverride === undefined;
  const modeArgs = input.mode.kind === 'demo' ? ['demo'] : ['station', '--config', input.mode.config];
  return {
    command: input.nodeOverride ?? input.execPath,
    args: [join(input.appRoot, 'bin', 'wuma.js'), ...modeArgs, '--api-port', String(input.port), '--api-token-file', input.tokenFile],
    env: useElectron ? { ELECTRON_RUN_AS_NODE: '1' } : {},
    cwd: input.cwd,
    logFile: input.logFile,
  };
}

/** 256 random bits from the OS CSPRNG, URL-safe. */
export function newApiToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Writes a secret file readable by this user only, atomically (temp file + rename). */
export function writeSecretFile(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${text}\n`, { mode: 0o600 });
  renameSync(temp, path);
}

export function readTokenFile(path: string): string {
  const token = readFileSync(path, 'utf8').trim();
  if (token === '') throw new Error(`令牌文件为空 (token file is empty): ${path}`);
  return token;
}

/** What a shell records about the edge it started, so that the next shell can adopt it. */
export interface EdgeRecord {
  readonly pid: number;
  readonly port: number;
  readonly tokenFile: string;
}

export function writeEdgeRecord(path: string, record: EdgeRecord): void {
  writeSecretFile(path, JSON.stringify(record));
}

export function readEdgeRecord(path: string): EdgeRecord | null {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (!Number.isInteger(r['pid']) || !Number.isInteger(r['port']) || typeof r['tokenFile'] !== 'string') return null;
  return { pid: r['pid'] as number, port: r['port'] as number, tokenFile: r['tokenFile'] };
}

/** The recorded edge if it is still alive and still serving on its port (a reused pid alone is not enough). */
export async function findRunningEdge(recordPath: string): Promise<EdgeRecord | null> {
  const record = readEdgeRecord(recordPath);
  if (record === null || !isAlive(record.pid)) return null;
  return (await canConnect('127.0.0.1', record.port)) ? record : null;
}
