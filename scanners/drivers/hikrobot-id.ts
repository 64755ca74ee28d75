import type { ReaderConfig } from '../contract.ts';
import type { LineDialect } from './line-dialect.ts';
import { textDialect } from './text-reader.ts';

/**
 * Hikrobot (海康机器人) ID2000/3000/5000 code readers, text output over TCP (notes/devices.md §2.3):
 * - the reader is a TCP server (we connect, endpoint `tcp`) or a TCP client (we listen, endpoint `tcp-listen`) [D];
 * - TCP trigger strings `start` / `stop` by default, both configurable in IDMVS [D] → options `triggerOn` /
 *   `triggerOff`;
 * - the output is a configurable template with prefix / separator / suffix and a NoRead string [D]; the
 *   default suffix CR LF and NoRead text `NoRead` are our defaults, not documented ones [?] → options
 *   `prefix`, `terminator`, `noRead`, `template` (`{count}`, `{codes}`, `{skip}` fields, see text-reader.ts),
 *   and `multi` for the separator;
 * - there is no documented default port [?]: the endpoint must name one.
 */
export function hikrobotDialect(config: ReaderConfig): LineDialect {
  return textDialect(config, { vendor: 'Hikrobot', triggerOn: 'start', triggerOff: 'stop', terminator: '\\r\\n', noRead: 'NoRead' });
}
