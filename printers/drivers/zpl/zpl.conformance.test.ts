import { runPrinterConformance } from '../../conformance/printer.case.ts';
import { ZplEmulator } from '../../emulators/zpl.ts';

const GS = '\u001d';
const codes = Array.from({ length: 8 }, (_, i) => `0106901234567892${GS}21W${String(i).padStart(6, '0')}_K${GS}10L2024`);

for (const transport of ['tcp', 'serial'] as const) {
  runPrinterConformance({
    name: 'zpl',
    transport,
    config: (endpoint) => ({ kind: 'zpl', endpoint, symbology: 'gs1-datamatrix', options: { pollMs: 20 } }),
    emulator: () => new ZplEmulator({ printMs: 15 }),
    codes,
    skip: [
      { reason: 'ZPL 没有逐标签的拒收应答 (ZPL has no per-label NAK; a refused format is not reported)', tests: ['a refused job is rejected, not printed'] },
    ],
  });
}
