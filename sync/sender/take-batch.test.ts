import { describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../contract.ts';
import { takeBatch } from './take-batch.ts';

const entry = (id: number, body: string): OutboxEntry => ({ id, eventId: `e${id}`, eventType: 'ObjectEvent', body, createdAt: '2026-01-01T00:00:00.000Z', attempts: 0 });
const size = { envelope: 100, separator: 1 };
const bytes = (e: OutboxEntry): number => Buffer.byteLength(e.body);

describe('takeBatch', () => {
  const entries = [entry(1, 'a'.repeat(10)), entry(2, 'b'.repeat(10)), entry(3, '码'.repeat(10)), entry(4, 'd')];

  it('stops at the event-count limit', () => {
    const b = takeBatch(entries, 2, 10_000, size, bytes);
    expect(b.entries.map((e) => e.id)).toEqual([1, 2]);
    expect(b.bytes).toBe(100 + 10 + 1 + 10);
  });

  it('stops before the byte limit, counting UTF-8 bytes and separators exactly', () => {
    // 100 + 10 + (1 + 10) = 121; the third body is 30 bytes of UTF-8 (10 × 3): 121 + 31 = 152.
    expect(takeBatch(entries, 10, 151, size, bytes).entries.map((e) => e.id)).toEqual([1, 2]);
    expect(takeBatch(entries, 10, 152, size, bytes).entries.map((e) => e.id)).toEqual([1, 2, 3]);
    expect(takeBatch(entries, 10, 152, size, bytes).bytes).toBe(152);
  });

  it('always takes one event, even an oversized one, so the queue cannot stall on it', () => {
    expect(takeBatch(entries, 10, 50, size, bytes).entries.map((e) => e.id)).toEqual([1]);
    expect(takeBatch([], 10, 50, size, bytes).entries).toEqual([]);
  });
});
