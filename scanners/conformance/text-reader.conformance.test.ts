import { createTextEmulator, TEXT_EMULATOR_PRESETS } from '../emulators/text-emulator.ts';
import { tcpTarget } from './line-target.ts';
import { runReaderConformance } from './reader.case.ts';

/** A Datalogic-style setup: header `#`, trigger strings, CR LF, the count before the codes (separator below). */
const settings = { ...TEXT_EMULATOR_PRESETS.text, prefix: '#', triggerOn: 'TRG\r', triggerOff: 'STP\r', noRead: 'NR', countPrefix: false };
runReaderConformance(tcpTarget('generic text reader over TCP (prefix, trigger strings)', 'text', (endpoint, feed) => createTextEmulator({ endpoint, feed, settings }), {
  prefix: '#', triggerOn: 'TRG\\r', triggerOff: 'STP\\r', noRead: 'NR', terminator: '\\r\\n',
}));
