/**
 * Reader figures (issue 3): framer throughput (frames/s, MB/s) for the framings the drivers use, the whole
 * text pipeline (framer → dialect → multi-code split → GS1 parse → duplicate window) for 24-cap reads, and the
 * software trigger → read round trip over TCP 127.0.0.1 (Keyence and Cognex emulators, 1 ms "exposure") and a
 * socat pty (serial handheld, external trigger). Called by the lead's bench/devices.ts; run under the bench lock.
 */
import { writeFileSync } from 'node:fs';
import { startOpcuaServerProcess } from '../../test/support/opcua-server-process.ts';
import { openPtyPair } from '../../test/support/pty-pair.ts';
import { makeTempDir } from '../../test/support/temp-dir.ts';
import { CodeFeed, createReader, READER_EMULATORS, type ByteEmulatorKind, type Reader, type ReaderConfig, type ReadResult } from '../../scanners/index.ts';
import { DelimitedFramer } from '../../links/index.ts';
import { keyenceDialect } from '../../scanners/drivers/keyence-sr.ts';
import { assembleRead } from '../../scanners/assemble-read.ts';
import { DuplicateWindow } from '../../scanners/duplicate-window.ts';
import { percentile } from '../support/results.ts';

const TRIGGERS = 500;
const enc = new TextEncoder();
const caps = Array.from({ length: 24 }, (_, i) => `CAP${String(i).padStart(9, '0')}K7`);

function framerThroughput(name: string, options: ConstructorParameters<typeof DelimitedFramer>[0], frame: Uint8Array, chunkSize: number): Record<string, number | string> {
  const frames = 200_000;
  const stream = new Uint8Array(frame.length * frames);
  for (let i = 0; i < frames; i += 1) stream.set(frame, i * frame.length);
  const framer = new DelimitedFramer(options);
  let count = 0;
  const t0 = performance.now();
  for (let off = 0; off < stream.length; off += chunkSize) {
    for (const o of framer.push(stream.subarray(off, off + chunkSize))) if (o.kind === 'frame') count += 1;
  }
  const s = (performance.now() - t0) / 1000;
  if (count !== frames) throw new Error(`${name}: framed ${count} of ${frames}`);
  return { framing: name, frameBytes: frame.length, chunkBytes: chunkSize, framesPerSec: Math.round(frames / s), mbPerSec: Number((stream.length / s / 1e6).toFixed(1)) };
}

function pipelineThroughput(): Record<string, number> {
  const dialect = keyenceDialect({ kind: 'keyence', endpoint: { kind: 'tcp', host: '127.0.0.1', port: 1 } });
  const message = enc.encode(`${caps.join(',')}\r`);
  const reads = 20_000;
  const stream = new Uint8Array(message.length * reads);
  for (let i = 0; i < reads; i += 1) stream.set(message, i * message.length);
  const framer = new DelimitedFramer({ ...dialect.framing, maxFrameBytes: 64 * 1024 });
  const window = new DuplicateWindow(0);
  let codes = 0;
  const t0 = performance.now();
  for (let off = 0; off < stream.length; off += 1460) {
    for (const o of framer.push(stream.subarray(off, off + 1460))) {
      if (o.kind !== 'frame') continue;
      const m = dialect.classify(o.bytes);
      if (m.kind === 'read') {
        const r = assembleRead(m.payload, { trigger: { id: 0, source: 'external' }, multi: { separator: ',' }, window, now: 0 });
        if (r.kind === 'read') codes += r.codes.length;
      }
    }
  }
  const s = (performance.now() - t0) / 1000;
  if (codes !== reads * 24) throw new Error(`pipeline parsed ${codes} codes`);
  return { readsPerSec: Math.round(reads / s), codesPerSec: Math.round(codes / s), mbPerSec: Number((stream.length / s / 1e6).toFixed(1)) };
}

async function roundTrip(kind: ByteEmulatorKind, transport: 'tcp' | 'pty'): Promise<Record<string, number | string>> {
  const feed = new CodeFeed([caps]);
  const pty = transport === 'pty' ? await openPtyPair() : null;
  const emulator = READER_EMULATORS[kind]({
    endpoint: pty ? { kind: 'serial', path: pty.b, baudRate: 115200 } : { kind: 'tcp-listen', host: '127.0.0.1', port: 0 },
    feed,
    readDelayMs: 1,
  });
  await emulator.start();
  const config: ReaderConfig = {
    kind,
    endpoint: pty ? { kind: 'serial', path: pty.a, baudRate: 115200 } : { kind: 'tcp', host: '127.0.0.1', port: emulator.port },
    multi: { separator: ',' },
    triggerTimeoutMs: 2_000,
  };
  const reader: Reader = createReader(config);
  try {
    await reader.open();
    const software = kind !== 'serial';
    const once = (): Promise<ReadResult> => {
      if (software) return reader.trigger();
      return new Promise<ReadResult>((resolve) => {
        const sub = reader.onRead((r) => { sub.dispose(); resolve(r); });
        emulator.fire();
      });
    };
    for (let i = 0; i < 20; i += 1) await once();
    const times: number[] = [];
    for (let i = 0; i < TRIGGERS; i += 1) {
      const t0 = performance.now();
      const r = await once();
      times.push(performance.now() - t0);
      if (r.kind !== 'read' || r.codes.length !== 24) throw new Error(`${kind}: trigger ${i} gave ${r.kind}`);
    }
    times.sort((a, b) => a - b);
    return {
      reader: kind,
      transport,
      trigger: software ? 'software' : 'external (emulator fires)',
      codesPerRead: 24,
      emulatorDelayMs: 1,
      p50Ms: Number(percentile(times, 50).toFixed(2)),
      p99Ms: Number(percentile(times, 99).toFixed(2)),
    };
  } finally {
    await reader.close();
    await emulator.stop();
    await pty?.close();
  }
}

/** OPC UA AutoID: Scan (result in the method reply) and ScanStart (result as an event), server in its own process. */
async function opcuaRoundTrip(): Promise<Record<string, unknown>[]> {
  const dir = makeTempDir();
  const file = dir.file('caps.txt');
  writeFileSync(file, `${caps.join('\t')}\n`);
  const server = await startOpcuaServerProcess({ codesFile: file });
  const out: Record<string, unknown>[] = [];
  try {
    for (const mode of ['scan', 'scan-start'] as const) {
      const reader = createReader({ kind: 'opcua', endpoint: { kind: 'opcua', url: server.endpointUrl }, options: { mode } });
      const t0 = performance.now();
      await reader.open();
      const openMs = performance.now() - t0;
      try {
        for (let i = 0; i < 10; i += 1) await reader.trigger();
        const times: number[] = [];
        for (let i = 0; i < 200; i += 1) {
          const t = performance.now();
          const r = await reader.trigger();
          times.push(performance.now() - t);
          if (r.kind !== 'read' || r.codes.length !== 24) throw new Error(`opcua ${mode}: trigger ${i} gave ${r.kind}`);
        }
        times.sort((a, b) => a - b);
        out.push({ reader: 'opcua', transport: 'opc.tcp loopback, server in a child process', mode, codesPerRead: 24, emulatorDelayMs: 5, openMs: Math.round(openMs), p50Ms: Number(percentile(times, 50).toFixed(2)), p99Ms: Number(percentile(times, 99).toFixed(2)) });
      } finally {
        await reader.close();
      }
    }
  } finally {
    await server.close();
    dir.remove();
  }
  return out;
}

export async function benchReaders(): Promise<Record<string, unknown>> {
  const code = enc.encode(`]d2010614141000041721ABC123\x1d10LOT7`);
  const framers = [
    framerThroughput('CR (Keyence)', { end: '\r', maxFrameBytes: 65_536 }, Uint8Array.from([...code, 0x0d]), 1460),
    framerThroughput('CR LF (Cognex/Hikrobot)', { end: '\r\n', maxFrameBytes: 65_536 }, Uint8Array.from([...code, 0x0d, 0x0a]), 1460),
    framerThroughput('STX…ETX', { start: 0x02, end: '\x03', maxFrameBytes: 65_536 }, Uint8Array.from([0x02, ...code, 0x03]), 1460),
    framerThroughput('CR, 1-byte chunks (slow serial)', { end: '\r', maxFrameBytes: 65_536 }, Uint8Array.from([...code, 0x0d]), 1),
  ];
  const pipeline = pipelineThroughput();
  const roundTrips = [];
  for (const [kind, transport] of [['keyence', 'tcp'], ['cognex', 'tcp'], ['hikrobot', 'tcp'], ['keyence', 'pty'], ['serial', 'pty']] as const) {
    roundTrips.push(await roundTrip(kind, transport));
  }
  return { readerFramers: framers, readerPipeline24Caps: pipeline, readerTriggerRoundTrip: roundTrips, readerOpcuaRoundTrip: await opcuaRoundTrip() };
}

if (import.meta.main) {
  const { writeResults } = await import('../support/results.ts');
  writeResults('readers', await benchReaders());
}
