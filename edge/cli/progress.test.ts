import { describe, expect, it } from 'vitest';
import { formatDuration, formatRate, ProgressBar } from './progress.ts';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (text: string) => { writes.push(text); return true; } } };
}

describe('ProgressBar', () => {
  it('draws nothing when stderr is not a terminal', () => {
    const { writes, stream } = fakeStream(false);
    const bar = new ProgressBar(stream, '生成盖内码');
    bar.update('写入数据库', 5, 10);
    bar.finish();
    expect(bar.enabled).toBe(false);
    expect(writes).toEqual([]);
  });

  it('draws a Chinese label, bar, percent, counts, rate and ETA, redrawing in place', () => {
    let t = 0;
    const { writes, stream } = fakeStream(true);
    const bar = new ProgressBar(stream, '生成盖内码', { now: () => t, barWidth: 10 });
    bar.update('写入数据库', 0, 10_000_000);
    t = 2_000;
    bar.update('写入数据库', 5_000_000, 10_000_000);
    const line = writes.at(-1) ?? '';
    expect(line.startsWith('\r')).toBe(true);
    expect(line.endsWith('\x1b[K')).toBe(true);
    expect(line).toContain('生成盖内码 写入数据库 [█████░░░░░]  50.0%  5,000,000/10,000,000  2.5M/s  剩余 2s');
    bar.finish();
    expect(writes.at(-1)).toBe('\n');
  });

  it('throttles redraws within a phase but always draws a phase change and completion', () => {
    let t = 0;
    const { writes, stream } = fakeStream(true);
    const bar = new ProgressBar(stream, 'x', { now: () => t, minIntervalMs: 100 });
    bar.update('a', 1, 10);
    t = 10;
    bar.update('a', 2, 10);
    expect(writes).toHaveLength(1);
    bar.update('b', 0, 10);
    expect(writes).toHaveLength(2);
    t = 20;
    bar.update('b', 10, 10);
    expect(writes).toHaveLength(3);
    expect(writes.at(-1)).toContain('完成');
  });

  it('measures the rate from the start of the current phase', () => {
    let t = 0;
    const { stream } = fakeStream(true);
    const bar = new ProgressBar(stream, 'x', { now: () => t });
    bar.update('排序', 0, 100);
    t = 10_000;
    bar.update('写入', 40, 100);
    t = 11_000;
    expect(bar.render(50, 100)).toContain('10/s  剩余 5s');
  });
});

describe('formatting', () => {
  it('formats rates and durations', () => {
    expect(formatRate(1_234_567)).toBe('1.2M/s');
    expect(formatRate(12_345)).toBe('12.3k/s');
    expect(formatRate(12)).toBe('12/s');
    expect(formatRate(0)).toBe('—/s');
    expect(formatDuration(4.4)).toBe('4s');
    expect(formatDuration(125)).toBe('2分05秒');
    expect(formatDuration(3720)).toBe('1时02分');
    expect(formatDuration(Number.NaN)).toBe('—');
  });
});
