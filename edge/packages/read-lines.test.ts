import { describe, expect, it } from 'vitest';
import { readLines, type LineStats } from './read-lines.ts';

async function lines(chunks: string[], max = 512): Promise<{ out: Array<[number, string | null]>; stats: LineStats }> {
  const stats: LineStats = { lines: 0, bom: false, crlf: 0 };
  const out: Array<[number, string | null]> = [];
  async function* src(): AsyncGenerator<Uint8Array> { for (const c of chunks) yield Buffer.from(c); }
  for await (const b of readLines(src(), stats, max)) b.texts.forEach((t, i) => out.push([b.first + i, t]));
  return { out, stats };
}

describe('readLines', () => {
  it('numbers lines across chunk borders, strips a BOM and CRs, keeps a last line without newline', async () => {
    const { out, stats } = await lines(['\uFEFFAB', 'C\r\nDE\n\nF', 'G\r', '\nH']);
    expect(out).toEqual([[1, 'ABC'], [2, 'DE'], [3, ''], [4, 'FG'], [5, 'H']]);
    expect(stats).toEqual({ lines: 5, bom: true, crlf: 2 });
  });
  it('reports an over-long line as null without buffering it, and goes on', async () => {
    const { out } = await lines(['OK\n', 'x'.repeat(30), 'y'.repeat(30), '\nNEXT\n', 'z'.repeat(40)], 16);
    expect(out).toEqual([[1, 'OK'], [2, null], [3, 'NEXT'], [4, null]]);
  });
});
