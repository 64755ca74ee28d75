import type { ReaderConfig } from '../contract.ts';
import type { LineDialect } from './line-dialect.ts';
import { textDialect } from './text-reader.ts';

/**
 * Serial handheld scanners (RS-232 or USB-CDC): each scan is one line, CR terminated by default (option
 * `terminator`; scanners often send CR LF, the stray LF is skipped). The operator's trigger button is an
 * external trigger; a software trigger is optional: Honeywell serial trigger `[SYN]T[CR]` / `[SYN]U[CR]`
 * (16 54 0D / 16 55 0D) [C] → options `triggerOn: "\x16T\r"`, `triggerOff: "\x16U\r"`.
 */
export function serialHandheldDialect(config: ReaderConfig): LineDialect {
  return textDialect(config, { vendor: 'serial handheld', terminator: '\\r', noRead: 'NoRead' });
}
