/**
 * The Electron shell (`desktop/main/create-shell.ts`) loaded with a fake Electron — fake `app`, `BrowserWindow`,
 * `ipcMain`, `session`, `Menu`, `Tray` — and a real edge stand-in process under the real `EdgeSupervisor`.
 * Electron's binary cannot be downloaded here, so this is how the window's security settings, the IPC sender
 * checks and "closing the window never stops the line" are shown.
 */
import type { BrowserWindowConstructorOptions, MenuItemConstructorOptions } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { createShell, type Shell } from '../../desktop/main/create-shell.ts';
import { externalEdge, supervisedEdge } from '../../desktop/main/edge-status.ts';
import { EdgeSupervisor, isAlive } from '../../desktop/main/edge-supervisor.ts';
import type {
  CookieDetails, ElectronApi, HeadersDetails, InvokeEventLike, PreventableEvent, SessionLike, TrayLike, WebContentsLike, WindowLike,
} from '../../desktop/main/electron-api.ts';
import { ShellError } from '../../desktop/main/errors.ts';
import { canConnect, freePort, waitForPort } from '../../desktop/main/wait-for-port.ts';
import { IPC_INVOKE_CHANNELS } from '../../desktop/shared/ipc-channels.ts';

const FAKE_EDGE = fileURLToPath(new URL('../../desktop/main/fixtures/fake-edge.ts', import.meta.url));
type Listener = (...args: unknown[]) => unknown;

class Emitter {
  readonly listeners = new Map<string, Listener[]>();
  on(event: string, listener: (...args: never[]) => unknown): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener as Listener]);
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) l(...args);
  }
}

class FakeEvent implements PreventableEvent {
  prevented = false;
  preventDefault(): void { this.prevented = true; }
}

let nextContentsId = 1;

class FakeWebContents extends Emitter implements WebContentsLike {
  readonly id = nextContentsId++;
  openHandler: ((details: { readonly url: string }) => { action: 'deny' }) | null = null;
  readonly sent: [string, unknown][] = [];
  reloads = 0;
  destroyed = false;
  setWindowOpenHandler(handler: (details: { readonly url: string }) => { action: 'deny' }): void { this.openHandler = handler; }
  send(channel: string, ...args: unknown[]): void { this.sent.push([channel, args[0]]); }
  reload(): void { this.reloads += 1; }
  isDestroyed(): boolean { return this.destroyed; }
}

/** A fake Electron with just enough behaviour: windows announce their web contents to `app` as Electron does. */
function fakeElectron() {
  const app = new (class extends Emitter {
    quits = 0;
    async whenReady(): Promise<void> { /* ready at once */ }
    quit(): void { this.quits += 1; this.emit('before-quit'); }
    getVersion(): string { return '0.1.0'; }
  })();
  const windows: FakeBrowserWindow[] = [];
  class FakeBrowserWindow extends Emitter implements WindowLike {
    readonly webContents = new FakeWebContents();
    readonly loaded: string[] = [];
    destroyed = false;
    kiosk: boolean;
    constructor(readonlyOptions: BrowserWindowConstructorOptions) {
      super();
      this.options = readonlyOptions;
      this.kiosk = readonlyOptions.kiosk === true;
      windows.push(this);
      app.emit('web-contents-created', {}, this.webContents);
    }
    readonly options: BrowserWindowConstructorOptions;
    async loadURL(url: string): Promise<void> { this.loaded.push(url); }
    show(): void {}
    focus(): void {}
    restore(): void {}
    isMinimized(): boolean { return false; }
    isDestroyed(): boolean { return this.destroyed; }
    setKiosk(flag: boolean): void { this.kiosk = flag; }
    isKiosk(): boolean { return this.kiosk; }
    /** What the user closing the window (or the window's process dying) does. */
    close(): void { this.destroyed = true; this.webContents.destroyed = true; this.emit('closed'); }
  }
  const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>();
  const ipcMain = {
    handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void { handlers.set(channel, listener); },
    removeHandler(channel: string): void { handlers.delete(channel); },
  };
  const cookies: CookieDetails[] = [];
  const web: {
    headers: ((d: HeadersDetails, cb: (r: { responseHeaders?: Record<string, string[]> }) => void) => void) | null;
    headerFilter: string[];
    before: ((d: { readonly url: string }, cb: (r: { cancel?: boolean }) => void) => void) | null;
    permission: ((c: unknown, p: string, cb: (g: boolean) => void, d: { readonly requestingUrl: string }) => void) | null;
    check: ((c: unknown, p: string, o: string) => boolean) | null;
  } = { headers: null, headerFilter: [], before: null, permission: null, check: null };
  const defaultSession: SessionLike = {
    cookies: { async set(details) { cookies.push(details); } },
    webRequest: {
      onHeadersReceived(filter, listener) { web.headerFilter = filter.urls; web.headers = listener; },
      onBeforeRequest(listener) { web.before = listener; },
    },
    setPermissionRequestHandler(handler) { web.permission = handler; },
    setPermissionCheckHandler(handler) { web.check = handler; },
  };
  const trays: { icon: string; menu: MenuItemConstructorOptions[] | null }[] = [];
  let applicationMenu: null | 'unset' = 'unset';
  const electron: ElectronApi = {
    app,
    BrowserWindow: FakeBrowserWindow,
    ipcMain,
    session: { defaultSession },
    Menu: {
      buildFromTemplate: (template) => ({ template }),
      setApplicationMenu: (menu) => { applicationMenu = menu; },
    },
    Tray: class implements TrayLike {
      readonly entry: { icon: string; menu: MenuItemConstructorOptions[] | null };
      constructor(icon: string) { this.entry = { icon, menu: null }; trays.push(this.entry); }
      setToolTip(): void {}
      setContextMenu(menu: object | null): void { this.entry.menu = (menu as { template: MenuItemConstructorOptions[] }).template; }
      on(): this { return this; }
      destroy(): void {}
    },
  };
  /** Calls a registered handler as `ipcRenderer.invoke` would: a throw becomes a rejection. */
  async function invoke(channel: string, event: InvokeEventLike, ...args: unknown[]): Promise<unknown> {
    const handler = handlers.get(channel);
    if (handler === undefined) throw new Error(`no handler for ${channel}`);
    return handler(event, ...args);
  }
  return { electron, app, windows, handlers, invoke, cookies, web, trays, get applicationMenu() { return applicationMenu; } };
}

/** An IPC event from a frame: main frame of `contents` showing `url` unless told otherwise. */
function ipcEvent(contents: { id: number }, url: string, subframe = false): InvokeEventLike {
  const top = { url, parent: null };
  return { sender: { id: contents.id }, senderFrame: subframe ? { url, parent: top } : top };
}

async function until(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('desktop shell with a fake Electron and a real edge process', () => {
  let dir: TempDir;
  let port: number;
  let origin: string;
  let supervisor: EdgeSupervisor;
  let fake: ReturnType<typeof fakeElectron>;
  let shell: Shell;
  let released: number[];
  const TOKEN = 'launch-token-3f9a';

  beforeEach(async () => {
    dir = makeTempDir('wuma-shell-');
    port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    supervisor = new EdgeSupervisor({
      spec: { command: process.execPath, args: [FAKE_EDGE, '--port', String(port)], logFile: join(dir.path, 'edge.log') },
      ready: (signal) => waitForPort(port, { signal }),
      backoff: { initialMs: 50, factor: 2, maxMs: 200, stableMs: 10_000 },
      killTimeoutMs: 2_000,
    });
    supervisor.start();
    await until('edge running', () => supervisor.state.kind === 'running');
    fake = fakeElectron();
    released = [];
    shell = createShell(fake.electron, {
      edgeUrl: `${origin}/`,
      apiToken: () => TOKEN,
      tokenCookie: 'wuma_token',
      edge: supervisedEdge(supervisor),
      preloadPath: '/app/desktop/preload/preload.cjs',
      kiosk: false,
      devTools: false,
      versions: { electron: '45.4.1', chrome: '142', node: '24' },
      trayIconPath: '/app/desktop/main/assets/tray.png',
      onQuit: () => { const pid = supervisor.pid; supervisor.release(); if (pid !== null) released.push(pid); },
    });
    await shell.start();
  });

  afterEach(async () => {
    await supervisor.stop();
    for (const pid of released) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      await until(`released edge ${pid} to end`, () => !isAlive(pid));
    }
    dir.remove();
  });

  it('opens one window with contextIsolation, sandbox, no Node integration and webSecurity', () => {
    expect(fake.windows).toHaveLength(1);
    const prefs = fake.windows[0]!.options.webPreferences!;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      devTools: false,
      preload: '/app/desktop/preload/preload.cjs',
    });
    expect(fake.applicationMenu).toBeNull();
  });

  it('loads edge from its local URL and hands over the token by an httpOnly cookie, never in the URL', () => {
    const w = fake.windows[0]!;
    expect(w.loaded).toEqual([`${origin}/`]);
    expect(w.loaded.join(' ')).not.toContain(TOKEN);
    expect(fake.cookies).toEqual([{ url: origin, name: 'wuma_token', value: TOKEN, httpOnly: true, sameSite: 'strict' }]);
  });

  it('blocks navigation away from edge, new windows and webviews', () => {
    const contents = fake.windows[0]!.webContents;
    const away = new FakeEvent();
    contents.emit('will-navigate', away, 'https://evil.example/phish');
    expect(away.prevented).toBe(true);
    const file = new FakeEvent();
    contents.emit('will-navigate', file, 'file:///etc/passwd');
    expect(file.prevented).toBe(true);
    const otherPort = new FakeEvent();
    contents.emit('will-navigate', otherPort, `http://127.0.0.1:${port + 1}/`);
    expect(otherPort.prevented).toBe(true);
    const within = new FakeEvent();
    contents.emit('will-navigate', within, `${origin}/qa`);
    expect(within.prevented).toBe(false);
    const redirect = new FakeEvent();
    contents.emit('will-redirect', redirect, 'http://example.com/');
    expect(redirect.prevented).toBe(true);
    expect(contents.openHandler?.({ url: `${origin}/report.pdf` })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    const webview = new FakeEvent();
    contents.emit('will-attach-webview', webview, {}, {});
    expect(webview.prevented).toBe(true);
  });

  it('sets a strict CSP on edge responses, cancels requests elsewhere and denies permissions', () => {
    const { web } = fake;
    expect(web.headerFilter).toEqual([`${origin}/*`]);
    let headers: Record<string, string[]> | undefined;
    web.headers!({ url: `${origin}/`, responseHeaders: { 'Content-Type': ['text/html'] } }, (r) => { headers = r.responseHeaders; });
    const csp = headers!['Content-Security-Policy']![0]!;
    expect(headers!['Content-Type']).toEqual(['text/html']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${port}`);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');

    const cancelled = (url: string): boolean | undefined => { let c: boolean | undefined; web.before!({ url }, (r) => { c = r.cancel; }); return c; };
    expect(cancelled(`${origin}/api/openapi.json`)).toBe(false);
    expect(cancelled(`ws://127.0.0.1:${port}/api/ws`)).toBe(false);
    expect(cancelled('data:image/png;base64,AAAA')).toBe(false);
    expect(cancelled('https://cdn.example.com/lib.js')).toBe(true);
    expect(cancelled('http://10.0.0.5/')).toBe(true);
    expect(cancelled('file:///etc/passwd')).toBe(true);

    const granted = (permission: string, url: string): boolean | undefined => {
      let g: boolean | undefined; web.permission!({}, permission, (v) => { g = v; }, { requestingUrl: url }); return g;
    };
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'serial', 'hid', 'usb', 'clipboard-read']) {
      expect(granted(p, `${origin}/`), p).toBe(false);
    }
    expect(granted('fullscreen', `${origin}/`)).toBe(true);
    expect(granted('fullscreen', 'https://evil.example/')).toBe(false);
    expect(web.check!({}, 'media', origin)).toBe(false);
    expect(web.check!({}, 'clipboard-sanitized-write', origin)).toBe(true);
  });

  it('answers IPC from its own page and refuses a foreign frame, another web contents or a subframe', async () => {
    const contents = fake.windows[0]!.webContents;
    expect([...fake.handlers.keys()].sort()).toEqual([...IPC_INVOKE_CHANNELS].sort());
    await expect(fake.invoke('app:getApiToken', ipcEvent(contents, `${origin}/`))).resolves.toBe(TOKEN);
    await expect(fake.invoke('app:getVersion', ipcEvent(contents, `${origin}/`)))
      .resolves.toEqual({ app: '0.1.0', electron: '45.4.1', chrome: '142', node: '24' });
    await expect(fake.invoke('edge:getStatus', ipcEvent(contents, `${origin}/`))).resolves.toMatchObject({ kind: 'running' });

    const refusals: InvokeEventLike[] = [
      ipcEvent(contents, 'https://evil.example/'),
      ipcEvent(contents, `http://127.0.0.1:${port + 1}/`),
      ipcEvent(contents, 'data:text/html,<p>hi</p>'),
      ipcEvent({ id: contents.id + 1000 }, `${origin}/`),
      ipcEvent(contents, `${origin}/`, true),
      { sender: { id: contents.id }, senderFrame: null },
    ];
    for (const event of IPC_INVOKE_CHANNELS.flatMap((c) => refusals.map((e) => [c, e] as const))) {
      const [channel, e] = event;
      const error = await fake.invoke(channel, e, ...(channel === 'app:setKiosk' ? [true] : [])).catch((err: unknown) => err);
      expect(error, `${channel} from ${e.senderFrame?.url ?? 'no frame'}`).toBeInstanceOf(ShellError);
      expect((error as ShellError).code).toBe('untrusted-sender');
      expect((error as ShellError).message).not.toContain(TOKEN);
    }
    expect(fake.windows[0]!.kiosk).toBe(false);
  });

  it('checks IPC arguments and applies kiosk mode', async () => {
    const contents = fake.windows[0]!.webContents;
    const own = ipcEvent(contents, `${origin}/`);
    await expect(fake.invoke('app:setKiosk', own, 'yes')).rejects.toMatchObject({ code: 'bad-request' });
    await expect(fake.invoke('app:getApiToken', own, 'extra')).rejects.toMatchObject({ code: 'bad-request' });
    await expect(fake.invoke('app:setKiosk', own, true)).resolves.toBe(true);
    expect(fake.windows[0]!.kiosk).toBe(true);
    await expect(fake.invoke('app:setKiosk', own, false)).resolves.toBe(false);
  });

  it('closing the window leaves edge running; a second launch or the tray opens a new window', async () => {
    const pid = supervisor.pid!;
    fake.windows[0]!.close();
    fake.app.emit('window-all-closed');
    expect(fake.app.quits).toBe(0);
    expect(shell.window).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(isAlive(pid)).toBe(true);
    expect(supervisor.state).toMatchObject({ kind: 'running', pid });
    expect(await canConnect('127.0.0.1', port)).toBe(true);

    // IPC from the closed window's contents is refused (it is no longer our window).
    await expect(fake.invoke('app:getApiToken', ipcEvent(fake.windows[0]!.webContents, `${origin}/`))).rejects.toMatchObject({ code: 'untrusted-sender' });

    fake.app.emit('second-instance');
    expect(fake.windows).toHaveLength(2);
    expect(fake.windows[1]!.loaded).toEqual([`${origin}/`]);
    expect(shell.window).toBe(fake.windows[1]);

    const menu = fake.trays[0]!.menu!;
    fake.windows[1]!.close();
    (menu[0]!.click as () => void)();
    expect(fake.windows).toHaveLength(3);
  });

  it('a renderer crash reloads the page (at most 3 times a minute) and never touches edge', () => {
    const pid = supervisor.pid!;
    const contents = fake.windows[0]!.webContents;
    for (let i = 0; i < 5; i += 1) contents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    expect(contents.reloads).toBe(3);
    expect(supervisor.state).toMatchObject({ kind: 'running', pid });
  });

  it('quitting the UI releases edge and leaves the line running', async () => {
    const pid = supervisor.pid!;
    const quit = fake.trays[0]!.menu!.find((item) => String(item.label).startsWith('退出'))!;
    (quit.click as () => void)();
    expect(released).toEqual([pid]);
    expect(supervisor.state).toEqual({ kind: 'released', pid });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(isAlive(pid)).toBe(true);
  });

  it('when edge dies the window shows the waiting page, pushes the status, and reloads edge once it is back', async () => {
    const w = fake.windows[0]!;
    const pid = supervisor.pid!;
    process.kill(pid, 'SIGKILL');
    await until('edge back', () => supervisor.state.kind === 'running' && supervisor.pid !== pid);
    const kinds = w.webContents.sent.filter(([c]) => c === 'edge:status').map(([, s]) => (s as { kind: string }).kind);
    expect(kinds).toEqual(['backoff', 'starting', 'running']);
    expect(w.loaded[1]).toMatch(/^data:text\/html/);
    expect(decodeURIComponent(w.loaded[1]!)).toContain('edge 已退出');
    expect(w.loaded.at(-1)).toBe(`${origin}/`);
  });

  it('edge:restart restarts a supervised edge; an attached edge is not restarted from the window', async () => {
    const contents = fake.windows[0]!.webContents;
    const before = supervisor.pid!;
    await expect(fake.invoke('edge:restart', ipcEvent(contents, `${origin}/`))).resolves.toEqual({ kind: 'restarting' });
    await until('restarted', () => supervisor.state.kind === 'running' && supervisor.pid !== before);

    const other = fakeElectron();
    const attached = createShell(other.electron, {
      edgeUrl: `${origin}/`, apiToken: () => TOKEN, edge: externalEdge(), preloadPath: '/p.cjs', kiosk: true, devTools: false,
      versions: { electron: '45', chrome: '142', node: '24' },
    });
    await attached.start();
    const w = other.windows[0]!;
    expect(w.options).toMatchObject({ kiosk: true, fullscreen: true });
    expect(w.loaded).toEqual([`${origin}/`]);
    expect(other.trays).toHaveLength(0);
    await expect(other.invoke('edge:restart', ipcEvent(w.webContents, `${origin}/`))).resolves.toEqual({ kind: 'not-supervised' });
    await expect(other.invoke('edge:getStatus', ipcEvent(w.webContents, `${origin}/`))).resolves.toEqual({ kind: 'external' });
  });
});
