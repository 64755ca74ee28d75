import { runPrintQueue, type Printer } from '../../printers/index.ts';
import type { ReadResult, Reader } from '../../scanners/index.ts';
import type { Logger } from './logger.ts';

/** What one attempt at a code yielded: a code to print, no code to be had (nothing to void), or a halted station. */
export type LabelAllocation =
  | { readonly kind: 'code'; readonly code: string }
  | { readonly kind: 'refused'; readonly why: string }
  | { readonly kind: 'halted'; readonly detail: string };

/** Where the loop is, for the station's state machine: a code was allocated, printed, or failed to print / verify. */
export type LabelStep = 'allocated' | 'printed' | 'print-failed' | 'verify-failed';

/** The words of one kind of label: failure texts (alarms, audit rows of the voided code) and log messages. */
export interface LabelWords {
  /** The failure entry of a print not confirmed, for the alarm detail. */
  printFailed(why: string): string;
  /** The void reason (audit row) of a code whose print was not confirmed. */
  printVoidReason(why: string): string;
  /** The void reason (audit row) of a code whose label was not read back as itself. */
  verifyVoidReason(why: string): string;
  /** The verifier read exactly one code, and it is another one. */
  readonly mismatch: string;
  /** Logged when the verifier's trigger throws (offline, not ready). */
  readonly verifierErrorLog: string;
  /** Logged when a print was not confirmed (and the code voided); none: not logged. */
  readonly printFailedLog?: string;
  /** Logged when a printed label was not verified (and the code voided). */
  readonly verifyFailedLog: string;
}

export interface LabelVerifyOptions {
  readonly printer: Printer;
  readonly verifier: Reader;
  readonly verifyTimeoutMs: number;
  /** Codes tried (each a new one; a failed one is voided) before giving up. */
  readonly attempts: number;
  readonly log: Logger;
  readonly words: LabelWords;
  /** Structured fields of the print-failed and verify-failed logs. */
  logFields(code: string, attempt: number, why: string): Readonly<Record<string, unknown>>;
  /** The print job id of an attempt (unique per label). */
  jobId(attempt: number): string;
  /** Allocates the code of one attempt (committed before printing: the code may then exist on paper). */
  allocate(): LabelAllocation;
  /** Voids a code that may exist on paper; false when the database refused (the station halted). */
  voidCode(code: string, reason: string): boolean;
  step(step: LabelStep): void;
  /** Checked before each attempt: a halt detail stops the loop before anything is allocated. */
  beforeAttempt?(): string | null;
  /** One failed print or verification (not a printer that cannot print, nor a code refused). */
  onLabelFailed?(why: string): void;
  /** True once the station closes: no further attempt starts. */
  closed(): boolean;
}

export type LabelVerifyOutcome =
  | { readonly kind: 'verified'; readonly code: string; readonly attempt: number }
  /** Out of attempts, a printer that cannot print, or no code to be had; `failures` says why, in order. */
  | { readonly kind: 'failed'; readonly failures: readonly string[] }
  /** The database refused (the station halted) or `beforeAttempt` stopped it. */
  | { readonly kind: 'halted'; readonly detail: string };

/** Why a verifier read is not the label just printed, or null when it is. */
export type VerifyVerdict = { readonly ok: true } | { readonly ok: false; readonly why: string };

/**
 * The one rule of a label read back (issue 16 §4): exactly one code in view, and it is the code printed. A read
 * with two different codes is a failed verification even if one of them is the printed one: a neighbouring label
 * in view (the previous pallet's, the next case's) must not pass as this one, and the code printed cannot be told
 * apart from it. The same code read twice (two symbols of one label) is one code. The why never names a code read.
 */
export function verifyLabelRead(read: ReadResult | null, code: string, mismatch: string): VerifyVerdict {
  const seen = read?.kind === 'read' ? [...new Set(read.codes.map((c) => c.text))] : [];
  if (seen.length === 0) return { ok: false, why: '复核未读到 (verifier no-read)' };
  if (seen.length > 1) return { ok: false, why: `视野中有 ${seen.length} 个码，应只有一个 (${seen.length} codes in view; exactly one expected)` };
  return seen[0] === code ? { ok: true } : { ok: false, why: mismatch };
}

/**
 * Print and verify one label (case code in print mode, pallet label): allocate a code, print it (runPrintQueue:
 * printed / rejected / unknown), read it back within `verifyTimeoutMs` (verifyLabelRead). A code not both
 * confirmed printed and read back is voided — it may exist on paper (DESIGN §4) — and a new code tried, up to
 * `attempts`. A printer that is neither ready nor busy ends the loop before a code is allocated: nothing to void.
 */
export async function printAndVerifyLabel(o: LabelVerifyOptions): Promise<LabelVerifyOutcome> {
  const failures: string[] = [];
  const failed = (why: string): void => {
    failures.push(why);
    o.onLabelFailed?.(why);
  };
  for (let attempt = 1; attempt <= o.attempts && !o.closed(); attempt += 1) {
    const stop = o.beforeAttempt?.() ?? null;
    if (stop !== null) return { kind: 'halted', detail: stop };
    if (o.printer.state !== 'ready' && o.printer.state !== 'busy') {
      failures.push(`打印机状态 ${o.printer.state} (printer ${o.printer.state})`);
      break;
    }
    const allocation = o.allocate();
    if (allocation.kind === 'halted') return allocation;
    if (allocation.kind === 'refused') { failures.push(allocation.why); break; }
    const code = allocation.code;
    o.step('allocated');
    const report = await runPrintQueue(o.printer, [{ id: o.jobId(attempt), code }], { bufferFullWaitMs: 2_000 });
    if (report.printed.length !== 1) {
      const why = report.unknown[0]?.detail ?? report.rejected[0]?.detail ?? report.stoppedBy ?? '未发送 (not sent)';
      failed(o.words.printFailed(why));
      if (o.words.printFailedLog !== undefined) o.log.warn(o.words.printFailedLog, o.logFields(code, attempt, why));
      if (!o.voidCode(code, o.words.printVoidReason(why))) return { kind: 'halted', detail: why };
      o.step('print-failed');
      continue;
    }
    o.step('printed');
    let read: ReadResult | null = null;
    try {
      read = await o.verifier.trigger({ timeoutMs: o.verifyTimeoutMs });
    } catch (error) {
      o.log.warn(o.words.verifierErrorLog, { error: error instanceof Error ? error.message : String(error) });
    }
    const verdict = verifyLabelRead(read, code, o.words.mismatch);
    if (!verdict.ok) {
      failed(verdict.why);
      o.log.warn(o.words.verifyFailedLog, o.logFields(code, attempt, verdict.why));
      if (!o.voidCode(code, o.words.verifyVoidReason(verdict.why))) return { kind: 'halted', detail: verdict.why };
      o.step('verify-failed');
      continue;
    }
    return { kind: 'verified', code, attempt };
  }
  return { kind: 'failed', failures };
}
