import { describe, expect, it } from 'vitest';
import { probePrinter, type PrinterKind } from '../../printers/index.ts';
import { probeReader, type ReaderKind } from '../../scanners/index.ts';

/**
 * Opt-in checks against real devices on the commissioning bench. Each device is named by an environment variable
 * `KIND@HOST:PORT`, e.g. `WUMA_HW_PRINTER=zpl@192.168.10.32:9100`, `WUMA_HW_READER=keyence@192.168.10.22:9004`.
 * Without it the case is skipped, and the skip says which variable turns it on.
 */
function target(name: string): { kind: string; host: string; port: number } | null {
  const raw = process.env[name];
  if (raw === undefined) return null;
  const m = /^([a-z]+)@([^:]+):(\d+)$/.exec(raw);
  if (!m) throw new Error(`${name} 应为 KIND@HOST:PORT，收到 "${raw}" (must be KIND@HOST:PORT)`);
  return { kind: m[1] ?? '', host: m[2] ?? '', port: Number(m[3]) };
}

const printer = target('WUMA_HW_PRINTER');
const reader = target('WUMA_HW_READER');

describe('hardware', () => {
  it.skipIf(printer === null)(`printer answers a probe${printer === null ? ' (skipped: set WUMA_HW_PRINTER=KIND@HOST:PORT)' : ''}`, async () => {
    if (printer === null) return;
    const r = await probePrinter({ kind: printer.kind as PrinterKind, endpoint: { kind: 'tcp', host: printer.host, port: printer.port } });
    expect(r.ok, r.ok ? '' : r.reason).toBe(true);
  });

  it.skipIf(reader === null)(`reader answers a probe${reader === null ? ' (skipped: set WUMA_HW_READER=KIND@HOST:PORT)' : ''}`, async () => {
    if (reader === null) return;
    const r = await probeReader({ kind: reader.kind as ReaderKind, endpoint: { kind: 'tcp', host: reader.host, port: reader.port } });
    expect(r.ok, r.ok ? '' : r.reason).toBe(true);
  });
});
