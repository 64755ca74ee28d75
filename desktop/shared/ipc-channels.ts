/**
 * The one typed IPC map between Electron main (`desktop/main`) and preload (`desktop/preload`), in the shape of
 * GitHub Desktop's `ipc-shared.ts`: main's handlers and preload's functions are both typed against it, so a
 * renamed channel or a changed payload fails the typecheck on both sides.
 *
 * Types only, plus the list of channel names. Preload imports this file with `import type` only: a sandboxed
 * preload is one self-contained script (see `desktop/preload/build-preload.ts`).
 */

/** What the renderer may know about the edge process that the shell supervises. */
export type EdgeStatus =
  | { readonly kind: 'starting'; readonly pid: number | null; readonly restarts: number }
  | { readonly kind: 'running'; readonly pid: number | null; readonly restarts: number }
  | { readonly kind: 'backoff'; readonly restarts: number; readonly retryInMs: number; readonly lastExit: string }
  | { readonly kind: 'stopped'; readonly restarts: number }
  /** The shell attached to an edge it did not start (`--attach`): it neither restarts nor stops it. */
  | { readonly kind: 'external' };

export interface AppVersions {
  readonly app: string;
  readonly electron: string;
  readonly chrome: string;
  readonly node: string;
}

export type RestartEdgeResult = { readonly kind: 'restarting' } | { readonly kind: 'not-supervised' };

/** Renderer → main requests (`ipcRenderer.invoke` / `ipcMain.handle`). `void` means no argument. */
export interface IpcInvokeChannels {
  /** The per-launch token for edge's local API; handed over here, never in the page URL. */
  'app:getApiToken': { readonly request: void; readonly response: string };
  'app:getVersion': { readonly request: void; readonly response: AppVersions };
  'edge:getStatus': { readonly request: void; readonly response: EdgeStatus };
  /** Restarts the supervised edge at once (no backoff). The renderer offers this to IT / admin only. */
  'edge:restart': { readonly request: void; readonly response: RestartEdgeResult };
  /** Turns kiosk mode on or off; answers the mode now in effect. The renderer offers "off" to IT / admin only. */
  'app:setKiosk': { readonly request: boolean; readonly response: boolean };
}

/** Main → renderer pushes (`webContents.send` / `ipcRenderer.on`). */
export interface IpcEventChannels {
  'edge:status': EdgeStatus;
}

export type IpcInvokeChannel = keyof IpcInvokeChannels;
export type IpcRequest<C extends IpcInvokeChannel> = IpcInvokeChannels[C]['request'];
export type IpcResponse<C extends IpcInvokeChannel> = IpcInvokeChannels[C]['response'];
/** The argument list of a channel: none for `void`, else exactly one. */
export type IpcArgs<C extends IpcInvokeChannel> = IpcRequest<C> extends void ? [] : [IpcRequest<C>];
export type IpcEventChannel = keyof IpcEventChannels;

/** Every invoke channel; main registers exactly these, and a test checks preload uses exactly these. */
export const IPC_INVOKE_CHANNELS = [
  'app:getApiToken',
  'app:getVersion',
  'edge:getStatus',
  'edge:restart',
  'app:setKiosk',
] as const satisfies readonly IpcInvokeChannel[];

/**
 * What preload exposes as `window.wuma`: one function per operation, nothing generic. The renderer reads it
 * through `desktop/renderer/shell-bridge.ts` (null in a plain browser, where its controls are not shown); the IT
 * screen's desktop-app panel (`desktop/renderer/components/shell-panel.ts`) uses the status, version, restart
 * and kiosk operations.
 */
export interface WumaBridge {
  getApiToken(): Promise<string>;
  getVersion(): Promise<AppVersions>;
  getEdgeStatus(): Promise<EdgeStatus>;
  restartEdge(): Promise<RestartEdgeResult>;
  setKiosk(on: boolean): Promise<boolean>;
  /** Calls `listener` on every edge status change; returns the unsubscribe function. */
  onEdgeStatus(listener: (status: EdgeStatus) => void): () => void;
}

/** Compile-time check: the list above names every channel of the map (a missing one fails the typecheck). */
type UnlistedChannel = Exclude<IpcInvokeChannel, (typeof IPC_INVOKE_CHANNELS)[number]>;
export const EVERY_CHANNEL_LISTED: [UnlistedChannel] extends [never] ? true : false = true;
