import { describe, expect, it } from 'vitest';
import { splitMessage } from './split-message.ts';

const enc = new TextEncoder();
const texts = (parts: readonly Uint8Array[]) => parts.map((p) => new TextDecoder().decode(p));

describe('splitMessage', () => {
  it('without a format the message is one code', () => {
    expect(texts(splitMessage(enc.encode('A,B'), undefined).parts)).toEqual(['A,B']);
  });

  it('splits on a multi-byte separator', () => {
    expect(texts(splitMessage(enc.encode('A;;B;;C'), { separator: ';;' }).parts)).toEqual(['A', 'B', 'C']);
  });

  it('checks a count prefix and rejects a mismatch with a reason', () => {
    expect(texts(splitMessage(enc.encode('3,A,B,C'), { separator: ',', countPrefix: true }).parts)).toEqual(['A', 'B', 'C']);
    const bad = splitMessage(enc.encode('24,A,B'), { separator: ',', countPrefix: true });
    expect(bad.parts).toEqual([]);
    expect(bad.rejected[0]).toMatchObject({ reason: 'count-mismatch' });
    expect(bad.rejected[0]?.detail).toContain('24');
    expect(splitMessage(enc.encode('X,A'), { separator: ',', countPrefix: true }).rejected[0]).toMatchObject({ reason: 'count-mismatch' });
  });
});
