/**
 * Child-process entry: the OPC UA PLC emulator (edge/plc/emulators/opcua-plc-emulator.ts) on a chosen port with a
 * chosen starting trigger counter, so a test can kill it and start "the same PLC" again on the same port — a PLC
 * restart as the driver sees it. Start it with `startControlledPeer(process.execPath, [ENTRY, port, counter])`
 * (test/support/pymodbus.ts); it speaks the PLC control protocol (edge/plc/emulators/plc-control.ts).
 * argv: [port (0 = free port), trigger counter (default 0)]. stdout: one ready line `{"ready":true,"endpointUrl":…,
 * "port":…}`, then one reply line per control line. Exits on `{"op":"stop"}` or when stdin closes (the parent died).
 */
import { createInterface } from 'node:readline';
import { applyPlcControl } from '../../edge/plc/emulators/plc-control.ts';
import { startOpcuaPlcEmulator } from '../../edge/plc/emulators/opcua-plc-emulator.ts';
import { DEFAULT_OPCUA_TAGS } from '../../edge/plc/opcua-tag-map.ts';

const [portArg, counterArg] = process.argv.slice(2);
const emulator = await startOpcuaPlcEmulator({ port: Number(portArg ?? 0), tags: DEFAULT_OPCUA_TAGS, triggerCounter: Number(counterArg ?? 0) });
process.stdout.write(`${JSON.stringify({ ready: true, endpointUrl: emulator.endpointUrl, port: emulator.port })}\n`);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await emulator.stop();
  process.exit(0);
};
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() === '') return;
  if (/"op"\s*:\s*"stop"/.test(line)) { void stop(); return; }
  process.stdout.write(`${JSON.stringify(applyPlcControl(emulator, line))}\n`);
});
lines.on('close', () => { void stop(); });
