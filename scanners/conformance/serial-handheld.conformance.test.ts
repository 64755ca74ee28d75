import { openPtyPair } from '../../test/support/pty-pair.ts';
import { createTextEmulator, TEXT_EMULATOR_PRESETS } from '../emulators/text-emulator.ts';
import { ptyTarget } from './line-target.ts';
import { runReaderConformance } from './reader.case.ts';

runReaderConformance(ptyTarget('serial handheld scanner (socat pty, CR lines)', 'serial', (endpoint, feed) => createTextEmulator({ endpoint, feed, settings: TEXT_EMULATOR_PRESETS.serial }), openPtyPair, {}, [
  { capability: 'software-trigger', reason: '手持扫描枪由操作员按键触发 (a handheld is triggered by the operator’s button)' },
  { capability: 'restart', reason: '串口没有连接可断开 (a serial line has no connection to drop)' },
]));
