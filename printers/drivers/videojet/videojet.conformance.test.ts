import { runPrinterConformance } from '../../conformance/printer.case.ts';
import { VideojetEmulator } from '../../emulators/videojet.ts';

const codes = Array.from({ length: 8 }, (_, i) => `https://m.example.cn/q/VJ${String(i).padStart(6, '0')}ZZ`);

for (const transport of ['tcp', 'serial'] as const) {
  runPrinterConformance({
    name: 'videojet',
    transport,
    config: (endpoint) => ({ kind: 'videojet', endpoint, options: { pollMs: 20 } }),
    emulator: () => new VideojetEmulator({ printMs: 15 }),
    codes,
    skip: [
      { reason: 'Zipher 文本协议对缓冲区满只回 ERR，与其他拒绝无法区分 (the text protocol answers ERR for a full queue, indistinguishable from other refusals)', tests: ['refuses jobs while the device buffer is full'] },
    ],
  });
}
