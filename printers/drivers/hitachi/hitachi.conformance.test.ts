import { runPrinterConformance } from '../../conformance/printer.case.ts';
import { HitachiEmulator } from '../../emulators/hitachi.ts';

const codes = Array.from({ length: 6 }, (_, i) => `HT${String(i).padStart(8, '0')}AB`);

for (const transport of ['tcp', 'serial'] as const) {
  runPrinterConformance({
    name: 'hitachi',
    transport,
    config: (endpoint) => ({ kind: 'hitachi', endpoint }),
    emulator: () => new HitachiEmulator({ printMs: 15 }),
    codes,
    repliesBeforeJobAck: 1,
    skip: [
      { reason: '协议只有 ACK/NAK，缓冲区满与通信错误同为 NAK (the protocol only has ACK/NAK; a full buffer is a plain NAK)', tests: ['refuses jobs while the device buffer is full'] },
      { reason: '只确认接收 (accepted)，没有打印完成信号，重启后无法得知哪些未打印 (receipt-only confirmation: after a restart nothing tells which contents were printed)', tests: ['reports every unconfirmed code after a restart mid-job'] },
    ],
  });
}
