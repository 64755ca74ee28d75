/**
 * Both sides pinned by golden bytes transcribed from the manuals (test/fixtures/printers/<vendor>/*.json):
 * the drivers' codecs must produce / parse them, and the emulators (which never import driver code) must answer
 * the host bytes with the printer bytes over a real TCP connection.
 */
import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { fillTemplate, encodeMessage } from './drivers/hitachi/codec.ts';
import { decodeReply, decodeStatus, encodeCommand, linxChecksum } from './drivers/linx/codec.ts';
import { jobDataNamed, selectJob } from './drivers/videojet/codec.ts';
import { parseHostStatus, recallFormat, storeFormat } from './drivers/zpl/codec.ts';
import { HitachiEmulator } from './emulators/hitachi.ts';
import { LinxEmulator } from './emulators/linx.ts';
import type { PrinterEmulator } from './emulators/printer-emulator.ts';
import { TextEmulator } from './emulators/text.ts';
import { VideojetEmulator } from './emulators/videojet.ts';
import { ZplEmulator } from './emulators/zpl.ts';
import type { Symbology } from './contract.ts';

const fixture = <T>(path: string): T => JSON.parse(readFileSync(new URL(`../test/fixtures/printers/${path}`, import.meta.url), 'utf8')) as T;
const hex = (h: string): Buffer => Buffer.from(h, 'hex');

/** Sends `bytes` to the emulator over TCP and collects the reply until `want` bytes arrived (bounded by 2 s). */
async function exchange(emulator: PrinterEmulator, bytes: Uint8Array, want: number): Promise<Buffer> {
  const { host, port } = await emulator.listenTcp();
  const socket = new Socket();
  try {
    await new Promise<void>((resolve, reject) => { socket.once('error', reject); socket.connect(port, host, resolve); });
    const chunks: Buffer[] = [];
    const got = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2_000);
      socket.on('data', (c: Buffer) => { chunks.push(c); if (Buffer.concat(chunks).length >= want) { clearTimeout(t); resolve(); } });
    });
    socket.write(bytes);
    await got;
    return Buffer.concat(chunks);
  } finally {
    socket.destroy();
    await emulator.close();
  }
}

describe('Linx RCI golden frames (MP65038 §2)', () => {
  const f = fixture<{ exchanges: Array<{ name: string; host: string; printer: string }> }>('linx/rci-frames.json');
  const [start, status] = f.exchanges;
  it('codec encodes the manual frames and the checksum rule', () => {
    expect(Buffer.from(encodeCommand(0x11)).toString('hex')).toBe(start?.host);
    expect(Buffer.from(encodeCommand(0x14)).toString('hex')).toBe(status?.host);
    expect(linxChecksum([0x02, 0x11, 0x03])).toBe(0xea);
  });
  it('codec decodes the manual status reply (jet stopped, print idle)', () => {
    const raw = hex(status?.printer ?? '');
    const body = raw.subarray(2, raw.length - 3);
    const reply = decodeReply(0x06, body, raw[raw.length - 1] ?? 0);
    expect(reply).not.toBeNull();
    expect(decodeStatus(reply?.data ?? new Uint8Array())).toEqual({ jet: 'stopped', print: 'idle', errorMask: 0 });
    expect(decodeReply(0x06, body, 0x00)).toBeNull();
  });
  it('emulator answers Start Print with the manual reply', async () => {
    const reply = await exchange(new LinxEmulator(), hex(start?.host ?? ''), 8);
    expect(reply.toString('hex')).toBe(start?.printer);
  });
});

describe('ZPL golden formats (ZPL II guide ^DF/^XF/^FN, ^BX, ^BC, ^BQ, ~HS)', () => {
  const f = fixture<{
    formats: Array<{ symbology: Symbology; layout: { formatName: string; x: number; y: number; size: number }; store: string; code: string; recall: string }>;
    hostStatus: { reply: string[]; meaning: Record<string, unknown> };
  }>('zpl/format-recall.json');
  for (const g of f.formats) {
    it(`${g.symbology}: codec stores and recalls exactly as the fixture`, () => {
      const layout = { ...g.layout, symbology: g.symbology };
      expect(storeFormat(layout)).toBe(g.store);
      expect(recallFormat(layout, g.code)).toBe(g.recall);
    });
    it(`${g.symbology}: emulator prints the exact code from the fixture bytes`, async () => {
      const emu = new ZplEmulator({ printMs: 1 });
      const { host, port } = await emu.listenTcp();
      const socket = new Socket();
      try {
        await new Promise<void>((resolve) => { socket.connect(port, host, resolve); });
        socket.write(g.store + g.recall);
        const end = Date.now() + 2_000;
        while (emu.printed.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
        expect(emu.printed.map((p) => p.code)).toEqual([g.code]);
      } finally {
        socket.destroy();
        await emu.close();
      }
    });
  }
  it('codec parses the ~HS three strings', () => {
    expect(parseHostStatus(f.hostStatus.reply)).toEqual(f.hostStatus.meaning);
    expect(parseHostStatus(['030,0,0', 'x', 'y'])).toBeNull();
  });
});

describe('Videojet text protocol golden lines (Zipher B-1)', () => {
  const f = fixture<{ exchanges: Array<{ name: string; host: string; printer: string }> }>('videojet/text-protocol.json');
  it('codec builds SEL and JDA exactly', () => {
    expect(selectJob('WUMA')).toBe(f.exchanges[0]?.host);
    expect(jobDataNamed({ VarField01: 'N7K2ABCDQ9' })).toBe(f.exchanges[1]?.host);
  });
  for (const x of f.exchanges) {
    it(`emulator: ${x.name}`, async () => {
      const emu = new VideojetEmulator();
      const prefix = x.name === 'named job data' ? 'SEL|WUMA|\r' : '';
      const expected = (prefix ? 'ACK\r' : '') + x.printer;
      const reply = await exchange(emu, Buffer.from(prefix + x.host, 'latin1'), expected.length);
      expect(reply.toString('latin1')).toBe(expected);
    });
  }
});

describe('Hitachi IJ golden exchange (PH manual ch. 6)', () => {
  const f = fixture<{ exchanges: Array<{ name: string; host?: string; hostRepeat?: { prefix: string; fill: string; count: number; suffix: string }; printer: string }> }>('hitachi/basic-exchange.json');
  it('codec frames print contents and refuses over 1500 bytes', () => {
    expect(Buffer.from(encodeMessage(fillTemplate('{code}', 'N7K2ABCDQ9')) ?? []).toString('hex')).toBe(f.exchanges[1]?.host);
    expect(encodeMessage('A'.repeat(1498))).not.toBeNull();
    expect(encodeMessage('A'.repeat(1499))).toBeNull();
  });
  for (const x of f.exchanges) {
    it(`emulator: ${x.name}`, async () => {
      const r = x.hostRepeat;
      const bytes = r ? Buffer.concat([hex(r.prefix), Buffer.alloc(r.count, Number.parseInt(r.fill, 16)), hex(r.suffix)]) : hex(x.host ?? '');
      const reply = await exchange(new HitachiEmulator(), bytes, 1);
      expect(reply.toString('hex')).toBe(x.printer);
    });
  }
});

describe('text printer golden lines', () => {
  const f = fixture<{ exchanges: Array<{ host: string; printer: string; later: string }> }>('text/line-protocol.json');
  it('emulator acknowledges, then reports the print', async () => {
    const x = f.exchanges[0];
    const reply = await exchange(new TextEmulator({ printMs: 5 }), Buffer.from(x?.host ?? ''), (x?.printer.length ?? 0) + (x?.later.length ?? 0));
    expect(reply.toString()).toBe(`${x?.printer}${x?.later}`);
  });
});
