import { runPrinterConformance } from '../../conformance/printer.case.ts';
import { TextEmulator } from '../../emulators/text.ts';

const codes = Array.from({ length: 8 }, (_, i) => `盖码-TX${String(i).padStart(6, '0')}K`);

for (const transport of ['tcp', 'serial'] as const) {
  runPrinterConformance({
    name: 'text (done line names the code)',
    transport,
    config: (endpoint) => ({ kind: 'text', endpoint, options: { sendTemplate: '{code}\\r\\n', ackPattern: '^OK$', nakPattern: '^ERR$', donePattern: '^DONE (?<code>.+)$' } }),
    emulator: () => new TextEmulator({ printMs: 15, done: 'DONE {code}' }),
    codes,
    skip: [
      { reason: '通用文本协议没有状态查询 (the generic text protocol has no status query)', tests: ['reports a device fault and recovers', 'refuses jobs while the device buffer is full'] },
    ],
  });
}
