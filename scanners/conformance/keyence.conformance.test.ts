import { openPtyPair } from '../../test/support/pty-pair.ts';
import { createKeyenceEmulator } from '../emulators/keyence-emulator.ts';
import { ptyTarget, tcpTarget } from './line-target.ts';
import { runReaderConformance } from './reader.case.ts';

runReaderConformance(tcpTarget('Keyence SR over TCP', 'keyence', (endpoint, feed) => createKeyenceEmulator({ endpoint, feed })));
runReaderConformance(ptyTarget('Keyence SR over RS-232 (socat pty)', 'keyence', (endpoint, feed) => createKeyenceEmulator({ endpoint, feed }), openPtyPair, {}, [
  { capability: 'restart', reason: '串口没有连接可断开 (a serial line has no connection to drop; restart is tested over TCP)' },
]));
