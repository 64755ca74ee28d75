import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONFORMANCE_TIMING } from '../plc-port.case.ts';
import type { PlcEvent } from '../plc-port.ts';
import { DEFAULT_OPCUA_TAGS } from '../opcua-tag-map.ts';
import { OpcuaPlc } from './opcua-plc.ts';
import { startControlledPeer, type ControlledPeer } from '../../../test/support/pymodbus.ts';
import { startFaultProxy, type FaultProxy } from '../../../test/support/fault-proxy.ts';

// The driver loads node-opcua on connect (≈ 1 s, and a stdin pipe it keeps): load it before the leak baseline.
beforeAll(async () => { await import('node-opcua'); });

/**
 * Triggers across a reconnect (issue 3/4): the OPC UA driver against the PLC emulator in its own process
 * (test/support/opcua-plc-child.ts). A PLC restart is the process killed (SIGKILL) and a new one started on the same
 * port with the counter the line reached meanwhile; a link outage is a TCP fault proxy partition, during which the
 * server keeps the subscription and queues events. Every wait is bounded by a deadline.
 */
const CHILD = join(import.meta.dirname, '..', '..', '..', 'test', 'support', 'opcua-plc-child.ts');
type Ready = { endpointUrl: string; port: number };

const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  // Reverse order: a PLC process is closed before the driver, so the driver's close() must not wait for it.
  for (const close of open.splice(0).reverse()) await close();
});

async function startPlc(port: number, counter: number): Promise<ControlledPeer<Ready>> {
  const peer = await startControlledPeer<Ready>(process.execPath, [CHILD, String(port), String(counter)]);
  open.push(() => peer.close());
  return peer;
}

/** SIGKILL, then wait until the child is reaped (its `exit` has been handled, so close() writes no stdin). */
async function killPlc(peer: ControlledPeer<Ready>): Promise<void> {
  process.kill(peer.pid, 'SIGKILL');
  await until(() => { try { process.kill(peer.pid, 0); return false; } catch { return true; } }, 5_000, 'PLC process reaped');
  await peer.close();
}

async function until(done: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function connect(endpointUrl: string): Promise<{ plc: OpcuaPlc; events: PlcEvent[] }> {
  const plc = new OpcuaPlc({ endpointUrl, tags: DEFAULT_OPCUA_TAGS, timing: CONFORMANCE_TIMING });
  const events: PlcEvent[] = [];
  plc.onEvent((e) => { if (e.kind !== 'heartbeat-lost' && e.kind !== 'heartbeat-restored') events.push(e); });
  await plc.connect();
  open.push(() => plc.close());
  return { plc, events };
}

const kinds = (events: readonly PlcEvent[]): string[] => events.map((e) => e.kind);
const triggers = (events: readonly PlcEvent[]): { counter: number; advancedBy: number }[] =>
  events.flatMap((e) => (e.kind === 'trigger' ? [{ counter: e.trigger.counter, advancedBy: e.trigger.advancedBy }] : []));
const lastCounter = (events: readonly PlcEvent[]): number => triggers(events).at(-1)?.counter ?? -1;

describe('OPC UA driver: triggers across a PLC restart', () => {
  it('reports the counter advanced while the PLC was down as trigger-resync, without a trigger burst', async () => {
    const first = await startPlc(0, 0);
    const port = first.ready.port;
    const { events } = await connect(first.ready.endpointUrl);
    await first.control({ op: 'trigger', count: 1 });
    await first.control({ op: 'trigger', count: 1 });
    await first.control({ op: 'trigger', count: 1 });
    await until(() => lastCounter(events) === 3, 5_000, 'triggers 1..3');

    await killPlc(first);
    await until(() => kinds(events).includes('connection-lost'), 10_000, 'connection-lost');
    // The line ran on: 5 cases passed while the PLC's OPC UA server was down; it comes back counting from 8.
    const second = await startPlc(port, 8);
    await until(() => kinds(events).includes('trigger-resync'), 20_000, 'trigger-resync');
    await second.control({ op: 'trigger', count: 1 });
    await until(() => lastCounter(events) === 9, 5_000, 'trigger 9');

    expect(kinds(events)).toEqual(['trigger', 'trigger', 'trigger', 'connection-lost', 'connection-restored', 'trigger-resync', 'trigger']);
    expect(events.find((e) => e.kind === 'trigger-resync')).toEqual({ kind: 'trigger-resync', previous: 3, current: 8 });
    expect(triggers(events)).toEqual([1, 2, 3, 9].map((counter) => ({ counter, advancedBy: 1 })));
  });

  it('reports a counter that restarted from 0 (counter behind the last event) and counts on from there', async () => {
    const first = await startPlc(0, 40);
    const port = first.ready.port;
    const { events } = await connect(first.ready.endpointUrl);
    await first.control({ op: 'trigger', count: 2 });
    await until(() => lastCounter(events) === 42, 5_000, 'trigger 42');

    await killPlc(first);
    await until(() => kinds(events).includes('connection-lost'), 10_000, 'connection-lost');
    // The PLC restarted with its counter at 0 and one case has passed since.
    const second = await startPlc(port, 1);
    await until(() => kinds(events).includes('trigger-resync'), 20_000, 'trigger-resync');
    await second.control({ op: 'trigger', count: 1 });
    await until(() => lastCounter(events) === 2, 5_000, 'trigger 2');

    expect(events.find((e) => e.kind === 'trigger-resync')).toEqual({ kind: 'trigger-resync', previous: 42, current: 1 });
    expect(triggers(events)).toEqual([{ counter: 42, advancedBy: 2 }, { counter: 2, advancedBy: 1 }]);
  });
});

describe('OPC UA driver: triggers across a link outage (server keeps the subscription)', () => {
  async function throughProxy(): Promise<{ proxy: FaultProxy; plc: ControlledPeer<Ready>; events: PlcEvent[] }> {
    const plc = await startPlc(0, 0);
    const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: plc.ready.port } });
    open.push(() => proxy.close());
    const { events } = await connect(`opc.tcp://127.0.0.1:${proxy.port}`);
    return { proxy, plc, events };
  }

  it('a short outage without counter movement raises no trigger-resync', async () => {
    const { proxy, plc, events } = await throughProxy();
    await plc.control({ op: 'trigger', count: 1 });
    await until(() => lastCounter(events) === 1, 5_000, 'trigger 1');
    proxy.partition(300);
    await until(() => kinds(events).includes('connection-restored'), 20_000, 'connection-restored');
    // Past the drain and confirm periods (4 publishing intervals each, ≥ 50 ms), then one more trigger.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await plc.control({ op: 'trigger', count: 1 });
    await until(() => lastCounter(events) === 2, 5_000, 'trigger 2');
    expect(kinds(events)).toEqual(['trigger', 'connection-lost', 'connection-restored', 'trigger']);
    expect(triggers(events)).toEqual([{ counter: 1, advancedBy: 1 }, { counter: 2, advancedBy: 1 }]);
  });

  it('triggers during a short outage are accounted once: as late triggers or as a resync, never lost', async () => {
    const { proxy, plc, events } = await throughProxy();
    proxy.partition(300);
    await until(() => kinds(events).includes('connection-lost'), 10_000, 'connection-lost');
    for (let i = 0; i < 3; i++) await plc.control({ op: 'trigger', count: 1 });
    const accounted = (): number => events.reduce((n, e) => n + (e.kind === 'trigger' ? e.trigger.advancedBy : e.kind === 'trigger-resync' ? e.current - e.previous : 0), 0);
    await until(() => accounted() >= 3, 20_000, 'the 3 outage triggers accounted for');
    // node-opcua 2.186 transfers the subscription but the events queued for the dead channel do not come back
    // (the server resends only a DataChangeNotification, which the client ignores for an event item), so in
    // practice this is a resync; either way the total is exact and nothing is counted twice.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await plc.control({ op: 'trigger', count: 1 });
    await until(() => lastCounter(events) === 4, 5_000, 'trigger 4');
    expect(accounted()).toBe(4);
    expect(triggers(events).at(-1)).toEqual({ counter: 4, advancedBy: 1 });
    expect(kinds(events).slice(0, 2)).toEqual(['connection-lost', 'connection-restored']);
  });
});
