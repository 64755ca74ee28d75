/**
 * Fault knobs of the Modbus PLC emulator, applied to responses (the request is still executed, as a real PLC
 * whose reply is lost on the wire would have done). Counts are "the next N responses" so tests are deterministic.
 */
export interface ModbusFaults {
  /** Drop the next N responses (the master times out). */
  dropNext: number;
  /** Delay every response by this many ms. */
  delayMs: number;
  /** Answer the next N requests with this exception code instead of executing them. */
  exceptionNext: number;
  exceptionCode: number;
  /** Answer the next N requests with random garbage bytes. */
  garbageNext: number;
}

export type FaultDecision = 'normal' | 'drop' | 'exception' | 'garbage';

export function noFaults(): ModbusFaults {
  return { dropNext: 0, delayMs: 0, exceptionNext: 0, exceptionCode: 4, garbageNext: 0 };
}

/** Consumes one response's worth of the counted faults. Exceptions are decided before execution. */
export function decideFault(faults: ModbusFaults): FaultDecision {
  if (faults.exceptionNext > 0) { faults.exceptionNext--; return 'exception'; }
  if (faults.dropNext > 0) { faults.dropNext--; return 'drop'; }
  if (faults.garbageNext > 0) { faults.garbageNext--; return 'garbage'; }
  return 'normal';
}

const KEYS = ['drop', 'delay', 'exception', 'garbage'] as const;

/**
 * Parses `--fault` text: comma-separated `drop=N`, `delay=MS`, `exception=N[:CODE]`, `garbage=N`.
 * Returns an error message (Chinese first) naming the bad item, or the faults.
 */
export function parseFaults(text: string): ModbusFaults | { readonly error: string } {
  const faults = noFaults();
  for (const item of text.split(',').map((s) => s.trim()).filter((s) => s.length > 0)) {
    const m = /^([a-z]+)=(\d+)(?::(\d+))?$/.exec(item);
    const key = m?.[1];
    if (!m || !(KEYS as readonly string[]).includes(key ?? '')) {
      return { error: `无法识别的故障项 "${item}"，可用: drop=N, delay=MS, exception=N[:CODE], garbage=N (unknown fault item)` };
    }
    const n = Number(m[2]);
    if (key === 'drop') faults.dropNext = n;
    else if (key === 'delay') faults.delayMs = n;
    else if (key === 'garbage') faults.garbageNext = n;
    else {
      faults.exceptionNext = n;
      const code = m[3] === undefined ? 4 : Number(m[3]);
      if (code < 1 || code > 255) return { error: `异常码应为 1..255，收到 ${code} (exception code must be 1..255)` };
      faults.exceptionCode = code;
    }
  }
  return faults;
}
