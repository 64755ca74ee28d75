import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPtyPair, type PtyPair } from '../../test/support/pty-pair.ts';
import type { Endpoint, PrintResult, Printer, PrinterConfig, PrinterState } from '../contract.ts';
import { createPrinter } from '../create-printer.ts';
import type { PrinterEmulator } from '../emulators/printer-emulator.ts';
import { runPrintQueue } from '../queue/print-queue.ts';

export type ConformanceTest =
  | 'opens and reports status'
  | 'prints every code once, in order, confirmed'
  | 'walks the state table'
  | 'survives split replies'
  | 'survives garbage and an oversize frame'
  | 'a refused job is rejected, not printed'
  | 'reports a device fault and recovers'
  | 'refuses jobs while the device buffer is full'
  | 'a lost acknowledgement settles unknown'
  | 'reports every unconfirmed code after a restart mid-job'
  | 'never logs a full code'
  | 'close settles jobs in flight as unknown';

export interface PrinterConformanceOptions {
  readonly name: string;
  readonly transport: 'tcp' | 'serial';
  /** Driver config for an endpoint (kind, options); timeouts are set by the suite. */
  readonly config: (endpoint: Endpoint) => PrinterConfig;
  readonly emulator: () => PrinterEmulator;
  /** Codes to print (vendor-appropriate characters). */
  readonly codes: readonly string[];
  /** Replies that precede a job's acknowledgement (Hitachi: the ENQ's ACK). Default 0. */
  readonly repliesBeforeJobAck?: number;
  /** Capability gaps, declared with their reason (Hono / serialport style); never silently passed. */
  readonly skip?: ReadonlyArray<{ readonly reason: string; readonly tests: readonly ConformanceTest[] }>;
}

interface Rig {
  readonly emulator: PrinterEmulator;
  readonly printer: Printer;
  readonly logs: string[];
  close(): Promise<void>;
}

async function rig(o: PrinterConformanceOptions, tune: Partial<PrinterConfig> = {}): Promise<Rig> {
  const emulator = o.emulator();
  let pty: PtyPair | null = null;
  let endpoint: Endpoint;
  if (o.transport === 'tcp') {
    const a = await emulator.listenTcp('127.0.0.1', 0);
    endpoint = { kind: 'tcp', host: a.host, port: a.port };
  } else {
    pty = await openPtyPair();
    await emulator.attachSerial(pty.b, 9600);
    endpoint = { kind: 'serial', path: pty.a, baudRate: 9600 };
  }
  const logs: string[] = [];
  const logger = {
    debug: (m: string, f?: Readonly<Record<string, unknown>>) => { logs.push(`${m} ${JSON.stringify(f ?? {})}`); },
    warn: (m: string, f?: Readonly<Record<string, unknown>>) => { logs.push(`${m} ${JSON.stringify(f ?? {})}`); },
  };
  const base = o.config(endpoint);
  const printer = createPrinter({ replyTimeoutMs: 400, confirmTimeoutMs: 3_000, ...base, ...tune, logger });
  return {
    emulator, printer, logs,
    async close() {
      await printer.close();
      await emulator.close();
      await pty?.close();
    },
  };
}

const jobs = (codes: readonly string[]) => codes.map((code, i) => ({ id: `job-${i + 1}`, code }));
const settleWithin = async (ms: number, until: () => boolean): Promise<void> => {
  const end = Date.now() + ms;
  while (!until() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
};

/** The shared printer suite: every driver + emulator pair runs it over TCP and over a socat pty pair. */
export function runPrinterConformance(o: PrinterConformanceOptions): void {
  const skipped = new Map<ConformanceTest, string>();
  for (const s of o.skip ?? []) for (const t of s.tests) skipped.set(t, s.reason);
  const test = (name: ConformanceTest, fn: () => Promise<void>): void => {
    const reason = skipped.get(name);
    if (reason !== undefined) it.skip(`${name} — 不适用 (not applicable): ${reason}`, fn);
    else it(name, fn);
  };

  describe(`${o.name} over ${o.transport}`, () => {
    let r: Rig | null = null;
    beforeEach(() => { r = null; });
    afterEach(async () => { await r?.close(); });
    const setup = async (tune?: Partial<PrinterConfig>): Promise<Rig> => { r = await rig(o, tune); return r; };
    const delivered = (rg: Rig): string[] =>
      (rg.printer.capabilities.confirmation === 'printed' ? rg.emulator.printed : rg.emulator.accepted).map((x) => x.code);

    test('opens and reports status', async () => {
      const { printer } = await setup();
      expect(printer.state).toBe('closed');
      await printer.open();
      const status = await printer.status();
      expect(status.state).toBe('ready');
      expect(status.faults).toEqual([]);
      expect(status.identity.length).toBeGreaterThan(0);
    });

    test('prints every code once, in order, confirmed', async () => {
      const rg = await setup();
      await rg.printer.open();
      const report = await runPrintQueue(rg.printer, jobs(o.codes));
      expect(report.stoppedBy).toBeNull();
      expect(report.printed.map((j) => j.code)).toEqual(o.codes);
      expect(delivered(rg)).toEqual(o.codes);
      if (rg.printer.capabilities.confirmation === 'printed') {
        // Confirmed means the device really printed it: nothing is confirmed ahead of the print engine.
        expect(rg.emulator.printed.length).toBe(o.codes.length);
      }
    });

    test('walks the state table', async () => {
      const { printer } = await setup();
      const seen: PrinterState[] = [printer.state];
      const sub = printer.onStateChange((s) => { seen.push(s); });
      await printer.open();
      const code = o.codes[0] ?? 'X';
      expect(await printer.print({ id: 'a', code })).toEqual({ kind: 'printed' });
      await printer.close();
      await printer.close();
      sub.dispose();
      expect(seen).toEqual(['closed', 'opening', 'ready', 'busy', 'ready', 'closing', 'closed']);
    });

    test('survives split replies', async () => {
      const rg = await setup();
      rg.emulator.set({ splitReplies: true });
      await rg.printer.open();
      const report = await runPrintQueue(rg.printer, jobs(o.codes.slice(0, 3)));
      expect(report.printed.map((j) => j.code)).toEqual(o.codes.slice(0, 3));
    });

    test('survives garbage and an oversize frame', async () => {
      const rg = await setup();
      await rg.printer.open();
      rg.emulator.set({ garbage: true, oversize: true });
      const report = await runPrintQueue(rg.printer, jobs(o.codes.slice(0, 3)));
      expect(report.printed.map((j) => j.code)).toEqual(o.codes.slice(0, 3));
      expect(rg.logs.some((l) => l.startsWith('framing error'))).toBe(true);
    });

    test('a refused job is rejected, not printed', async () => {
      const rg = await setup();
      await rg.printer.open();
      rg.emulator.set({ nakJobs: 1 });
      const [first, second] = o.codes;
      const a = await rg.printer.print({ id: 'a', code: first ?? '' });
      expect(a).toMatchObject({ kind: 'rejected' });
      const b = await rg.printer.print({ id: 'b', code: second ?? '' });
      expect(b).toEqual({ kind: 'printed' });
      expect(delivered(rg)).toEqual([second]);
    });

    test('reports a device fault and recovers', async () => {
      const rg = await setup();
      await rg.printer.open();
      rg.emulator.set({ headOpen: true });
      const faulted = await rg.printer.status();
      expect(faulted.state).toBe('faulted');
      expect(faulted.faults.length).toBeGreaterThan(0);
      const refused: PrintResult = await rg.printer.print({ id: 'x', code: o.codes[0] ?? '' });
      expect(refused).toMatchObject({ kind: 'rejected', reason: 'faulted' });
      rg.emulator.set({ headOpen: false });
      expect((await rg.printer.status()).state).toBe('ready');
      expect(await rg.printer.print({ id: 'y', code: o.codes[1] ?? '' })).toEqual({ kind: 'printed' });
      expect(delivered(rg)).toEqual([o.codes[1]]);
    });

    test('refuses jobs while the device buffer is full', async () => {
      const rg = await setup();
      await rg.printer.open();
      rg.emulator.set({ bufferFull: true });
      await rg.printer.status();
      const refused = await rg.printer.print({ id: 'x', code: o.codes[0] ?? '' });
      expect(refused).toMatchObject({ kind: 'rejected', reason: 'buffer-full' });
      rg.emulator.set({ bufferFull: false });
      await rg.printer.status();
      expect(await rg.printer.print({ id: 'y', code: o.codes[1] ?? '' })).toEqual({ kind: 'printed' });
      expect(delivered(rg)).toEqual([o.codes[1]]);
    });

    test('a lost acknowledgement settles unknown', async () => {
      const rg = await setup();
      await rg.printer.open();
      rg.emulator.set({ dropReplies: 1, dropAfter: o.repliesBeforeJobAck ?? 0 });
      const code = o.codes[0] ?? '';
      const result = await rg.printer.print({ id: 'x', code });
      // Never `rejected`: the device may hold it. A driver with per-print events may still see it printed.
      if (result.kind === 'printed') expect(rg.printer.capabilities.asyncEvents && rg.emulator.printed.some((x) => x.code === code)).toBe(true);
      else expect(result.kind).toBe('unknown');
    });

    test('reports every unconfirmed code after a restart mid-job', async () => {
      const rg = await setup({ confirmTimeoutMs: 1_500 });
      await rg.printer.open();
      const all = jobs(o.codes);
      let restarted = false;
      const report = await runPrintQueue(rg.printer, all, {
        onResult: () => {
          if (!restarted && rg.emulator.printed.length >= 2) { restarted = true; void rg.emulator.restart(); }
        },
      });
      expect(restarted, 'the emulator restarted mid-job').toBe(true);
      const ids = (xs: ReadonlyArray<{ id: string }>): string[] => xs.map((j) => j.id);
      const fates = [...ids(report.printed), ...ids(report.rejected.map((x) => x.job)), ...ids(report.unknown.map((x) => x.job)), ...ids(report.unsent)];
      expect(fates.sort()).toEqual(ids(all).sort());
      expect(report.unknown.length, 'codes of unknown fate').toBeGreaterThan(0);
      const reportedPrinted = new Set(report.printed.map((j) => j.code));
      const mayBePrinted = new Set([...reportedPrinted, ...report.unknown.map((x) => x.job.code)]);
      // Safety: whatever the device physically printed is reported printed or unknown — never unsent / rejected.
      for (const item of rg.emulator.printed) expect(mayBePrinted.has(item.code), `physically printed ${item.code} reported printed/unknown`).toBe(true);
      if (rg.printer.capabilities.confirmation === 'printed') {
        const physically = new Set(rg.emulator.printed.map((x) => x.code));
        for (const code of reportedPrinted) expect(physically.has(code)).toBe(true);
      }
    });

    test('never logs a full code', async () => {
      const rg = await setup();
      await rg.printer.open();
      await runPrintQueue(rg.printer, jobs(o.codes.slice(0, 2)));
      expect(rg.logs.length).toBeGreaterThan(0);
      for (const code of o.codes.slice(0, 2)) {
        for (const l of rg.logs) expect(l.includes(code)).toBe(false);
      }
    });

    test('close settles jobs in flight as unknown', async () => {
      const rg = await setup();
      await rg.printer.open();
      rg.emulator.set({ ribbonOut: true, silentWhenFaulted: true, replyDelayMs: 150 });
      const pending = rg.printer.print({ id: 'x', code: o.codes[0] ?? '' });
      await settleWithin(100, () => false);
      await rg.printer.close();
      const result = await pending;
      expect(result.kind).toBe('unknown');
      expect(rg.printer.state).toBe('closed');
      expect(await rg.printer.print({ id: 'y', code: o.codes[1] ?? '' })).toMatchObject({ kind: 'rejected', reason: 'not-ready' });
    });
  });
}
