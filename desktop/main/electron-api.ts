/**
 * The part of Electron's main-process API that the shell uses, as structural types. `createShell` takes it as a
 * parameter, so tests pass a fake Electron (a fake `BrowserWindow`, `app`, `ipcMain`, `session`) and production
 * passes the real module; `RealElectronFits` below makes the typecheck fail if the real module stops fitting.
 */
import type { BrowserWindowConstructorOptions, MenuItemConstructorOptions } from 'electron';

export interface PreventableEvent {
  preventDefault(): void;
}

export interface FrameLike {
  readonly url: string;
  readonly parent: FrameLike | null;
}

/** What an `ipcMain.handle` listener receives as its event. */
export interface InvokeEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: FrameLike | null;
}

export interface WebContentsLike {
  readonly id: number;
  on(event: 'will-navigate', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-redirect', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'render-process-gone', listener: (event: unknown, details: { readonly reason: string }) => void): unknown;
  setWindowOpenHandler(handler: (details: { readonly url: string }) => { action: 'deny' }): void;
  send(channel: string, ...args: unknown[]): void;
  reload(): void;
  isDestroyed(): boolean;
}

export interface WindowLike {
  readonly webContents: WebContentsLike;
  loadURL(url: string): Promise<void>;
  on(event: 'closed', listener: () => void): unknown;
  show(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isDestroyed(): boolean;
  setKiosk(flag: boolean): void;
  isKiosk(): boolean;
}

export interface HeadersDetails {
  readonly url: string;
  readonly responseHeaders?: Record<string, string[]>;
}

export interface CookieDetails {
  readonly url: string;
  readonly name: string;
  readonly value: string;
  readonly httpOnly?: boolean;
  readonly secure?: boolean;
  readonly sameSite?: 'unspecified' | 'no_restriction' | 'lax' | 'strict';
}

export interface SessionLike {
  readonly cookies: { set(details: CookieDetails): Promise<void> };
  readonly webRequest: {
    onHeadersReceived(
      filter: { urls: string[] },
      listener: (details: HeadersDetails, callback: (response: { responseHeaders?: Record<string, string[]> }) => void) => void,
    ): void;
    onBeforeRequest(listener: (details: { readonly url: string }, callback: (response: { cancel?: boolean }) => void) => void): void;
  };
  setPermissionRequestHandler(
    handler: (contents: unknown, permission: string, callback: (granted: boolean) => void, details: { readonly requestingUrl: string }) => void,
  ): void;
  setPermissionCheckHandler(handler: (contents: unknown, permission: string, requestingOrigin: string) => boolean): void;
}

export interface TrayLike {
  setToolTip(toolTip: string): void;
  setContextMenu(menu: object | null): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface ElectronApi {
  readonly app: {
    whenReady(): Promise<void>;
    on(event: 'window-all-closed', listener: () => void): unknown;
    on(event: 'second-instance', listener: () => void): unknown;
    on(event: 'activate', listener: () => void): unknown;
    on(event: 'before-quit', listener: () => void): unknown;
    on(event: 'web-contents-created', listener: (event: unknown, contents: WebContentsLike) => void): unknown;
    quit(): void;
    getVersion(): string;
  };
  readonly BrowserWindow: new (options: BrowserWindowConstructorOptions) => WindowLike;
  readonly ipcMain: {
    handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
    removeHandler(channel: string): void;
  };
  readonly session: { readonly defaultSession: SessionLike };
  readonly Menu: {
    buildFromTemplate(template: MenuItemConstructorOptions[]): object;
    setApplicationMenu(menu: null): void;
  };
  readonly Tray: new (image: string) => TrayLike;
}

/** Compile-time check that the real `electron` module is a valid `ElectronApi`. */
type RealElectronFits = typeof import('electron') extends ElectronApi ? true : false;
export const REAL_ELECTRON_FITS: RealElectronFits = true;
