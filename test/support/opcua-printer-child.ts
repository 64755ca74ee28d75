/**
 * Child-process entry: runs the OPC UA code printer emulator (printers/emulators/opcua-printer-emulator.ts) and
 * talks to its parent (test/support/opcua-printer-process.ts).
 * argv: [control file, printMs, bootMs]. stdout: JSON lines — `{"ready":…,"endpointUrl":…}` once listening, then
 * `{"accepted":code}` and `{"printed":code,"seq":n}`; a printed item's PrintConfirmed event is raised only after the
 * parent answers `{"ack":n}` on stdin, so the parent's `printed` list is complete before the driver can see it.
 * Control (fault knobs, restart) comes through the control file, read synchronously at the start of every
 * method call, variable read and engine step: a knob the parent set before a request is in force for it.
 * Exits on `{"op":"stop"}` or when stdin closes (the parent died).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { EmulatorFaults } from '../../printers/emulators/printer-emulator.ts';
import { startOpcuaPrinterEmulator, type OpcuaPrinterEmulator } from '../../printers/emulators/opcua-printer-emulator.ts';

const [controlPath, printMsArg, bootMsArg] = process.argv.slice(2);
if (controlPath === undefined) throw new Error('usage: opcua-printer-child.ts CONTROL_FILE [printMs] [bootMs]');
const fd = openSync(controlPath, 'r');
let offset = 0;
let partial = '';
let emulator: OpcuaPrinterEmulator | null = null;
const early: Partial<EmulatorFaults>[] = [];

function refresh(): void {
  const size = fstatSync(fd).size;
  if (size <= offset) return;
  const buf = Buffer.alloc(size - offset);
  offset += readSync(fd, buf, 0, buf.length, offset);
  const lines = (partial + buf.toString('utf8')).split('\n');
  partial = lines.pop() ?? '';
  for (const line of lines) {
    if (line.trim() === '') continue;
    const msg = JSON.parse(line) as { op: 'set'; faults: Partial<EmulatorFaults> } | { op: 'restart' };
    if (msg.op === 'set') {
      if (emulator) emulator.set(msg.faults);
      else early.push(msg.faults);
    } else if (emulator) void emulator.restart();
  }
}

let seq = 0;
const acks = new Map<number, () => void>();
emulator = await startOpcuaPrinterEmulator({
  port: 0,
  printMs: Number(printMsArg ?? 20),
  bootMs: Number(bootMsArg ?? 300),
  refresh,
  onAccepted: (item) => { process.stdout.write(`${JSON.stringify({ accepted: item.code })}\n`); },
  beforeConfirm: (item) => new Promise<void>((resolve) => {
    seq += 1;
    acks.set(seq, resolve);
    process.stdout.write(`${JSON.stringify({ printed: item.code, seq })}\n`);
  }),
});
for (const f of early) emulator.set(f);
const poll = setInterval(refresh, 5);
process.stdout.write(`${JSON.stringify({ ready: true, endpointUrl: emulator.endpointUrl, port: emulator.port })}\n`);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  clearInterval(poll);
  for (const resolve of acks.values()) resolve();
  acks.clear();
  await emulator?.stop();
  closeSync(fd);
  process.stdout.write(`${JSON.stringify({ stopped: true })}\n`);
  process.exit(0);
};
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const msg = JSON.parse(line) as { ack?: number; op?: string };
  if (msg.op === 'stop') { void stop(); return; }
  if (msg.ack !== undefined) {
    const resolve = acks.get(msg.ack);
    acks.delete(msg.ack);
    resolve?.();
  }
});
lines.on('close', () => { void stop(); });
