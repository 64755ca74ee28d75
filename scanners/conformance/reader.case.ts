import { describe, expect, it } from 'vitest';
import type { Reader, ReaderConfig, ReaderState, ReadResult } from '../contract.ts';
import { createReader } from '../drivers/registry.ts';
import type { ReaderFaults } from '../emulators/reader-emulator.ts';

/**
 * The shared reader conformance suite (STYLE.md "Tests"; Hono/serialport `*.case.ts` shape). Each driver runs
 * it against its emulator over a real transport. A capability a device lacks is declared in `lacks` with the
 * reason, and the cases that need it become named skips — never silent passes.
 */
export interface ReaderHarness {
  /** Driver config pointing at this emulator, with the suite's overrides applied. */
  config(overrides?: Partial<ReaderConfig>): ReaderConfig;
  /** Runs alongside `reader.open()` (readers that connect to us: the emulator dials in here). */
  attach?(): Promise<void>;
  /** The reader's own trigger (photo-eye / handheld button). */
  fire(): Promise<void>;
  /** Makes the reader stop answering software triggers (a hung or unplugged camera). */
  silence?(): Promise<void>;
  /** Byte-level fault knobs (text protocols). */
  readonly faults?: ReaderFaults;
  /** Power-cycles the emulated reader. */
  restart?(): Promise<void>;
  stop(): Promise<void>;
}

export type ReaderCapability = 'software-trigger' | 'byte-faults' | 'restart';

export interface ReaderConformanceTarget {
  readonly name: string;
  /** Starts (or re-feeds) the emulator: one entry per trigger, codes in the image; [] = no-read. */
  start(reads: readonly (readonly string[])[]): Promise<ReaderHarness>;
  readonly lacks?: readonly { readonly capability: ReaderCapability; readonly reason: string }[];
}

const GS = '\x1d';
const GS1_CODE = `]d2010614141000041721ABC123${GS}10LOT7`;
const TIMEOUT_MS = 1_500;

export function runReaderConformance(target: ReaderConformanceTarget): void {
  const lacking = new Map((target.lacks ?? []).map((l) => [l.capability, l.reason]));
  const needs = (capability: ReaderCapability | readonly ReaderCapability[], name: string, fn: () => Promise<void>): void => {
    const reason = (typeof capability === 'string' ? [capability] : capability).map((c) => lacking.get(c)).find((r) => r !== undefined);
    if (reason === undefined) it(name, fn);
    else it.skip(`${name} — skipped: ${reason}`, fn);
  };

  /** Opens a reader on a fresh emulator feed, runs `body`, and always closes both. */
  const withReader = async (
    reads: readonly (readonly string[])[],
    overrides: Partial<ReaderConfig>,
    body: (reader: Reader, harness: ReaderHarness) => Promise<void>,
  ): Promise<void> => {
    const harness = await target.start(reads);
    const reader = createReader(harness.config({ triggerTimeoutMs: TIMEOUT_MS, ...overrides }));
    try {
      await Promise.all([reader.open(), harness.attach?.()]);
      await body(reader, harness);
    } finally {
      await reader.close();
      await harness.stop();
    }
  };

  /** One read: software trigger where the reader has one, else the reader's own trigger. */
  const readOnce = async (reader: Reader, harness: ReaderHarness): Promise<ReadResult> => {
    if (!lacking.has('software-trigger')) return reader.trigger();
    const next = nextRead(reader, TIMEOUT_MS * 2);
    await harness.fire();
    return next;
  };

  describe(`reader conformance: ${target.name}`, () => {
    it('opens to ready, reports state changes, closes idempotently', async () => {
      const harness = await target.start([['CAP-0001']]);
      const reader = createReader(harness.config());
      const states: ReaderState[] = [];
      reader.onStateChange((s) => { states.push(s); });
      try {
        expect(reader.state).toBe('closed');
        await Promise.all([reader.open(), harness.attach?.()]);
        expect(reader.state).toBe('ready');
        await reader.close();
        await reader.close();
        expect(reader.state).toBe('closed');
        expect(states).toEqual(['opening', 'ready', 'closing', 'closed']);
      } finally {
        await reader.close();
        await harness.stop();
      }
    });

    it('refuses to trigger while closed, with INVALID_STATE', async () => {
      const harness = await target.start([['CAP-0001']]);
      try {
        const reader = createReader(harness.config());
        await expect(reader.trigger()).rejects.toMatchObject({ code: 'INVALID_STATE' });
      } finally {
        await harness.stop();
      }
    });

    it('reads one code per trigger, with increasing trigger ids', async () => {
      await withReader([['CAP-0001'], ['CAP-0002']], {}, async (reader, harness) => {
        const a = await readOnce(reader, harness);
        const b = await readOnce(reader, harness);
        expect(a).toMatchObject({ kind: 'read', codes: [{ text: 'CAP-0001', symbology: 'unknown', gs1: false }] });
        expect(b).toMatchObject({ kind: 'read', codes: [{ text: 'CAP-0002' }] });
        expect(b.trigger.id).toBeGreaterThan(a.trigger.id);
        expect(reader.state).toBe('ready');
      });
    });

    it('reads 24 caps in one trigger, in order', async () => {
      const caps = Array.from({ length: 24 }, (_, i) => `CAP-${String(i + 1).padStart(4, '0')}`);
      await withReader([caps], { multi: { separator: ',' } }, async (reader, harness) => {
        const r = await readOnce(reader, harness);
        expect(r.kind).toBe('read');
        if (r.kind === 'read') expect(r.codes.map((c) => c.text)).toEqual(caps);
      });
    });

    it('parses GS1 scan data: AIM id, GS separators kept and split', async () => {
      await withReader([[GS1_CODE, ']Q1https://example.com/01/12312312312333']], { multi: { separator: ',' } }, async (reader, harness) => {
        const r = await readOnce(reader, harness);
        expect(r).toMatchObject({
          kind: 'read',
          codes: [
            { aimId: ']d2', symbology: 'gs1-datamatrix', gs1: true, text: `010614141000041721ABC123${GS}10LOT7`, fields: ['010614141000041721ABC123', '10LOT7'] },
            { aimId: ']Q1', symbology: 'qr', gs1: false, text: 'https://example.com/01/12312312312333' },
          ],
        });
        if (r.kind === 'read') expect(new TextDecoder().decode(r.codes[0]?.raw)).toBe(GS1_CODE);
      });
    });

    it('reports a no-read as a value', async () => {
      await withReader([[]], {}, async (reader, harness) => {
        const r = await readOnce(reader, harness);
        expect(r).toMatchObject({ kind: 'no-read', cause: 'reader' });
      });
    });

    it('suppresses a code seen again within the duplicate window', async () => {
      await withReader([['CAP-DUP'], ['CAP-DUP'], ['CAP-NEW']], { duplicateWindowMs: 60_000 }, async (reader, harness) => {
        expect(await readOnce(reader, harness)).toMatchObject({ kind: 'read', suppressed: 0 });
        expect(await readOnce(reader, harness)).toMatchObject({ kind: 'no-read', cause: 'all-suppressed', suppressed: 1 });
        expect(await readOnce(reader, harness)).toMatchObject({ kind: 'read', codes: [{ text: 'CAP-NEW' }] });
      });
    });

    it('delivers reader-triggered reads to onRead as external', async () => {
      await withReader([['CAP-EXT']], {}, async (reader, harness) => {
        const next = nextRead(reader, TIMEOUT_MS * 2);
        await harness.fire();
        expect(await next).toMatchObject({ kind: 'read', trigger: { source: 'external' }, codes: [{ text: 'CAP-EXT' }] });
      });
    });

    needs('software-trigger', 'times out to a no-read when the reader does not answer', async () => {
      await withReader([['CAP-0001']], { triggerTimeoutMs: 300 }, async (reader, harness) => {
        if (harness.silence === undefined) throw new Error('harness offers no way to silence the reader');
        await harness.silence();
        expect(await reader.trigger()).toMatchObject({ kind: 'no-read', cause: 'timeout' });
        expect(reader.state).toBe('ready');
      });
    });

    needs(['byte-faults', 'software-trigger'], 'a late answer after the timeout is reported as an external read, not lost', async () => {
      await withReader([['CAP-LATE']], { triggerTimeoutMs: 200 }, async (reader, harness) => {
        harness.faults!.delayMs = 500;
        const late = nextRead(reader, 3_000).then(() => nextRead(reader, 3_000));
        expect(await reader.trigger()).toMatchObject({ kind: 'no-read', cause: 'timeout' });
        expect(await late).toMatchObject({ kind: 'read', trigger: { source: 'external' }, codes: [{ text: 'CAP-LATE' }] });
      });
    });

    needs('byte-faults', 'reassembles frames split into single bytes', async () => {
      await withReader([['CAP-SPLIT', 'CAP-TWO']], { multi: { separator: ',' } }, async (reader, harness) => {
        harness.faults!.splitBytes = 1;
        expect(await readOnce(reader, harness)).toMatchObject({ kind: 'read', codes: [{ text: 'CAP-SPLIT' }, { text: 'CAP-TWO' }] });
      });
    });

    needs('byte-faults', 'survives garbage before a frame and reports it', async () => {
      await withReader([['CAP-0001']], {}, async (reader, harness) => {
        harness.faults!.garbageBefore = Uint8Array.from([0x00, 0x1b, 0xff, 0xfe, 0x41, 0x0d, 0x0a]);
        const r = await readOnce(reader, harness);
        expect(r).toMatchObject({ kind: 'read', codes: [{ text: 'CAP-0001' }] });
        expect(r.rejected.length).toBeGreaterThan(0);
        for (const part of r.rejected) expect(part.detail.length).toBeGreaterThan(0);
      });
    });

    needs('byte-faults', 'rejects an oversize frame with a reason and reads the next one', async () => {
      await withReader([['CAP-0001']], { maxFrameBytes: 512 }, async (reader, harness) => {
        harness.faults!.oversizeBytes = 4_000;
        const r = await readOnce(reader, harness);
        expect(r).toMatchObject({ kind: 'read', codes: [{ text: 'CAP-0001' }] });
        expect(r.rejected.map((p) => p.reason)).toContain('oversize');
      });
    });

    needs('byte-faults', 'a frame dropped mid-way never glues onto the next answer', async () => {
      await withReader([['CAP-AAAAAAAA'], ['CAP-BBBBBBBB']], { triggerTimeoutMs: 400, interCharTimeoutMs: 150 }, async (reader, harness) => {
        harness.faults!.truncateFrames = 1;
        const first = await (lacking.has('software-trigger')
          ? (async () => { const n = nextRead(reader, 500); await harness.fire(); return n; })()
          : reader.trigger()).catch((e: unknown) => e);
        if (lacking.has('software-trigger')) {
          expect(first).toBeInstanceOf(Error);
          await new Promise((r) => setTimeout(r, 300));
        } else {
          expect(first).toMatchObject({ kind: 'no-read', cause: 'timeout' });
          expect((first as ReadResult).rejected.length).toBeGreaterThan(0);
        }
        const second = await readOnce(reader, harness);
        expect(second).toMatchObject({ kind: 'read', codes: [{ text: 'CAP-BBBBBBBB' }] });
      });
    });

    needs('restart', 'goes to faulted when the reader restarts, and reopens', async () => {
      await withReader([['CAP-0001']], {}, async (reader, harness) => {
        const faulted = new Promise<void>((resolve) => {
          reader.onStateChange((s) => { if (s === 'faulted') resolve(); });
        });
        await harness.restart!();
        await faulted;
        expect(reader.state).toBe('faulted');
        await reader.open();
        expect(await readOnce(reader, harness)).toMatchObject({ kind: 'read', codes: [{ text: 'CAP-0001' }] });
      });
    });
  });
}

/** The next result delivered to onRead, or an Error after `timeoutMs`. */
export function nextRead(reader: Reader, timeoutMs: number): Promise<ReadResult> {
  return new Promise<ReadResult>((resolve, reject) => {
    const timer = setTimeout(() => { sub.dispose(); reject(new Error(`no read within ${timeoutMs} ms`)); }, timeoutMs);
    const sub = reader.onRead((r) => {
      clearTimeout(timer);
      sub.dispose();
      resolve(r);
    });
  });
}
