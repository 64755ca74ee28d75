import { describe, expect, it } from 'vitest';
import { CodeFeed } from './code-feed.ts';

describe('CodeFeed', () => {
  it('parses TAB-separated codes, "-" no-reads, comments and \\x1d, and cycles', () => {
    const feed = CodeFeed.fromText('# caps\nA\tB\n-\n]d20100\\x1d21X\n');
    expect(feed.size).toBe(3);
    expect(feed.next()).toEqual(['A', 'B']);
    expect(feed.next()).toEqual([]);
    expect(feed.next()).toEqual([']d20100\x1d21X']);
    expect(feed.next()).toEqual(['A', 'B']);
  });

  it('names the file and line of a bad entry', () => {
    expect(() => CodeFeed.fromText('A\nB\t\tC\n', 'caps.txt')).toThrow('caps.txt:2');
    expect(() => CodeFeed.fromText('# only a comment\n', 'empty.txt')).toThrow('empty.txt');
  });
});
