import { describe, expect, it } from 'vitest';
import { DelimitedFramer, type FramerOutput } from './delimited-framer.ts';

const enc = new TextEncoder();
const frames = (out: readonly FramerOutput[]) => out.filter((o) => o.kind === 'frame').map((o) => (o.kind === 'frame' ? new TextDecoder().decode(o.bytes) : ''));
const rejects = (out: readonly FramerOutput[]) => out.filter((o) => o.kind === 'rejected').map((o) => (o.kind === 'rejected' ? o.reason : ''));

describe('DelimitedFramer', () => {
  it('frames CR LF lines across arbitrary chunk boundaries', () => {
    const f = new DelimitedFramer({ end: '\r\n', maxFrameBytes: 64 });
    const input = enc.encode('AAA\r\nBB\r\nC\r\n');
    const out: FramerOutput[] = [];
    for (const b of input) out.push(...f.push(Uint8Array.of(b)));
    expect(frames(out)).toEqual(['AAA', 'BB', 'C']);
    expect(f.bufferedBytes).toBe(0);
  });

  it('reports an oversize frame once, discards to the terminator, then resyncs', () => {
    const f = new DelimitedFramer({ end: '\r', maxFrameBytes: 8 });
    const out = f.push(enc.encode(`${'X'.repeat(100)}\rGOOD\r`));
    expect(rejects(out)).toEqual(['oversize']);
    expect(frames(out)).toEqual(['GOOD']);
    const first = out[0];
    expect(first?.kind === 'rejected' && first.detail).toContain('8');
  });

  it('accepts a frame of exactly maxFrameBytes, also with a split multi-byte terminator', () => {
    const f = new DelimitedFramer({ end: '\r\n', maxFrameBytes: 4 });
    expect(frames([...f.push(enc.encode('ABCD\r')), ...f.push(enc.encode('\n'))])).toEqual(['ABCD']);
    expect(rejects(f.push(enc.encode('ABCDE\r\n')))).toEqual(['oversize']);
  });

  it('with a start byte: garbage outside frames and a restart inside a frame are reported', () => {
    const f = new DelimitedFramer({ start: 0x02, end: '\x03', maxFrameBytes: 32 });
    const out = f.push(enc.encode('junk\x02ONE\x03\x02PART\x02TWO\x03'));
    expect(frames(out)).toEqual(['ONE', 'TWO']);
    expect(rejects(out)).toEqual(['garbage', 'garbage']);
  });

  it('skips a stray LF between CR frames, reports empty frames, flushes a partial frame', () => {
    const f = new DelimitedFramer({ end: '\r', maxFrameBytes: 32, skipBetweenFrames: [0x0a] });
    const out = f.push(enc.encode('A\r\nB\r\r\nPART'));
    expect(frames(out)).toEqual(['A', 'B']);
    expect(rejects(out)).toEqual(['empty']);
    expect(f.midFrame).toBe(true);
    expect(rejects(f.flush())).toEqual(['garbage']);
    expect(f.midFrame).toBe(false);
  });

  it('holds at most maxFrameBytes + terminator bytes for a 10 MB line with no terminator', () => {
    const f = new DelimitedFramer({ end: '\r\n', maxFrameBytes: 1024 });
    const chunk = new Uint8Array(64 * 1024).fill(0x41);
    let oversize = 0;
    for (let i = 0; i < 160; i += 1) {
      oversize += rejects(f.push(chunk)).length;
      expect(f.bufferedBytes).toBeLessThanOrEqual(1026);
    }
    expect(oversize).toBe(1);
    expect(frames(f.push(enc.encode('\r\nOK\r\n')))).toEqual(['OK']);
  });

  it('refuses impossible options', () => {
    expect(() => new DelimitedFramer({ end: '', maxFrameBytes: 10 })).toThrow(RangeError);
    expect(() => new DelimitedFramer({ end: '\r', maxFrameBytes: 0 })).toThrow(RangeError);
    expect(() => new DelimitedFramer({ start: 0x0d, end: '\r', maxFrameBytes: 10 })).toThrow(RangeError);
  });
});
