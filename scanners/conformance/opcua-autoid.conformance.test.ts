import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpcuaServerProcess, type OpcuaServerProcess } from '../../test/support/opcua-server-process.ts';
import { createReader } from '../drivers/registry.ts';
import { runReaderConformance } from './reader.case.ts';

/**
 * OPC UA AutoID driver against the AutoID emulator running in its own process (one server for the whole file:
 * startup loads the DI + AutoID nodesets, ≈ 1 s). Each case re-feeds the same server. The full suite runs in
 * `Scan` mode (results in the method reply); `ScanStart` mode (results as OpticalScanEventType events) gets
 * the cases that differ.
 */
let server: OpcuaServerProcess | null = null;
beforeAll(async () => {
  server = await startOpcuaServerProcess();
  // node-opcua creates its client certificate and a few process-wide handles on first use: do that here,
  // outside the per-test leak check.
  const warm = createReader({ kind: 'opcua', endpoint: { kind: 'opcua', url: server.endpointUrl } });
  await warm.open();
  await warm.close();
});
afterAll(async () => { await server?.close(); });

const current = (): OpcuaServerProcess => {
  if (server === null) throw new Error('OPC UA emulator process not started');
  return server;
};

runReaderConformance({
  name: 'OPC UA AutoID OpticalReaderDeviceType (Scan method)',
  lacks: [
    { capability: 'byte-faults', reason: 'OPC UA 帧由协议栈处理 (OPC UA framing belongs to the SDK; no byte stream to damage)' },
    { capability: 'restart', reason: '共享的服务器进程 (one shared server process per file keeps the suite fast)' },
  ],
  async start(reads) {
    const srv = current();
    await srv.control({ op: 'feed', reads: reads.length === 0 ? [[]] : reads });
    await srv.control({ op: 'faults', noReads: 0, notReady: false, dropEvents: 0, delayMs: 0 });
    return {
      config: (overrides = {}) => ({ kind: 'opcua', endpoint: { kind: 'opcua', url: srv.endpointUrl }, ...overrides }),
      fire: async () => { await srv.control({ op: 'fire' }); },
      silence: async () => { await srv.control({ op: 'faults', delayMs: 1_500 }); },
      stop: async () => { await srv.control({ op: 'faults', delayMs: 0 }); },
    };
  },
});

describe('OPC UA AutoID ScanStart mode (results as OpticalScanEventType events)', () => {
  it('reads 24 codes from one event, reports NO_IDENTIFIER as a no-read, and times out when no event comes', async () => {
    const srv = current();
    const caps = Array.from({ length: 24 }, (_, i) => `CAP-${i}`);
    await srv.control({ op: 'feed', reads: [caps, [], ['CAP-LATE']] });
    await srv.control({ op: 'faults', noReads: 0, notReady: false, dropEvents: 0, delayMs: 0 });
    const reader = createReader({ kind: 'opcua', endpoint: { kind: 'opcua', url: srv.endpointUrl }, triggerTimeoutMs: 1_500, options: { mode: 'scan-start' } });
    try {
      await reader.open();
      const first = await reader.trigger();
      expect(first.kind).toBe('read');
      if (first.kind === 'read') expect(first.codes.map((c) => c.text)).toEqual(caps);
      expect(await reader.trigger()).toMatchObject({ kind: 'no-read', cause: 'reader' });
      await srv.control({ op: 'faults', dropEvents: 1 });
      expect(await reader.trigger({ timeoutMs: 300 })).toMatchObject({ kind: 'no-read', cause: 'timeout' });
    } finally {
      await reader.close();
    }
  });

  it('turns DEVICE_NOT_READY into a PROTOCOL error naming the status', async () => {
    const srv = current();
    await srv.control({ op: 'faults', notReady: true });
    const reader = createReader({ kind: 'opcua', endpoint: { kind: 'opcua', url: srv.endpointUrl } });
    try {
      await reader.open();
      await expect(reader.trigger()).rejects.toMatchObject({ code: 'PROTOCOL', message: expect.stringContaining('DEVICE_NOT_READY') });
      expect(reader.state).toBe('ready');
    } finally {
      await srv.control({ op: 'faults', notReady: false });
      await reader.close();
    }
  });
});
