import type { ProbeResult, Reader, ReaderConfig } from './contract.ts';
import { createReader } from './drivers/registry.ts';

/**
 * Commissioning check for IT: connects, asks who the reader is, disconnects. Never throws: a failure is a
 * value with the error code and a reason a person can act on (Chinese, then English).
 */
export async function probeReader(config: ReaderConfig, options: { timeoutMs?: number } = {}): Promise<ProbeResult> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 10_000;
  let reader: Reader | null = null;
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  try {
    reader = createReader(config);
    const opened = reader;
    const attempt = (async () => {
      await opened.open(abort.signal);
      const identity = await opened.identify();
      return { ok: true as const, kind: config.kind, state: opened.state, identity, elapsedMs: Date.now() - started };
    })();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(Object.assign(new Error(`${timeoutMs} ms 内未完成探测 (probe timed out)`), { code: 'TIMEOUT' }));
      }, timeoutMs);
    });
    return await Promise.race([attempt, timeout]);
  } catch (error) {
    const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'UNKNOWN';
    return { ok: false, kind: config.kind, code, reason: error instanceof Error ? error.message : String(error), elapsedMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
    await reader?.close().catch(() => undefined);
  }
}
