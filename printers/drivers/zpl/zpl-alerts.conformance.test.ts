/**
 * ZPL ^SX alerts (ZPL II guide: ^SX Set ZebraNet Alert): golden setup bytes and alert lines pin the codec and the
 * emulator (which never imports the codec), and a ribbon-out alert faults the driver long before its next ~HS poll.
 */
import { readFileSync } from 'node:fs';
import { createServer, Socket, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { PrintResult, PrinterState } from '../../contract.ts';
import { createPrinter } from '../../create-printer.ts';
import type { EmulatorFaults } from '../../emulators/printer-emulator.ts';
import { ZplEmulator } from '../../emulators/zpl.ts';
import { alertSetup, parseAlert } from './codec.ts';

interface Fixture {
  readonly host: { readonly alertHost: string; readonly alertPort: number; readonly setup: string };
  readonly printer: ReadonlyArray<{ readonly knob: Partial<EmulatorFaults>; readonly line: string; readonly meaning: { fault: string; set: boolean } }>;
}
const f = JSON.parse(readFileSync(new URL('../../../test/fixtures/printers/zpl/sx-alerts.json', import.meta.url), 'utf8')) as Fixture;

const until = async (ms: number, done: () => boolean): Promise<void> => {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
};

describe('ZPL ^SX golden bytes (guide: ^SX)', () => {
  it('codec configures every condition to TCP host:port, on set and on clear', () => {
    expect(alertSetup(f.host.alertHost, f.host.alertPort)).toBe(f.host.setup);
  });

  it('codec reads the alert lines', () => {
    for (const p of f.printer) expect(parseAlert(p.line.trim())).toEqual(p.meaning);
    expect(parseAlert('PQ JOB COMPLETED')).toBeNull();
  });

  it('emulator, configured by the fixture bytes, pushes exactly the fixture lines as its knobs change', async () => {
    const received: string[] = [];
    const sockets = new Set<Socket>();
    const listener: Server = createServer((s) => {
      sockets.add(s);
      s.setEncoding('latin1');
      s.on('data', (d: string) => { received.push(d); });
    });
    await new Promise<void>((resolve) => { listener.listen(0, '127.0.0.1', resolve); });
    const address = listener.address();
    const port = address !== null && typeof address === 'object' ? address.port : 0;
    const emu = new ZplEmulator();
    const { host, port: printerPort } = await emu.listenTcp();
    const client = new Socket();
    try {
      await new Promise<void>((resolve) => { client.connect(printerPort, host, resolve); });
      client.write(f.host.setup.replaceAll(`,${f.host.alertPort}^`, `,${port}^`));
      await until(1_000, () => false);
      const want = f.printer.map((p) => p.line).join('');
      for (const p of f.printer) emu.set(p.knob);
      await until(2_000, () => received.join('').length >= want.length);
      expect(received.join('')).toBe(want);
      // Setting a knob to the value it already has sends nothing.
      emu.set({ headOpen: true });
      await until(100, () => false);
      expect(received.join('')).toBe(want);
    } finally {
      client.destroy();
      await emu.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => { listener.close(() => { resolve(); }); });
    }
  });
});

describe('ZPL driver with ^SX alerts over TCP', () => {
  it('a ribbon-out alert faults the printer before the next ~HS poll; the clear alert brings it back', async () => {
    const emu = new ZplEmulator({ printMs: 5_000 });
    const { host, port } = await emu.listenTcp();
    const pollMs = 60_000;
    const printer = createPrinter({
      kind: 'zpl', endpoint: { kind: 'tcp', host, port }, symbology: 'datamatrix', replyTimeoutMs: 400, confirmTimeoutMs: 30_000,
      options: { pollMs, alerts: 'tcp', alertHost: '127.0.0.1' },
    });
    const states: PrinterState[] = [];
    const sub = printer.onStateChange((s) => { states.push(s); });
    try {
      await printer.open();
      expect(printer.capabilities.asyncEvents).toBe(true);
      // One label on the head (printMs 5 s): in flight, unconfirmed, and no poll due for a minute.
      let settled: PrintResult | null = null;
      const pending = printer.print({ id: 'a', code: 'N7K2ABCDQ9' }).then((r) => { settled = r; return r; });
      await until(1_000, () => emu.accepted.length === 1);
      expect(printer.state).toBe('busy');
      const started = performance.now();
      // The printer goes silent on ~HS while the ribbon is out (guide: ~HS note): only the alert can tell.
      emu.set({ ribbonOut: true, silentWhenFaulted: true });
      await until(2_000, () => printer.state === 'faulted');
      const faultedAfterMs = performance.now() - started;
      expect(printer.state).toBe('faulted');
      expect((await printer.status()).faults).toEqual(['ribbon-out']);
      expect(faultedAfterMs).toBeLessThan(pollMs);
      // The label in flight may or may not be printed: unknown, never printed or rejected.
      expect(await pending).toMatchObject({ kind: 'unknown' });
      expect(settled).not.toBeNull();
      expect(await printer.print({ id: 'b', code: 'N7K2ABCDQ8' })).toMatchObject({ kind: 'rejected', reason: 'faulted' });
      emu.set({ ribbonOut: false });
      await until(2_000, () => printer.state === 'ready');
      expect(printer.state).toBe('ready');
      // LinkPrinter settles the jobs in flight (busy → ready) before it enters the fault.
      expect(states, JSON.stringify(states)).toEqual(['opening', 'ready', 'busy', 'ready', 'faulted', 'ready']);
    } finally {
      sub.dispose();
      await printer.close();
      await emu.close();
    }
  });

  it('alerts off (default): no listener, no ^SX sent, asyncEvents false', async () => {
    const emu = new ZplEmulator();
    const lines: string[] = [];
    const log = emu.onLog((l) => { lines.push(l); });
    const { host, port } = await emu.listenTcp();
    const printer = createPrinter({ kind: 'zpl', endpoint: { kind: 'tcp', host, port }, replyTimeoutMs: 400 });
    try {
      await printer.open();
      expect(printer.capabilities.asyncEvents).toBe(false);
      expect(lines.some((l) => l.includes('alert configured'))).toBe(false);
    } finally {
      log.dispose();
      await printer.close();
      await emu.close();
    }
  });

  it('a bad alertHost is a config error naming the field', () => {
    expect(() => createPrinter({ kind: 'zpl', endpoint: { kind: 'tcp', host: '127.0.0.1', port: 9100 }, options: { alerts: 'tcp', alertHost: 'printer.local' } }))
      .toThrow(/options\.alertHost/);
  });
});
