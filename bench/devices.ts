/**
 * `npm run bench -- devices`: printer round trip per code (TCP and pty), reader framer throughput and trigger→read
 * round trip, and the Modbus reject-pulse round trip against pymodbus. Each part lives beside its owner in
 * bench/parts/ and returns its figures; this script runs them in turn (never concurrently: 2 cores) and writes
 * bench/results/devices.json.
 */
import { existsSync } from 'node:fs';
import { writeResults } from './support/results.ts';

type Part = () => Promise<Record<string, unknown>>;
const parts: Array<[string, string, string]> = [
  ['printers', './parts/printers.ts', 'benchPrinters'],
  ['readers', './parts/readers.ts', 'benchReaders'],
  ['plc', './parts/plc.ts', 'benchPlc'],
];

const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const figures: Record<string, unknown> = {};
for (const [name, path, exported] of parts) {
  if (only.length > 0 && !only.includes(name)) continue;
  if (!existsSync(new URL(path, import.meta.url))) {
    figures[name] = { skipped: 'part not present' };
    continue;
  }
  const mod = (await import(path)) as Record<string, Part>;
  const run = mod[exported];
  if (typeof run !== 'function') throw new Error(`${path} does not export ${exported}`);
  console.log(`— ${name} …`);
  figures[name] = await run();
}
writeResults('devices', figures);
