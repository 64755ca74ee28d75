import { describe, expect, it } from 'vitest';
import { createReader } from '../drivers/registry.ts';
import { createTextEmulator, TEXT_EMULATOR_PRESETS } from '../emulators/text-emulator.ts';
import { feedOf } from './line-target.ts';

/**
 * LineReader keeps at most 32 rejections for the next result and counts the rest in one `too-many` summary
 * entry (line-reader.ts MAX_PENDING_REJECTS): nothing is dropped without a trace, memory stays bounded.
 * Driven over TCP on 127.0.0.1 against the text emulator (STX-started, CR LF-terminated frames).
 */
const settings = { ...TEXT_EMULATOR_PRESETS.text, prefix: '\x02', triggerOn: 'TRG\r', triggerOff: 'STP\r', noRead: 'NR' };
const options = { startByte: '\\x02', triggerOn: 'TRG\\r', triggerOff: 'STP\\r', noRead: 'NR', terminator: '\\r\\n' };
const MAX_FRAME_BYTES = 64;

describe('LineReader pending rejections', () => {
  it('keeps 32 rejections and counts the rest in one summary entry, then starts afresh', async () => {
    const emulator = await createTextEmulator({ endpoint: { kind: 'tcp-listen', host: '127.0.0.1', port: 0 }, feed: feedOf([['CAP-0001'], ['CAP-0002']]), settings }).start();
    const reader = createReader({ kind: 'text', endpoint: { kind: 'tcp', host: '127.0.0.1', port: emulator.port }, options, maxFrameBytes: MAX_FRAME_BYTES, triggerTimeoutMs: 3_000 });
    try {
      await reader.open();
      // 20 oversize frames, then 20 frames cut short by the next start byte (5 bytes each: STX + "junk").
      const oversize = `\x02${'X'.repeat(MAX_FRAME_BYTES * 2)}\r\n`.repeat(20);
      const cutShort = '\x02junk'.repeat(20);
      emulator.faults.garbageBefore = new Uint8Array(Buffer.from(oversize + cutShort, 'latin1'));
      const first = await reader.trigger();
      expect(first).toMatchObject({ kind: 'read', codes: [{ text: 'CAP-0001' }] });
      expect(first.rejected).toHaveLength(33);
      expect(first.rejected.slice(0, 20).every((p) => p.reason === 'oversize')).toBe(true);
      expect(first.rejected.slice(20, 32).every((p) => p.reason === 'garbage' && p.byteLength === 5)).toBe(true);
      const summary = first.rejected[32];
      expect(summary).toMatchObject({ reason: 'too-many', count: 8, byteLength: 8 * 5 });
      expect(summary?.detail).toContain('8');
      expect(summary?.detail).toContain('garbage 8');

      const second = await reader.trigger();
      expect(second).toMatchObject({ kind: 'read', codes: [{ text: 'CAP-0002' }], rejected: [] });
    } finally {
      await reader.close();
      await emulator.stop();
    }
  });

  it('counts rejections of noise frames (no usable code, not an answer) the same way', async () => {
    const emulator = await createTextEmulator({ endpoint: { kind: 'tcp-listen', host: '127.0.0.1', port: 0 }, feed: feedOf([['CAP-0001']]), settings }).start();
    const reader = createReader({ kind: 'text', endpoint: { kind: 'tcp', host: '127.0.0.1', port: emulator.port }, options, maxFrameBytes: MAX_FRAME_BYTES, triggerTimeoutMs: 3_000 });
    try {
      await reader.open();
      // 40 complete frames whose only "code" is a control character: each is noise, its rejection waits.
      emulator.faults.garbageBefore = new Uint8Array(Buffer.from('\x02\x01\r\n'.repeat(40), 'latin1'));
      const r = await reader.trigger();
      expect(r).toMatchObject({ kind: 'read', codes: [{ text: 'CAP-0001' }] });
      expect(r.rejected).toHaveLength(33);
      expect(r.rejected.slice(0, 32).every((p) => p.reason === 'control-characters' && p.count === undefined)).toBe(true);
      expect(r.rejected[32]).toMatchObject({ reason: 'too-many', count: 8, byteLength: 8 });
      expect(r.rejected[32]?.detail).toContain('control-characters 8');
    } finally {
      await reader.close();
      await emulator.stop();
    }
  });
});
