/**
 * Preload of the wuma window: contextBridge only. It exposes `window.wuma`, one function per operation of the
 * typed channel map; the page never sees `ipcRenderer`, a channel name or a generic `send`.
 *
 * The window is sandboxed, so this runs as one self-contained CommonJS script that may `require('electron')` and
 * nothing else: `build-preload.ts` strips the types and writes `preload.cjs`, which main loads. Hence the
 * `import type` from desktop/shared (erased) and no other imports.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type {
  EdgeStatus, IpcArgs, IpcEventChannel, IpcEventChannels, IpcInvokeChannel, IpcResponse, WumaBridge,
} from '../shared/ipc-channels.ts';

function invoke<C extends IpcInvokeChannel>(channel: C, ...args: IpcArgs<C>): Promise<IpcResponse<C>> {
  return ipcRenderer.invoke(channel, ...args) as Promise<IpcResponse<C>>;
}

function subscribe<C extends IpcEventChannel>(channel: C, listener: (payload: IpcEventChannels[C]) => void): () => void {
  // The Electron event object is not handed to the page (it carries `sender`); only the payload is.
  const wrapped = (_event: unknown, payload: IpcEventChannels[C]): void => listener(payload);
  ipcRenderer.on(channel, wrapped);
  return () => { ipcRenderer.removeListener(channel, wrapped); };
}

const bridge: WumaBridge = {
  getApiToken: () => invoke('app:getApiToken'),
  getVersion: () => invoke('app:getVersion'),
  getEdgeStatus: () => invoke('edge:getStatus'),
  restartEdge: () => invoke('edge:restart'),
  setKiosk: (on: boolean) => invoke('app:setKiosk', on === true),
  onEdgeStatus: (listener: (status: EdgeStatus) => void) => subscribe('edge:status', listener),
};

contextBridge.exposeInMainWorld('wuma', bridge);
