/**
 * Composition root of the desktop app (Electron main): reads the command line, finds or starts edge, and hands
 * the real Electron module to `createShell`. Loaded by `entry.js`; everything it wires is tested on its own
 * (`test/e2e/desktop-shell*.test.ts`), this file only with the real Electron on a connected machine.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createShell, type ShellLogger } from './create-shell.ts';
import {
  edgeProcessSpec, findRunningEdge, newApiToken, readTokenFile, writeEdgeRecord, writeSecretFile,
} from './edge-launch.ts';
import { externalEdge, supervisedEdge, type EdgeControl } from './edge-status.ts';
import { EdgeSupervisor } from './edge-supervisor.ts';
import { parseShellArgs } from './shell-options.ts';
import { freePort, waitForPort } from './wait-for-port.ts';

/** Must equal `TOKEN_COOKIE` in edge/api/contract.ts (desktop/main does not import edge's internals). */
const TOKEN_COOKIE = 'wuma_token';

function fileLogger(path: string): ShellLogger {
  const write = (level: string, message: string, fields?: Readonly<Record<string, unknown>>): void => {
    appendFileSync(path, `${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`);
  };
  return { info: (m, f) => write('info', m, f), warn: (m, f) => write('warn', m, f) };
}

export async function startShell(electron: typeof import('electron')): Promise<void> {
  const { app } = electron;
  // One shell per station: a second launch only brings the first one's window forward ('second-instance').
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  const dataDir = app.getPath('userData');
  const runDir = join(dataDir, 'edge');
  const logDir = join(dataDir, 'logs');
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  mkdirSync(logDir, { recursive: true });
  const log = fileLogger(join(logDir, 'shell.log'));

  // Electron's argv: [exe, app path, ...] from source; [exe, ...] when packaged.
  const args = parseShellArgs(process.argv.slice(app.isPackaged ? 1 : 2), join(dataDir, 'station.json'), process.env);

  let edgeUrl: string;
  let tokenFile: string;
  let edge: EdgeControl;
  let onQuit: (() => void) | undefined;
  if (args.edge.kind === 'attach') {
    edgeUrl = args.edge.url;
    tokenFile = args.edge.tokenFile;
    edge = externalEdge();
  } else {
    const recordPath = join(runDir, 'edge.json');
    const running = await findRunningEdge(recordPath);
    tokenFile = running?.tokenFile ?? join(runDir, 'api-token');
    if (running === null) writeSecretFile(tokenFile, newApiToken());
    const port = running?.port ?? args.edge.port ?? await freePort();
    edgeUrl = `http://127.0.0.1:${port}/`;
    const nodeOverride = process.env['WUMA_EDGE_NODE'];
    const supervisor = new EdgeSupervisor({
      spec: edgeProcessSpec({
        appRoot: app.getAppPath(),
        mode: args.edge.mode,
        port,
        tokenFile,
        cwd: dataDir,
        logFile: join(logDir, 'edge.log'),
        execPath: process.execPath,
        isElectron: process.versions.electron !== undefined,
        ...(nodeOverride !== undefined ? { nodeOverride } : {}),
      }),
      ready: (signal) => waitForPort(port, { signal, timeoutMs: 60_000 }),
      logger: log,
    });
    supervisor.onStateChange((state) => {
      if (state.kind === 'running' && state.pid !== null) writeEdgeRecord(recordPath, { pid: state.pid, port, tokenFile });
    });
    if (running !== null) supervisor.adopt(running.pid);
    else supervisor.start();
    edge = supervisedEdge(supervisor);
    onQuit = () => supervisor.release();
  }

  const shell = createShell(electron, {
    edgeUrl,
    apiToken: () => readTokenFile(tokenFile),
    tokenCookie: TOKEN_COOKIE,
    edge,
    preloadPath: fileURLToPath(new URL('../preload/preload.cjs', import.meta.url)),
    kiosk: args.kiosk,
    devTools: args.devTools || !app.isPackaged,
    versions: {
      electron: process.versions.electron ?? '',
      chrome: process.versions.chrome ?? '',
      node: process.versions.node,
    },
    trayIconPath: fileURLToPath(new URL('./assets/tray.png', import.meta.url)),
    ...(onQuit !== undefined ? { onQuit } : {}),
    logger: log,
  });
  await shell.start();
}
