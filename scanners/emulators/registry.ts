import { createCognexEmulator } from './cognex-emulator.ts';
import type { CodeFeed } from './code-feed.ts';
import type { EmulatorEndpoint } from './emulator-transport.ts';
import { createKeyenceEmulator } from './keyence-emulator.ts';
import type { ReaderEmulator } from './reader-emulator.ts';
import { createTextEmulator, TEXT_EMULATOR_PRESETS } from './text-emulator.ts';

/** Byte-stream reader emulators by kind (the OPC UA one is `startOpcuaEmulator`). */
export type ByteEmulatorKind = 'cognex' | 'keyence' | 'hikrobot' | 'text' | 'serial';

export interface ByteEmulatorOptions {
  readonly endpoint: EmulatorEndpoint;
  readonly feed: CodeFeed;
  /** Text between codes of one multi-code read (default `,`). */
  readonly separator?: string;
  /** Text the reader sends on a no-read (vendor default when absent). */
  readonly noRead?: string;
  readonly readDelayMs?: number;
}

export const READER_EMULATORS: Readonly<Record<ByteEmulatorKind, (o: ByteEmulatorOptions) => ReaderEmulator>> = {
  cognex: (o) => createCognexEmulator({ ...o }),
  keyence: (o) => createKeyenceEmulator({ ...o }),
  hikrobot: (o) => createTextEmulator({ ...o, settings: withText(TEXT_EMULATOR_PRESETS.hikrobot, o) }),
  text: (o) => createTextEmulator({ ...o, settings: withText(TEXT_EMULATOR_PRESETS.text, o) }),
  serial: (o) => createTextEmulator({ ...o, settings: withText(TEXT_EMULATOR_PRESETS.serial, o) }),
};

function withText<T extends { separator: string; noRead: string }>(preset: T, o: ByteEmulatorOptions): T {
  return { ...preset, ...(o.separator === undefined ? {} : { separator: o.separator }), ...(o.noRead === undefined ? {} : { noRead: o.noRead }) };
}
