import { describe, expect, it } from 'vitest';
import { DuplicateWindow } from './duplicate-window.ts';

describe('DuplicateWindow', () => {
  it('flags a repeat inside the window only', () => {
    const w = new DuplicateWindow(1_000);
    expect(w.isDuplicate('A', 0)).toBe(false);
    expect(w.isDuplicate('A', 999)).toBe(true);
    expect(w.isDuplicate('A', 2_500)).toBe(false);
    expect(w.isDuplicate('B', 2_500)).toBe(false);
  });

  it('is off at 0 ms and bounded in size', () => {
    const off = new DuplicateWindow(0);
    expect(off.isDuplicate('A', 0)).toBe(false);
    expect(off.isDuplicate('A', 1)).toBe(false);
    const w = new DuplicateWindow(60_000, 100);
    for (let i = 0; i < 1_000; i += 1) w.isDuplicate(`C${i}`, i);
    expect(w.size).toBe(100);
    expect(w.isDuplicate('C999', 1_000)).toBe(true);
    expect(w.isDuplicate('C0', 1_000)).toBe(false);
  });
});
