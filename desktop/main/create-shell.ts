/**
 * The Electron wiring of the desktop app: one window showing edge's renderer, a tray, and the typed, sender-checked
 * IPC handlers. It takes the Electron API as a parameter (`createShell(electron, options)`), so it is tested with a
 * fake Electron; edge's process is someone else's job (`EdgeSupervisor`, reached through `EdgeControl`).
 *
 * The line never depends on this window (DESIGN §3): closing it, or its renderer crashing, leaves edge alone; the
 * app stays in the tray when its last window closes, and the tray or a second launch opens the window again.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import type {
  AppVersions, EdgeStatus, IpcArgs, IpcEventChannel, IpcEventChannels, IpcInvokeChannel, IpcResponse,
} from '../shared/ipc-channels.ts';
import { IPC_INVOKE_CHANNELS } from '../shared/ipc-channels.ts';
import type { EdgeControl } from './edge-status.ts';
import type { ElectronApi, InvokeEventLike, TrayLike, WindowLike } from './electron-api.ts';
import { ShellError } from './errors.ts';
import type { Logger } from '../../links/index.ts';
import { applySessionPolicy, hardenWebContents, isTrustedSender, secureWebPreferences } from './security-policy.ts';

/** The part of the one Logger (links/logger.ts) the shell uses. */
export type ShellLogger = Pick<Logger, 'info' | 'warn'>;

export interface ShellOptions {
  /** edge's local URL, e.g. `http://127.0.0.1:8710/`; the window loads it and trusts only its origin. */
  readonly edgeUrl: string;
  /** The per-launch API token (read at each request, so an adopted or attached edge's token file is honoured). */
  readonly apiToken: () => string;
  /**
   * Name of edge's token cookie (`TOKEN_COOKIE` of edge/api/contract.ts). Main sets it, httpOnly and SameSite=Strict,
   * for edge's origin before the first load, so the page is authorised without the token ever being in a URL or in
   * page script. The renderer can also ask for the token through preload (`getApiToken`).
   */
  readonly tokenCookie?: string;
  readonly edge: EdgeControl;
  /** Absolute path of `desktop/preload/preload.cjs`. */
  readonly preloadPath: string;
  readonly kiosk: boolean;
  readonly devTools: boolean;
  readonly versions: Omit<AppVersions, 'app'>;
  /** Tray icon file; without it there is no tray (a second launch still reopens the window). */
  readonly trayIconPath?: string;
  /** Called once when the app quits: the shell lets go of edge and leaves it running. */
  readonly onQuit?: () => void;
  readonly logger?: ShellLogger;
}

export interface Shell {
  /** Waits for Electron to be ready, applies the session policy, and opens the window and the tray. */
  start(): Promise<void>;
  /** Shows the window, making a new one if it was closed. */
  showWindow(): WindowLike;
  readonly window: WindowLike | null;
}

/** The page shown while edge is not (yet) serving. Plain text, no script; the preload's calls are refused there. */
export function waitingPage(status: EdgeStatus): string {
  const line = status.kind === 'backoff'
    ? `edge 已退出 (${status.lastExit})，${Math.ceil(status.retryInMs / 1000)} 秒后重启 (edge exited; restarting)`
    : status.kind === 'stopped' ? 'edge 已停止 (edge stopped)' : '正在启动 edge… (starting edge…)';
  const html = `<!doctype html><meta charset="utf-8"><title>五码 wuma</title>`
    + `<body style="font:32px sans-serif;background:#101418;color:#e8e8e8;display:grid;place-items:center;height:90vh">`
    + `<p>${line}</p></body>`;
  return `data:text/html;charset=utf-8,${encodeURIComponent(html)}`;
}

/** Main's handler for each channel: typed against the shared map, so the signatures cannot drift from preload. */
type Handlers = { [C in IpcInvokeChannel]: (...args: IpcArgs<C>) => IpcResponse<C> | Promise<IpcResponse<C>> };

/** Checks the renderer's raw arguments for each channel before a handler sees them. */
const parseArgs: { [C in IpcInvokeChannel]: (raw: readonly unknown[]) => IpcArgs<C> } = {
  'app:getApiToken': noArgs,
  'app:getVersion': noArgs,
  'edge:getStatus': noArgs,
  'edge:restart': noArgs,
  'app:setKiosk': (raw) => {
    if (raw.length !== 1 || typeof raw[0] !== 'boolean') throw new ShellError('bad-request', 'app:setKiosk 需要一个布尔值 (expects one boolean)');
    return [raw[0]];
  },
};

function noArgs(raw: readonly unknown[]): [] {
  if (raw.length !== 0) throw new ShellError('bad-request', '此请求不带参数 (this request takes no arguments)');
  return [];
}

/** Renderer crashes tolerated per minute before the window stops reloading itself (the tray can still reopen it). */
const MAX_RELOADS_PER_MINUTE = 3;

export function createShell(electron: ElectronApi, options: ShellOptions): Shell {
  const origin = new URL(options.edgeUrl).origin;
  const log = options.logger ?? { info: () => undefined, warn: () => undefined };
  let window: WindowLike | null = null;
  let tray: TrayLike | null = null;
  let quitting = false;
  const crashes: number[] = [];

  // Every web contents, including any made later, gets the navigation / window / webview rules.
  electron.app.on('web-contents-created', (_event, contents) => {
    hardenWebContents(contents, origin, (what, url) => log.warn('blocked by the window policy', { what, url }));
  });
  // Keep running (in the tray) when the last window closes: the app is the station's UI, not the station.
  electron.app.on('window-all-closed', () => undefined);
  electron.app.on('second-instance', () => { showWindow(); });
  electron.app.on('activate', () => { showWindow(); });
  electron.app.on('before-quit', () => {
    if (quitting) return;
    quitting = true;
    log.info('quitting the UI; edge keeps running');
    options.onQuit?.();
  });

  const handlers: Handlers = {
    'app:getApiToken': () => options.apiToken(),
    'app:getVersion': () => ({ app: electron.app.getVersion(), ...options.versions }),
    'edge:getStatus': () => options.edge.status,
    'edge:restart': async () => {
      if (options.edge.restart === null) return { kind: 'not-supervised' };
      log.info('edge restart requested from the window');
      void options.edge.restart().catch((error: unknown) => log.warn('edge restart failed', { error: String(error) }));
      return { kind: 'restarting' };
    },
    'app:setKiosk': (on) => {
      const w = liveWindow();
      if (w === null) throw new ShellError('edge-unavailable', '窗口已关闭 (the window is closed)');
      w.setKiosk(on);
      return w.isKiosk();
    },
  };
  for (const channel of IPC_INVOKE_CHANNELS) register(channel);

  function register<C extends IpcInvokeChannel>(channel: C): void {
    electron.ipcMain.handle(channel, (event: InvokeEventLike, ...raw: unknown[]) => {
      const w = liveWindow();
      if (!isTrustedSender(event, w === null ? null : w.webContents.id, origin)) {
        log.warn('IPC refused: untrusted sender', { channel, frame: event.senderFrame?.url ?? null });
        throw new ShellError('untrusted-sender', `拒绝 ${channel}：请求不是来自本应用的页面 (refused: the sender is not this app's page)`);
      }
      const handler = handlers[channel] as (...args: IpcArgs<C>) => IpcResponse<C> | Promise<IpcResponse<C>>;
      return handler(...parseArgs[channel](raw));
    });
  }

  function push<C extends IpcEventChannel>(channel: C, payload: IpcEventChannels[C]): void {
    const w = liveWindow();
    if (w !== null && !w.webContents.isDestroyed()) w.webContents.send(channel, payload);
  }

  function liveWindow(): WindowLike | null {
    return window !== null && !window.isDestroyed() ? window : null;
  }

  function load(w: WindowLike, status: EdgeStatus): void {
    const url = status.kind === 'running' || status.kind === 'external' ? options.edgeUrl : waitingPage(status);
    w.loadURL(url).catch((error: unknown) => log.warn('window load failed', { url: url.startsWith('data:') ? 'waiting page' : url, error: String(error) }));
  }

  // A restarted edge serves a fresh renderer: reload into it; while edge is down, say so.
  let lastKind: EdgeStatus['kind'] = options.edge.status.kind;
  options.edge.onStatus((status) => {
    push('edge:status', status);
    const w = liveWindow();
    if (w !== null && (status.kind === 'running' || lastKind === 'running')) load(w, status);
    lastKind = status.kind;
  });

  function showWindow(): WindowLike {
    const existing = liveWindow();
    if (existing !== null) {
      if (existing.isMinimized()) existing.restore();
      existing.show();
      existing.focus();
      return existing;
    }
    const windowOptions: BrowserWindowConstructorOptions = {
      title: '五码 wuma',
      width: 1280,
      height: 800,
      minWidth: 1024,
      minHeight: 700,
      backgroundColor: '#101418',
      autoHideMenuBar: true,
      kiosk: options.kiosk,
      fullscreen: options.kiosk,
      webPreferences: secureWebPreferences(options.preloadPath, options.devTools),
    };
    const w = new electron.BrowserWindow(windowOptions);
    window = w;
    // Closing the window only drops our reference: edge and its supervisor carry on.
    w.on('closed', () => { if (window === w) window = null; });
    w.webContents.on('render-process-gone', (_event, details) => {
      log.warn('renderer gone; the line keeps running', { reason: details.reason });
      if (details.reason === 'clean-exit' || w.isDestroyed()) return;
      const now = Date.now();
      while (crashes.length > 0 && now - crashes[0]! > 60_000) crashes.shift();
      if (crashes.length >= MAX_RELOADS_PER_MINUTE) return;
      crashes.push(now);
      w.webContents.reload();
    });
    load(w, options.edge.status);
    return w;
  }

  function makeTray(iconPath: string): void {
    tray = new electron.Tray(iconPath);
    tray.setToolTip('五码 wuma');
    tray.setContextMenu(electron.Menu.buildFromTemplate([
      { label: '显示窗口 (Show window)', click: () => { showWindow(); } },
      { label: '重启 edge (Restart edge)', enabled: options.edge.restart !== null, click: () => { void options.edge.restart?.(); } },
      { type: 'separator' },
      { label: '退出界面，产线继续运行 (Quit the UI; the line keeps running)', click: () => { electron.app.quit(); } },
    ]));
    tray.on('click', () => { showWindow(); });
  }

  return {
    async start() {
      await electron.app.whenReady();
      // No application menu: no reload / devtools shortcuts for the operator.
      electron.Menu.setApplicationMenu(null);
      const session = electron.session.defaultSession;
      applySessionPolicy(session, origin);
      if (options.tokenCookie !== undefined) {
        await session.cookies.set({ url: origin, name: options.tokenCookie, value: options.apiToken(), httpOnly: true, sameSite: 'strict' });
      }
      if (options.trayIconPath !== undefined) makeTray(options.trayIconPath);
      showWindow();
    },
    showWindow,
    get window() { return liveWindow(); },
  };
}
