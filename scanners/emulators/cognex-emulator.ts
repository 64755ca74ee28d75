import type { CodeFeed } from './code-feed.ts';
import type { EmulatorEndpoint } from './emulator-transport.ts';
import { LineCommands } from './line-commands.ts';
import { ReaderEmulator, type EmulatorProtocol } from './reader-emulator.ts';

/**
 * Cognex DataMan, DMCC side (DataMan Communications & Programming Guide, "DMCC"; notes/devices.md §2.1).
 * Commands `||>CMD args` or `||<chk>:<id>>CMD args`, CR LF terminated, case-insensitive. Implemented:
 * TRIGGER ON / OFF, SET COM.DMCC-RESPONSE 0|1, GET DEVICE.TYPE / DEVICE.SERIAL-NUMBER / DEVICE.FIRMWARE-VER.
 * Extended mode answers `||:<id>[0]` (+ value) and sends reads as `||:[1]<data>`; silent mode sends bare data.
 * Anything else gets status 101 (invalid command) in extended mode.
 */
export interface CognexEmulatorOptions {
  readonly endpoint: EmulatorEndpoint;
  readonly feed: CodeFeed;
  readonly extended?: boolean;
  readonly noRead?: string;
  readonly separator?: string;
  readonly readDelayMs?: number;
}

const enc = new TextEncoder();
const HEADER = /^\|\|(?:(\d*):(\d*))?>(.*)$/s;

export function createCognexEmulator(options: CognexEmulatorOptions): ReaderEmulator {
  let extended = options.extended ?? true;
  const lines = new LineCommands(0x0a);
  const protocol: EmulatorProtocol = {
    name: 'cognex',
    terminator: enc.encode('\r\n'),
    feed: (id, chunk) => lines.feed(id, chunk).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)),
    endSession: (id) => { lines.end(id); },
    formatRead(codes) {
      const data = codes.length === 0 ? (options.noRead ?? 'NOREAD') : codes.join(options.separator ?? ',');
      return enc.encode(`${extended ? '||:[1]' : ''}${data}\r\n`);
    },
    handle(command, session, ctx) {
      const m = HEADER.exec(command);
      if (m === null) return; // not a DMCC command: the reader ignores it
      const id = m[2] ?? '';
      const [verb = '', ...args] = (m[3] ?? '').trim().split(/\s+/);
      const text = [verb, ...args].join(' ').toUpperCase();
      const ack = (value = ''): void => { if (extended) ctx.reply(session, enc.encode(`||:${id}[0]${value}\r\n`)); };
      const fail = (status: number): void => { if (extended) ctx.reply(session, enc.encode(`||:${id}[${status}]\r\n`)); };
      if (text === 'TRIGGER ON') {
        if (ctx.ignoringTriggers) return;
        ack();
        ctx.sendRead(session);
      } else if (text === 'TRIGGER OFF') {
        if (ctx.ignoringTriggers) return;
        ack();
      } else if (text === 'SET COM.DMCC-RESPONSE 1' || text === 'SET COM.DMCC-RESPONSE 0') {
        extended = text.endsWith('1');
        ack();
      } else if (text === 'GET DEVICE.TYPE') {
        ack('DataMan 470 (emulated)');
      } else if (text === 'GET DEVICE.SERIAL-NUMBER') {
        ack('EMU0000470');
      } else if (text === 'GET DEVICE.FIRMWARE-VER') {
        ack('6.1.16 (emulated)');
      } else {
        fail(101);
      }
    },
  };
  return new ReaderEmulator(protocol, { endpoint: options.endpoint, feed: options.feed, ...(options.readDelayMs === undefined ? {} : { readDelayMs: options.readDelayMs }) });
}
