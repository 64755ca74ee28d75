import type { CodeFeed } from './code-feed.ts';
import type { EmulatorEndpoint } from './emulator-transport.ts';
import { LineCommands } from './line-commands.ts';
import { ReaderEmulator, type EmulatorProtocol } from './reader-emulator.ts';

/**
 * Keyence SR series, command side (SR-750 User Manual ch. 7–8; notes/devices.md §2.2), CR framing:
 * `LON` → `OK,LON` then the data (or `ERROR` on no-read); `LOFF` → `OK,LOFF`; a leading ESC clears the receive
 * buffer [D]; unknown commands → `ER,<cmd>,00` [?].
 */
export interface KeyenceEmulatorOptions {
  readonly endpoint: EmulatorEndpoint;
  readonly feed: CodeFeed;
  readonly noRead?: string;
  readonly separator?: string;
  readonly commandResponses?: boolean;
  readonly readDelayMs?: number;
}

const enc = new TextEncoder();

export function createKeyenceEmulator(options: KeyenceEmulatorOptions): ReaderEmulator {
  const lines = new LineCommands(0x0d);
  const responses = options.commandResponses ?? true;
  const protocol: EmulatorProtocol = {
    name: 'keyence',
    terminator: enc.encode('\r'),
    feed: (id, chunk) => lines.feed(id, chunk, 0x1b).map((l) => l.replace(/^\n/, '')),
    endSession: (id) => { lines.end(id); },
    formatRead: (codes) => enc.encode(`${codes.length === 0 ? (options.noRead ?? 'ERROR') : codes.join(options.separator ?? ',')}\r`),
    handle(command, session, ctx) {
      const ok = (): void => { if (responses) ctx.reply(session, enc.encode(`OK,${command}\r`)); };
      if (command === 'LON') {
        if (ctx.ignoringTriggers) return;
        ok();
        ctx.sendRead(session);
      } else if (command === 'LOFF') {
        if (ctx.ignoringTriggers) return;
        ok();
      } else if (command.length > 0) {
        ctx.reply(session, enc.encode(`ER,${command.slice(0, 8)},00\r`));
      }
    },
  };
  return new ReaderEmulator(protocol, { endpoint: options.endpoint, feed: options.feed, ...(options.readDelayMs === undefined ? {} : { readDelayMs: options.readDelayMs }) });
}
