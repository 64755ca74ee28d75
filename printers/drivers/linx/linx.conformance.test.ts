import { runPrinterConformance } from '../../conformance/printer.case.ts';
import { LinxEmulator } from '../../emulators/linx.ts';

const codes = Array.from({ length: 8 }, (_, i) => `LX7K2${String(i).padStart(5, '0')}Q9`);

for (const transport of ['tcp', 'serial'] as const) {
  runPrinterConformance({
    name: 'linx',
    transport,
    config: (endpoint) => ({ kind: 'linx', endpoint, options: { pollMs: 50 } }),
    emulator: () => new LinxEmulator({ printMs: 15, bufferSize: 8 }),
    codes,
  });
}
