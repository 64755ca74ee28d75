import { afterEach, describe, expect, it } from 'vitest';
import { createPrinter, PRINTER_EMULATORS, type PrinterEmulator } from '../../printers/index.ts';
import { CodeFeed, createCognexEmulator, createReader, type ReaderEmulator } from '../../scanners/index.ts';
import { AlarmBoard } from './alarm-board.ts';
import { SILENT_LOGGER } from './logger.ts';
import { PrinterLink } from './printer-link.ts';
import { ReaderLink } from './reader-link.ts';

/**
 * ReaderLink and PrinterLink (one DeviceLink each) against the Cognex and ZPL emulators over 127.0.0.1: the
 * alarm is raised when the device goes, the link reopens it with its back-off, and the alarm clears.
 */

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

async function until(what: string, predicate: () => boolean, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const active = (alarms: AlarmBoard): string[] => alarms.active().map((a) => a.id);

describe('ReaderLink', () => {
  it('raises reader-offline when the reader drops, reopens it and clears the alarm', async () => {
    const emulator: ReaderEmulator = await createCognexEmulator({ endpoint: { kind: 'tcp-listen', host: '127.0.0.1', port: 0 }, feed: new CodeFeed([['A1']]) }).start();
    opened.push({ close: () => emulator.stop() });
    const alarms = new AlarmBoard(() => undefined);
    const link = new ReaderLink('camera', createReader({ kind: 'cognex', endpoint: { kind: 'tcp', host: '127.0.0.1', port: emulator.port } }), alarms, SILENT_LOGGER);
    opened.push(link);
    await link.open();
    expect(link.state).toBe('ready');
    expect(link.reader.state).toBe('ready');
    expect(link.name).toBe('camera');

    await emulator.restart();
    await until('the alarm', () => active(alarms).includes('reader-offline:camera'));
    await until('the reader back', () => link.state === 'ready' && !active(alarms).includes('reader-offline:camera'));
  });

  it('a first open that fails raises the alarm and keeps retrying until the reader is there', async () => {
    const emulator = createCognexEmulator({ endpoint: { kind: 'tcp-listen', host: '127.0.0.1', port: 0 }, feed: new CodeFeed([['A1']]) });
    await emulator.start();
    const port = emulator.port;
    await emulator.stop();
    const alarms = new AlarmBoard(() => undefined);
    const link = new ReaderLink('verifier', createReader({ kind: 'cognex', endpoint: { kind: 'tcp', host: '127.0.0.1', port } }), alarms, SILENT_LOGGER);
    opened.push(link);
    await link.open();
    expect(active(alarms)).toEqual(['reader-offline:verifier']);
    await emulator.start();
    opened.unshift({ close: () => emulator.stop() });
    await until('the reader back', () => link.state === 'ready' && active(alarms).length === 0);
  });
});

describe('PrinterLink', () => {
  it('raises printer-fault on a device fault and clears it when the fault clears', async () => {
    const emulator: PrinterEmulator = PRINTER_EMULATORS.zpl({ printMs: 5 });
    const address = await emulator.listenTcp('127.0.0.1', 0);
    opened.push({ close: () => emulator.close() });
    const alarms = new AlarmBoard(() => undefined);
    // ^SX alerts tell an idle printer's faults (ZPL polls ~HS only while jobs are in flight).
    const printer = createPrinter({ kind: 'zpl', endpoint: { kind: 'tcp', ...address }, options: { pollMs: 20, alerts: 'tcp', alertHost: '127.0.0.1' } });
    const link = new PrinterLink('pallet-printer', printer, alarms, SILENT_LOGGER);
    opened.push(link);
    await link.open();
    expect(link.state).toBe('ready');
    expect(link.printer.state).toBe('ready');

    emulator.set({ ribbonOut: true });
    await until('the fault alarm', () => active(alarms).includes('printer-fault:pallet-printer'));
    emulator.set({ ribbonOut: false });
    await until('the fault cleared', () => link.state === 'ready' && active(alarms).length === 0);
  });

  it('a lost link (offline) is closed and reopened with the back-off', async () => {
    const emulator: PrinterEmulator = PRINTER_EMULATORS.zpl({ printMs: 5, bootMs: 50 });
    const address = await emulator.listenTcp('127.0.0.1', 0);
    opened.push({ close: () => emulator.close() });
    const alarms = new AlarmBoard(() => undefined);
    const link = new PrinterLink('case-printer', createPrinter({ kind: 'zpl', endpoint: { kind: 'tcp', ...address }, options: { pollMs: 20 } }), alarms, SILENT_LOGGER);
    opened.push(link);
    await link.open();
    await emulator.restart();
    await until('the offline alarm', () => active(alarms).includes('printer-fault:case-printer'));
    await until('the printer back', () => link.state === 'ready' && active(alarms).length === 0);
  });
});
