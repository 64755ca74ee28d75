import type { ReaderConfig, ReaderIdentity } from '../contract.ts';
import { ReaderConfigError } from '../errors.ts';
import type { DelimitedFramerOptions } from '../../links/index.ts';

/**
 * What one text-protocol reader family means by each frame. A dialect is data plus one pure classifier;
 * `LineReader` does the I/O, timing, trigger bookkeeping and state machine for all of them.
 */
export type FrameMeaning =
  /** Read data: the payload still holds every code of the message (split later by the multi-code format). */
  /** `count` = the number of codes the reader announced (output templates with a count field). */
  | { readonly kind: 'read'; readonly payload: Uint8Array; readonly count?: number }
  | { readonly kind: 'no-read' }
  /** Command acknowledged; `value` is the payload of a GET-style reply. */
  | { readonly kind: 'ack'; readonly value?: string }
  /** Command refused; `detail` names the reader's error code. */
  | { readonly kind: 'error'; readonly detail: string }
  /** A frame that is valid protocol but not for us (e.g. an unsolicited status). */
  | { readonly kind: 'ignore' }
  | { readonly kind: 'invalid'; readonly detail: string };

export interface LineDialect {
  readonly vendor: string;
  readonly framing: Omit<DelimitedFramerOptions, 'maxFrameBytes'>;
  /** Bytes of the software trigger start / stop; null when the reader has no software trigger. */
  readonly triggerOn: Uint8Array | null;
  readonly triggerOff: Uint8Array | null;
  classify(frame: Uint8Array): FrameMeaning;
  /** Commands that return identity fields, sent one by one after open (each answered by an `ack`). */
  readonly identityQueries?: readonly { readonly field: keyof ReaderIdentity; readonly command: Uint8Array }[];
}

/** The multi-code separator splits a message into codes: it must be non-empty and must not be GS (GS1 FNC1). */
export function checkMultiSeparator(config: ReaderConfig): void {
  if (config.multi !== undefined && (config.multi.separator.length === 0 || config.multi.separator.includes('\x1d'))) {
    throw new ReaderConfigError('multi.separator', '分隔符不能为空，也不能是 GS (separator must be non-empty and not GS)');
  }
}

/** Reads a string option, falling back to a default (used for the [?] protocol facts that stay configurable). */
export function stringOption(options: Readonly<Record<string, string | number | boolean>> | undefined, name: string, fallback: string): string {
  const value = options?.[name];
  return typeof value === 'string' ? value : fallback;
}

/** Decodes `\r`, `\n`, `\t`, `\xHH` escapes in configured strings (config files and CLI carry them as text). */
export function unescapeBytes(text: string): Uint8Array {
  const out: number[] = [];
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += 1) {
    const b = bytes[i] as number;
    if (b !== 0x5c || i + 1 >= bytes.length) {
      out.push(b);
      continue;
    }
    const next = String.fromCharCode(bytes[i + 1] as number);
    if (next === 'r') { out.push(0x0d); i += 1; } else if (next === 'n') { out.push(0x0a); i += 1; } else if (next === 't') { out.push(0x09); i += 1; } else if (next === '\\') { out.push(0x5c); i += 1; } else if (next === 'x' && i + 3 < bytes.length + 0 && /^[0-9a-fA-F]{2}$/.test(String.fromCharCode(bytes[i + 2] as number, bytes[i + 3] as number))) {
      out.push(Number.parseInt(String.fromCharCode(bytes[i + 2] as number, bytes[i + 3] as number), 16));
      i += 3;
    } else out.push(b);
  }
  return Uint8Array.from(out);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}
