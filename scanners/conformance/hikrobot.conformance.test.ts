import { createTextEmulator, TEXT_EMULATOR_PRESETS } from '../emulators/text-emulator.ts';
import { tcpClientModeTarget, tcpTarget } from './line-target.ts';
import { runReaderConformance } from './reader.case.ts';

const preset = TEXT_EMULATOR_PRESETS.hikrobot;
runReaderConformance(tcpTarget('Hikrobot ID, reader as TCP server', 'hikrobot', (endpoint, feed) => createTextEmulator({ endpoint, feed, settings: preset })));
runReaderConformance(tcpClientModeTarget('Hikrobot ID, reader as TCP client', 'hikrobot', (endpoint, feed) => createTextEmulator({ endpoint, feed, settings: preset }), {}, [
  { capability: 'restart', reason: '客户端模式下读码器重启后需重新监听，由站点重连逻辑负责 (in client mode the station re-listens; covered by server mode)' },
]));
runReaderConformance(tcpTarget('Hikrobot ID, output template "{count},{codes}"', 'hikrobot', (endpoint, feed) => createTextEmulator({ endpoint, feed, settings: { ...preset, countPrefix: true } }), { template: '{count},{codes}' }));
