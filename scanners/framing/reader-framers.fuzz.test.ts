import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleRead } from '../assemble-read.ts';
import type { ReaderConfig } from '../contract.ts';
import { cognexDialect } from '../drivers/cognex-dmcc.ts';
import { hikrobotDialect } from '../drivers/hikrobot-id.ts';
import { keyenceDialect } from '../drivers/keyence-sr.ts';
import type { LineDialect } from '../drivers/line-dialect.ts';
import { serialHandheldDialect } from '../drivers/serial-handheld.ts';
import { textDialect } from '../drivers/text-reader.ts';
import { DuplicateWindow } from '../duplicate-window.ts';
import { DelimitedFramer, type FramerOutput } from '../../links/index.ts';

/**
 * Hostile-input fuzzing of every reader framer as each driver configures it (issue 3 "Must show"): ≥ 10,000
 * inputs per framer mixing oversize lines, NUL / ESC / CR / LF / STX / ETX runs, invalid UTF-8 and valid frames,
 * fed in random chunk splits. Properties:
 * - nothing throws (framer, dialect classifier, read assembly);
 * - memory is bounded: the framer never holds more than maxFrameBytes + terminator bytes;
 * - every frame is ≤ maxFrameBytes; every rejection carries a reason and a non-empty detail;
 * - resync: every well-formed frame that follows a terminator comes out intact, in order.
 */
const MAX = 96;
const RUNS = 10_000;
const cfg = (kind: ReaderConfig['kind'], options: ReaderConfig['options'] = {}): ReaderConfig => ({ kind, endpoint: { kind: 'tcp', host: '127.0.0.1', port: 1 }, options });

const dialects: readonly { name: string; dialect: LineDialect }[] = [
  { name: 'Cognex DMCC (CR LF)', dialect: cognexDialect(cfg('cognex')) },
  { name: 'Keyence SR (CR)', dialect: keyenceDialect(cfg('keyence')) },
  { name: 'Keyence SR (STX/ETX)', dialect: keyenceDialect(cfg('keyence', { framing: 'stx-etx' })) },
  { name: 'Hikrobot ID (CR LF)', dialect: hikrobotDialect(cfg('hikrobot')) },
  { name: 'generic text (prefix #, STX start, ETX end)', dialect: textDialect(cfg('text', { prefix: '#', startByte: '\\x02', terminator: '\\x03' })) },
  { name: 'serial handheld (CR)', dialect: serialHandheldDialect(cfg('serial')) },
];

const hostileByte = fc.constantFrom(0x00, 0x1b, 0x0d, 0x0a, 0x02, 0x03, 0x1d, 0xff, 0xc3, 0x80, 0x7c, 0x5d);
const noise = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  fc.array(hostileByte, { maxLength: 40 }).map((a) => Uint8Array.from(a)),
  fc.integer({ min: MAX + 1, max: MAX * 6 }).map((n) => new Uint8Array(n).fill(0x58)),
  fc.constantFrom(Uint8Array.from([0xc3, 0x28]), Uint8Array.from([0xed, 0xa0, 0x80]), Uint8Array.from([0xf8, 0x88, 0x80, 0x80, 0x80])),
);
const goodCode = fc.stringMatching(/^[A-Z0-9]{1,40}$/);

describe('reader framers under hostile input', () => {
  for (const { name, dialect } of dialects) {
    it(`${name}: ${RUNS} hostile inputs — no crash, bounded memory, reasons for every rejection, resync`, () => {
      const end = typeof dialect.framing.end === 'string' ? new TextEncoder().encode(dialect.framing.end) : dialect.framing.end;
      const start = dialect.framing.start;
      const wrap = (payload: Uint8Array): Uint8Array => Uint8Array.from([...(start === undefined ? [] : [start]), ...payload, ...end]);
      const prefix = name.includes('prefix #') ? '#' : '';
      fc.assert(
        fc.property(
          fc.array(fc.oneof(noise.map((n) => ({ kind: 'noise' as const, bytes: n })), goodCode.map((c) => ({ kind: 'good' as const, code: c }))), { maxLength: 12 }),
          fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
          (segments, cuts) => {
            const framer = new DelimitedFramer({ ...dialect.framing, maxFrameBytes: MAX });
            // Each segment ends with a terminator so the framer can resync; a good frame after it must survive.
            const parts: Uint8Array[] = [];
            const expectedGood: string[] = [];
            for (const s of segments) {
              if (s.kind === 'noise') parts.push(Uint8Array.from([...s.bytes, ...end]));
              else {
                parts.push(wrap(new TextEncoder().encode(`${prefix}${s.code}`)));
                expectedGood.push(`${prefix}${s.code}`);
              }
            }
            const input = Buffer.concat(parts);
            const out: FramerOutput[] = [];
            let offset = 0;
            for (let i = 0; offset < input.length; i += 1) {
              const size = cuts[i % cuts.length] ?? 1;
              out.push(...framer.push(input.subarray(offset, offset + size)));
              offset += size;
              expect(framer.bufferedBytes).toBeLessThanOrEqual(MAX + end.length);
            }
            out.push(...framer.flush());
            const seen: string[] = [];
            for (const o of out) {
              if (o.kind === 'rejected') {
                expect(o.reason).toMatch(/^(oversize|garbage|empty)$/);
                expect(o.detail.length).toBeGreaterThan(0);
                continue;
              }
              expect(o.bytes.length).toBeLessThanOrEqual(MAX);
              seen.push(Buffer.from(o.bytes).toString('latin1'));
              const meaning = dialect.classify(o.bytes);
              if (meaning.kind === 'read') {
                const r = assembleRead(meaning.payload, { trigger: { id: 1, source: 'external' }, multi: { separator: ',' }, window: new DuplicateWindow(0), now: 0 });
                for (const part of r.rejected) expect(part.detail.length).toBeGreaterThan(0);
              }
            }
            // Resync: the good frames appear, in order, as a subsequence of the frames seen.
            let k = 0;
            for (const s of seen) if (k < expectedGood.length && s === expectedGood[k]) k += 1;
            expect(k).toBe(expectedGood.length);
          },
        ),
        { numRuns: RUNS },
      );
    }, 120_000);
  }
});
