import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DelimiterFramer } from './delimiter-framer.ts';
import { EscFramer } from './esc-framer.ts';
import type { FrameEvent, Framer } from './frame-event.ts';
import { StxEtxFramer } from './stx-etx-framer.ts';

const b = (...xs: number[]): Uint8Array => Uint8Array.from(xs);
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const frames = (events: FrameEvent[]): string[] => events.flatMap((e) => (e.kind === 'frame' ? [Buffer.from(e.bytes).toString('latin1')] : []));

/** Feeds the stream one byte at a time and all at once; both must give the same events. */
function feedBoth(make: () => Framer, stream: Uint8Array): FrameEvent[] {
  const whole = make().push(stream);
  const f = make();
  const split = [...stream].flatMap((x) => f.push(b(x)));
  expect(JSON.stringify(split.filter((e) => e.kind !== 'rejected'))).toBe(JSON.stringify(whole.filter((e) => e.kind !== 'rejected')));
  return whole;
}

describe('DelimiterFramer', () => {
  const make = (): DelimiterFramer => new DelimiterFramer({ delimiter: 0x0d, ignore: [0x0a], maxFrame: 8 });
  it('splits on CR, ignores LF, survives split chunks', () => {
    expect(frames(feedBoth(make, ascii('ACK\r\nERR\r\n')))).toEqual(['ACK', 'ERR']);
  });
  it('reports an over-long frame and resynchronises at the next delimiter', () => {
    const ev = make().push(ascii('0123456789ABC\rACK\r'));
    expect(ev[0]).toMatchObject({ kind: 'rejected', reason: 'oversize', byteLength: 13 });
    expect(frames(ev)).toEqual(['ACK']);
  });
  it('rejects a silly maxFrame', () => {
    expect(() => new DelimiterFramer({ delimiter: 13, maxFrame: 0 })).toThrow(/maxFrame/);
  });
});

describe('StxEtxFramer', () => {
  const make = (): StxEtxFramer => new StxEtxFramer({ maxFrame: 16, controlBytes: [0x06, 0x15], ignoreOutside: [0x0d, 0x0a] });
  it('yields frames and control bytes, ignores CRLF between frames', () => {
    const ev = feedBoth(make, b(0x06, 0x02, ...ascii('abc'), 0x03, 0x0d, 0x0a, 0x15));
    expect(ev.map((e) => e.kind)).toEqual(['control', 'frame', 'control']);
    expect(frames(ev)).toEqual(['abc']);
  });
  it('reports garbage, over-long and truncated frames as values', () => {
    const ev = make().push(b(0x41, 0x42, 0x02, ...ascii('x'.repeat(20)), 0x03, 0x02, 0x31, 0x02, 0x32, 0x03));
    expect(ev.map((e) => (e.kind === 'rejected' ? e.reason : e.kind))).toEqual(['garbage', 'oversize', 'truncated', 'frame']);
    expect(frames(ev)).toEqual(['2']);
  });
});

describe('EscFramer (Linx RCI)', () => {
  const make = (): EscFramer => new EscFramer({ startBytes: [0x02, 0x06, 0x15], endByte: 0x03, controlBytes: [0x0f, 0x19], maxFrame: 16 });
  it('parses the manual example Start Print 1B 02 11 1B 03 EA', () => {
    const ev = feedBoth(make, b(0x1b, 0x02, 0x11, 0x1b, 0x03, 0xea));
    expect(ev).toEqual([{ kind: 'frame', start: 0x02, bytes: b(0x11), trailer: 0xea }]);
  });
  it('unescapes ESC ESC and passes async print-go / print-end bytes', () => {
    const ev = feedBoth(make, b(0x0f, 0x1b, 0x06, 0x00, 0x1b, 0x1b, 0x1b, 0x03, 0x99, 0x19));
    expect(ev).toEqual([{ kind: 'control', byte: 0x0f }, { kind: 'frame', start: 0x06, bytes: b(0x00, 0x1b), trailer: 0x99 }, { kind: 'control', byte: 0x19 }]);
  });
  it('bounds frame size', () => {
    const ev = make().push(b(0x1b, 0x02, ...new Array<number>(40).fill(0x41), 0x1b, 0x03, 0x00));
    expect(ev).toEqual([expect.objectContaining({ kind: 'rejected', reason: 'oversize' })]);
  });
});

describe('framers under hostile input', () => {
  const makers: Array<[string, () => Framer, number]> = [
    ['delimiter', () => new DelimiterFramer({ delimiter: 0x0d, maxFrame: 64 }), 64],
    ['stx-etx', () => new StxEtxFramer({ maxFrame: 64, controlBytes: [6, 0x15] }), 64],
    ['esc', () => new EscFramer({ startBytes: [2, 6], endByte: 3, controlBytes: [0x0f, 0x19], maxFrame: 64 }), 64],
  ];
  for (const [name, make, max] of makers) {
    it(`${name}: never throws, never yields a frame over maxFrame`, () => {
      fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), (chunks) => {
        const f = make();
        for (const c of chunks) {
          for (const e of f.push(c)) if (e.kind === 'frame') expect(e.bytes.length).toBeLessThanOrEqual(max);
        }
      }), { numRuns: 2_000 });
    });
  }
});
