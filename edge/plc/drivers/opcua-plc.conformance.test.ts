import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describePlcConformance, CONFORMANCE_TIMING, type PlcPeer, type PeerSnapshot } from '../plc-port.case.ts';
import { OpcuaPlc } from './opcua-plc.ts';
import { DEFAULT_OPCUA_TAGS, parseOpcuaTagMap } from '../opcua-tag-map.ts';
import { PlcError } from '../errors.ts';
import { startControlledPeer, type ControlledPeer } from '../../../test/support/pymodbus.ts';

// The driver loads node-opcua on connect (≈ 1 s, and a stdin pipe it keeps): load it before the leak baseline.
beforeAll(async () => { await import('node-opcua'); });

/**
 * The OPC UA driver against `wuma emulate plc opcua` running in its own process (there is no independent OPC UA
 * peer offline; notes/devices.md §5). One server per file (≈1.5 s start-up), reset between cases; a fresh client
 * session per case.
 */
const WUMA = join(import.meta.dirname, '..', '..', '..', 'bin', 'wuma.js');
let server: ControlledPeer<{ endpointUrl: string }>;

beforeAll(async () => {
  server = await startControlledPeer<{ endpointUrl: string }>(process.execPath, [WUMA, 'emulate', 'plc', 'opcua', '--port', '0', '--json', '--control']);
});
afterAll(async () => {
  await server.close();
});

describePlcConformance('opcua ↔ wuma OPC UA emulator (own process)', async () => {
  await server.control({ op: 'reset' });
  const peer: PlcPeer = {
    advanceTrigger: async (count) => { await server.control({ op: 'trigger', count }); },
    setConfirm: async (c) => { await server.control({ op: 'confirm', ...c }); },
    setPackmlState: async (state) => { await server.control({ op: 'packml', state }); },
    setHeartbeat: async (ms) => { await server.control({ op: 'heartbeat', ms }); },
    snapshot: async () => (await server.control<{ snapshot: PeerSnapshot }>({ op: 'snapshot' })).snapshot,
  };
  const port = new OpcuaPlc({ endpointUrl: server.ready.endpointUrl, tags: DEFAULT_OPCUA_TAGS, timing: CONFORMANCE_TIMING });
  await port.connect();
  return { port, peer, close: () => port.close() };
});

describe('OPC UA driver configuration errors', () => {
  it('names the missing namespace when the tag map points elsewhere', async () => {
    const port = new OpcuaPlc({ endpointUrl: server.ready.endpointUrl, tags: parseOpcuaTagMap({ namespaceUri: 'urn:nowhere' }), timing: CONFORMANCE_TIMING });
    const error = await port.connect().then(() => null, (e: unknown) => e);
    await port.close();
    expect((error as PlcError).code).toBe('PLC_PROTOCOL');
    expect((error as PlcError).message).toContain('urn:nowhere');
  });

  it('rejects an empty node identifier with its field path', () => {
    expect(() => parseOpcuaTagMap({ variables: { lineStop: '' } })).toThrow(/variables\.lineStop/);
    expect(() => parseOpcuaTagMap({ variables: { lineStopp: 'x' } })).toThrow(/variables\.lineStopp/);
  });
});
