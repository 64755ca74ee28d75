import type { PrinterCapabilities, PrinterConfig, PrinterStatus } from './contract.ts';
import { PrinterError } from './errors.ts';
import { createPrinter } from './create-printer.ts';

export type ProbeResult =
  | { readonly ok: true; readonly kind: string; readonly endpoint: string; readonly status: PrinterStatus; readonly capabilities: PrinterCapabilities; readonly elapsedMs: number }
  | { readonly ok: false; readonly kind: string; readonly endpoint: string; readonly code: string; readonly reason: string; readonly elapsedMs: number };

function describe(config: PrinterConfig): string {
  const e = config.endpoint;
  return e.kind === 'tcp' ? `tcp ${e.host}:${e.port}` : e.kind === 'serial' ? `serial ${e.path}@${e.baudRate}` : `opcua ${e.url}`;
}

/**
 * Commissioning check (`wuma device probe`): connects, reads status and identity, disconnects. Never throws:
 * a failure comes back with the error code and a reason an IT person can act on. Prints nothing.
 */
export async function probePrinter(config: PrinterConfig): Promise<ProbeResult> {
  const started = performance.now();
  const endpoint = describe(config);
  const elapsed = (): number => Math.round(performance.now() - started);
  let printer;
  try {
    printer = createPrinter(config);
  } catch (error) {
    return { ok: false, kind: config.kind, endpoint, code: error instanceof PrinterError ? error.code : 'CONFIG', reason: (error as Error).message, elapsedMs: elapsed() };
  }
  try {
    await printer.open();
    const status = await printer.status();
    return { ok: true, kind: config.kind, endpoint, status, capabilities: printer.capabilities, elapsedMs: elapsed() };
  } catch (error) {
    const code = error instanceof PrinterError ? error.code : 'DEVICE_OFFLINE';
    const hint = code === 'REPLY_TIMEOUT'
      ? '设备已连接但不应答：检查驱动类型、端口与协议设置 (connected but no reply: check driver kind, port and protocol settings)'
      : code === 'DEVICE_OFFLINE' ? '检查设备电源、网线/串口线与地址 (check power, cable and address)' : '';
    return { ok: false, kind: config.kind, endpoint, code, reason: `${(error as Error).message}${hint ? ` — ${hint}` : ''}`, elapsedMs: elapsed() };
  } finally {
    await printer.close();
  }
}
