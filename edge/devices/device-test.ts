import { createPrinter, runPrintQueue, type PrinterConfig, type PrintResult } from '../../printers/index.ts';
import { createReader, type Reader, type ReaderConfig } from '../../scanners/index.ts';
import { maskCode } from '../domain/mask.ts';
import type { DeviceTestView } from '../api/contract.ts';

/** How long a reader test waits for the read after the trigger, and for the connection before it (ms). */
const READ_TIMEOUT_MS = 3_000;
const OPEN_TIMEOUT_MS = 10_000;

const errorCode = (error: unknown, fallback: string): string => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : fallback;
};
const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The IT screen's device test (issue 6 §2), as `wuma device print-test --count 1` / `wuma device read --trigger`
 * do it: connect, act once, disconnect. Never throws: every outcome is a value.
 *
 * A printer prints ONE test code, `WUMA-TEST-<yyMMddHHmmss>` — never a code from the database, so a test label
 * can never be mistaken for (or consume) a real code — and the result is its confirmation at the driver's level.
 */
export async function testPrinter(deviceId: string, config: () => PrinterConfig): Promise<DeviceTestView> {
  const started = performance.now();
  const elapsedMs = (): number => Math.round(performance.now() - started);
  const testCode = `WUMA-TEST-${new Date().toISOString().replace(/\D/g, '').slice(2, 14)}`;
  let printer;
  try {
    printer = createPrinter(config());
  } catch (error) {
    return { kind: 'failed', deviceId, elapsedMs: elapsedMs(), code: errorCode(error, 'CONFIG'), reason: message(error) };
  }
  try {
    await printer.open();
    let result: PrintResult | null = null;
    const report = await runPrintQueue(printer, [{ id: 'test', code: testCode }], { onResult: (_job, r) => { result = r; } });
    const r = result as PrintResult | null;
    if (r === null) return { kind: 'failed', deviceId, elapsedMs: elapsedMs(), code: 'NOT_SENT', reason: report.stoppedBy ?? '测试码未发送 (the test code was not sent)' };
    if (r.kind === 'printed') return { kind: 'printed', deviceId, elapsedMs: elapsedMs(), testCode };
    if (r.kind === 'rejected') return { kind: 'rejected', deviceId, elapsedMs: elapsedMs(), testCode, reason: r.reason, detail: r.detail };
    return { kind: 'unknown', deviceId, elapsedMs: elapsedMs(), testCode, detail: r.detail };
  } catch (error) {
    return { kind: 'failed', deviceId, elapsedMs: elapsedMs(), code: errorCode(error, 'DEVICE_OFFLINE'), reason: message(error) };
  } finally {
    await printer.close().catch(() => undefined);
  }
}

/**
 * A reader gets one software trigger; the codes it returns are masked (`N7K2…Q9`) whatever their kind, since a
 * read of an unknown code may be a cap-inner or case-inner code (as `wuma device read` without --show-codes).
 */
export async function testReader(deviceId: string, config: () => ReaderConfig): Promise<DeviceTestView> {
  const started = Date.now();
  const elapsedMs = (): number => Date.now() - started;
  let reader: Reader | null = null;
  const abort = new AbortController();
  const timer = setTimeout(() => { abort.abort(); }, OPEN_TIMEOUT_MS);
  try {
    reader = createReader({ ...config(), triggerTimeoutMs: READ_TIMEOUT_MS });
    await reader.open(abort.signal);
    clearTimeout(timer);
    const r = await reader.trigger({ timeoutMs: READ_TIMEOUT_MS });
    return r.kind === 'read'
      ? { kind: 'read', deviceId, elapsedMs: elapsedMs(), codes: r.codes.map((c) => ({ text: maskCode(c.text), symbology: c.symbology })) }
      : { kind: 'no-read', deviceId, elapsedMs: elapsedMs(), cause: r.cause };
  } catch (error) {
    return { kind: 'failed', deviceId, elapsedMs: elapsedMs(), code: errorCode(error, 'UNKNOWN'), reason: message(error) };
  } finally {
    clearTimeout(timer);
    await reader?.close().catch(() => undefined);
  }
}
