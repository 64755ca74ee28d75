/**
 * Child-process entry: runs the OPC UA AutoID reader emulator and talks to its parent over stdio.
 * stdout: one JSON line `{"ready":true,"endpointUrl":…,"port":…}` once listening, then replies.
 * stdin: JSON lines `{"op":"fire"}`, `{"op":"feed","reads":[["A","B"],[]]}`, `{"op":"faults",…}`, `{"op":"scans"}`,
 * `{"op":"stop"}`.
 * argv: [codes file]. Exits after `stop` or when stdin closes (the parent died).
 */
import { createInterface } from 'node:readline';
import { CodeFeed } from '../../scanners/emulators/code-feed.ts';
import { startOpcuaAutoIdEmulator } from '../../scanners/emulators/opcua-autoid-emulator.ts';

const file = process.argv[2];
const feed = file === undefined ? new CodeFeed([['CAP-EMU-0001']]) : CodeFeed.fromFile(file);
const emulator = await startOpcuaAutoIdEmulator({ port: 0, feed });
process.stdout.write(`${JSON.stringify({ ready: true, endpointUrl: emulator.endpointUrl, port: emulator.port })}\n`);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await emulator.stop();
  process.stdout.write(`${JSON.stringify({ stopped: true })}\n`);
  process.exit(0);
};
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const msg = JSON.parse(line) as { op: string; reads?: string[][]; noReads?: number; notReady?: boolean; dropEvents?: number; delayMs?: number };
  if (msg.op === 'fire') emulator.fire();
  if (msg.op === 'feed' && msg.reads !== undefined) emulator.setFeed(new CodeFeed(msg.reads));
  if (msg.op === 'faults') Object.assign(emulator.faults, { ...(msg.noReads === undefined ? {} : { noReads: msg.noReads }), ...(msg.notReady === undefined ? {} : { notReady: msg.notReady }), ...(msg.dropEvents === undefined ? {} : { dropEvents: msg.dropEvents }), ...(msg.delayMs === undefined ? {} : { delayMs: msg.delayMs }) });
  if (msg.op === 'stop') {
    void stop();
    return;
  }
  process.stdout.write(`${JSON.stringify({ ok: msg.op, scans: emulator.scans })}\n`);
});
lines.on('close', () => { void stop(); });
