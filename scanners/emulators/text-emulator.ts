import type { CodeFeed } from './code-feed.ts';
import type { EmulatorEndpoint } from './emulator-transport.ts';
import { ReaderEmulator, type EmulatorProtocol } from './reader-emulator.ts';

/**
 * A text-output reader: output = prefix + codes joined by a separator (optionally led by the count) +
 * terminator; a no-read string; trigger strings matched anywhere in the input (Hikrobot's TCP trigger is the
 * bare word `start`, no terminator; notes/devices.md §2.3–2.4). Presets give the Hikrobot, generic and serial
 * handheld defaults; every field can be overridden.
 */
export interface TextEmulatorSettings {
  readonly prefix: string;
  readonly terminator: string;
  readonly separator: string;
  readonly countPrefix: boolean;
  readonly noRead: string;
  /** Empty = no software trigger (handheld): reads only come from `fire()`. */
  readonly triggerOn: string;
  readonly triggerOff: string;
}

export const TEXT_EMULATOR_PRESETS: Readonly<Record<'hikrobot' | 'text' | 'serial', TextEmulatorSettings>> = {
  hikrobot: { prefix: '', terminator: '\r\n', separator: ',', countPrefix: false, noRead: 'NoRead', triggerOn: 'start', triggerOff: 'stop' },
  text: { prefix: '', terminator: '\r\n', separator: ',', countPrefix: false, noRead: 'NoRead', triggerOn: '', triggerOff: '' },
  serial: { prefix: '', terminator: '\r', separator: ',', countPrefix: false, noRead: 'NoRead', triggerOn: '', triggerOff: '' },
};

export interface TextEmulatorOptions {
  readonly endpoint: EmulatorEndpoint;
  readonly feed: CodeFeed;
  readonly settings: TextEmulatorSettings;
  readonly readDelayMs?: number;
}

const enc = new TextEncoder();
const INPUT_LIMIT = 256;

export function createTextEmulator(options: TextEmulatorOptions): ReaderEmulator {
  const s = options.settings;
  const buffers = new Map<number, string>();
  const words = [s.triggerOn, s.triggerOff].filter((w) => w.length > 0);
  const protocol: EmulatorProtocol = {
    name: 'text',
    terminator: enc.encode(s.terminator),
    feed(id, chunk) {
      let buf = (buffers.get(id) ?? '') + Buffer.from(chunk).toString('latin1');
      const found: string[] = [];
      for (;;) {
        let best = -1;
        let word = '';
        for (const w of words) {
          const at = buf.indexOf(w);
          if (at >= 0 && (best < 0 || at < best)) { best = at; word = w; }
        }
        if (best < 0) break;
        found.push(word);
        buf = buf.slice(best + word.length);
      }
      buffers.set(id, buf.slice(-INPUT_LIMIT));
      return found;
    },
    endSession: (id) => { buffers.delete(id); },
    formatRead(codes) {
      const body = codes.length === 0 ? s.noRead : `${s.countPrefix ? `${codes.length}${s.separator}` : ''}${codes.join(s.separator)}`;
      return enc.encode(`${s.prefix}${body}${s.terminator}`);
    },
    handle(command, session, ctx) {
      if (ctx.ignoringTriggers) return;
      if (command === s.triggerOn) ctx.sendRead(session);
    },
  };
  return new ReaderEmulator(protocol, { endpoint: options.endpoint, feed: options.feed, ...(options.readDelayMs === undefined ? {} : { readDelayMs: options.readDelayMs }) });
}
