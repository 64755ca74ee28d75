/**
 * Printer round trip per code (print() → confirmation) against the emulators over TCP 127.0.0.1 and a socat pty
 * pair, sequential (one job in flight: p50 / p99 latency) and queued (driver queue depth: codes/s).
 * The emulators print in 1 ms, so the figures measure protocol + transport + driver, not a real print head.
 * Called by the lead's bench/devices.ts; run under the bench lock.
 */
import { openPtyPair } from '../../test/support/pty-pair.ts';
import { PRINTER_EMULATORS, createPrinter, runPrintQueue, type Endpoint, type PrinterKind } from '../../printers/index.ts';
import { percentile } from '../support/results.ts';

const SEQUENTIAL = 200;
const QUEUED = 500;

async function measure(kind: PrinterKind, transport: 'tcp' | 'pty', options: Record<string, unknown>): Promise<Record<string, number>> {
  const emulator = PRINTER_EMULATORS[kind]({ printMs: 1, bufferSize: 64 });
  const pty = transport === 'pty' ? await openPtyPair() : null;
  let endpoint: Endpoint;
  if (pty) {
    await emulator.attachSerial(pty.b, 115200);
    endpoint = { kind: 'serial', path: pty.a, baudRate: 115200 };
  } else {
    const a = await emulator.listenTcp();
    endpoint = { kind: 'tcp', host: a.host, port: a.port };
  }
  const printer = createPrinter({ kind, endpoint, options });
  try {
    await printer.open();
    const times: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i += 1) {
      const t0 = performance.now();
      const r = await printer.print({ id: String(i), code: `BENCH${String(i).padStart(8, '0')}` });
      if (r.kind !== 'printed') throw new Error(`bench ${kind}/${transport}: job ${i} ${r.kind}`);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const jobs = Array.from({ length: QUEUED }, (_, i) => ({ id: `q${i}`, code: `BENCHQ${String(i).padStart(8, '0')}` }));
    const t1 = performance.now();
    const report = await runPrintQueue(printer, jobs);
    const seconds = (performance.now() - t1) / 1000;
    if (report.printed.length !== QUEUED) throw new Error(`bench ${kind}/${transport}: queued run stopped: ${report.stoppedBy ?? '?'}`);
    const round = (x: number): number => Math.round(x * 100) / 100;
    return { p50Ms: round(percentile(times, 50)), p99Ms: round(percentile(times, 99)), sequentialCodesPerS: Math.round(SEQUENTIAL / (times.reduce((a, b) => a + b, 0) / 1000)), queuedCodesPerS: Math.round(QUEUED / seconds), queueDepth: printer.capabilities.queueDepth };
  } finally {
    await printer.close();
    await emulator.close();
    await pty?.close();
  }
}

export async function benchPrinters(): Promise<Record<string, unknown>> {
  const figures: Record<string, unknown> = {};
  for (const transport of ['tcp', 'pty'] as const) {
    figures[`linx_${transport}`] = await measure('linx', transport, { pollMs: 200, queueDepth: 16 });
    figures[`zpl_${transport}`] = await measure('zpl', transport, { pollMs: 5, queueDepth: 16 });
    figures[`videojet_${transport}`] = await measure('videojet', transport, { pollMs: 5, queueDepth: 16 });
  }
  return figures;
}

if (import.meta.main) {
  const { writeResults } = await import('../support/results.ts');
  writeResults('printers', await benchPrinters());
}
