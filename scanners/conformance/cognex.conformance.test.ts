import { createCognexEmulator } from '../emulators/cognex-emulator.ts';
import { tcpTarget } from './line-target.ts';
import { runReaderConformance } from './reader.case.ts';

runReaderConformance(tcpTarget('Cognex DMCC over TCP (extended responses)', 'cognex', (endpoint, feed) => createCognexEmulator({ endpoint, feed })));
runReaderConformance(tcpTarget('Cognex DMCC over TCP (silent mode)', 'cognex', (endpoint, feed) => createCognexEmulator({ endpoint, feed, extended: false }), { extended: false }));
