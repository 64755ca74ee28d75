import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { IPC_INVOKE_CHANNELS, type WumaBridge } from '../shared/ipc-channels.ts';
import { buildPreload, PRELOAD_OUTPUT, PRELOAD_SOURCE } from './build-preload.ts';

/** Runs the built preload as Electron's sandbox would: a script with a `require` that knows only `electron`. */
function runPreload(code: string) {
  const exposed = new Map<string, unknown>();
  const invoked: unknown[][] = [];
  const listeners = new Map<string, ((...args: unknown[]) => void)[]>();
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => { exposed.set(key, api); } },
    ipcRenderer: {
      invoke: async (...args: unknown[]) => { invoked.push(args); return `answer:${String(args[0])}`; },
      on: (channel: string, l: (...args: unknown[]) => void) => { listeners.set(channel, [...(listeners.get(channel) ?? []), l]); },
      removeListener: (channel: string, l: (...args: unknown[]) => void) => { listeners.set(channel, (listeners.get(channel) ?? []).filter((x) => x !== l)); },
    },
  };
  const required: string[] = [];
  runInNewContext(code, { require: (name: string) => { required.push(name); if (name !== 'electron') throw new Error(name); return electron; } });
  return { exposed, invoked, listeners, required };
}

describe('preload', () => {
  it('the committed preload.cjs is the build of preload/index.ts (run node desktop/main/build-preload.ts)', () => {
    expect(readFileSync(PRELOAD_OUTPUT, 'utf8')).toBe(buildPreload(readFileSync(PRELOAD_SOURCE, 'utf8')));
  });

  it('exposes window.wuma with one function per operation and requires only electron', async () => {
    const { exposed, invoked, listeners, required } = runPreload(readFileSync(PRELOAD_OUTPUT, 'utf8'));
    expect(required).toEqual(['electron']);
    expect([...exposed.keys()]).toEqual(['wuma']);
    const wuma = exposed.get('wuma') as WumaBridge;
    expect(Object.keys(wuma).sort()).toEqual(['getApiToken', 'getEdgeStatus', 'getVersion', 'onEdgeStatus', 'restartEdge', 'setKiosk']);
    expect(await wuma.getApiToken()).toBe('answer:app:getApiToken');
    await wuma.getVersion();
    await wuma.getEdgeStatus();
    await wuma.restartEdge();
    await wuma.setKiosk(true);
    expect(invoked).toEqual([['app:getApiToken'], ['app:getVersion'], ['edge:getStatus'], ['edge:restart'], ['app:setKiosk', true]]);
    expect(new Set(invoked.map((c) => c[0]))).toEqual(new Set(IPC_INVOKE_CHANNELS));

    const seen: unknown[] = [];
    const off = wuma.onEdgeStatus((s) => seen.push(s));
    for (const l of listeners.get('edge:status') ?? []) l({ sender: 'secret' }, { kind: 'running', pid: 1, restarts: 0 });
    expect(seen).toEqual([{ kind: 'running', pid: 1, restarts: 0 }]);
    off();
    expect(listeners.get('edge:status')).toEqual([]);
  });

  it('refuses a preload that imports anything but electron', () => {
    expect(() => buildPreload("import { contextBridge } from 'electron';\nimport { x } from './x.ts';\n")).toThrow(/只能引入 electron/);
    expect(() => buildPreload("const fs = require('node:fs');\n")).toThrow(/import/);
    expect(() => buildPreload("import { contextBridge } from 'electron';\nconst fs = require('node:fs');\n")).toThrow(/require electron/);
  });
});
