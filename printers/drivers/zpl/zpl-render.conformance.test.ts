/**
 * The labels the driver sends, as the emulator expands them, rendered by an independent ZPL engine
 * (zpl-renderer-js = Zebrash) and decoded by ZXingReader: the symbol must carry the exact code, GS1 FNC1 / GS
 * separators intact (symbology identifiers ]d2 GS1 DataMatrix, ]C1 GS1-128, ]Q1 QR).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test/support/temp-dir.ts';
import type { Symbology } from '../../contract.ts';
import { createPrinter } from '../../create-printer.ts';
import { ZplEmulator } from '../../emulators/zpl.ts';

const GS = '\u001d';

const cases: Array<{ symbology: Symbology; code: string; id: string; text: string }> = [
  // No '_' in the serial here: the guide encodes it as `__`, Zebrash renders `__` literally (the emulator and
  // golden fixtures cover `__`; a real printer must be checked — README list of unverified facts).
  { symbology: 'gs1-datamatrix', code: `0106901234567892${GS}21N7K2Q9${GS}10L2024`, id: ']d2', text: `0106901234567892${GS}21N7K2Q9${GS}10L2024` },
  { symbology: 'datamatrix', code: 'N7K2ABCDEFGHQ9', id: ']d1', text: 'N7K2ABCDEFGHQ9' },
  { symbology: 'gs1-128', code: '00069012340000000017', id: ']C1', text: '00069012340000000017' },
  { symbology: 'gs1-128', code: `0106901234567892${GS}21AB12`, id: ']C1', text: `0106901234567892${GS}21AB12` },
  { symbology: 'qr', code: 'https://m.example.cn/q/N7K2ABCDQ9', id: ']Q1', text: 'https://m.example.cn/q/N7K2ABCDQ9' },
];

// No skip when ZXingReader is missing: zxing-cpp-tools is in .ci/debian-packages.txt, test/ci-packages.test.ts checks it.
describe('ZPL labels render and decode to the exact code (zpl-renderer-js + ZXingReader)', () => {
  for (const c of cases) {
    it(`${c.symbology} ${c.code.replaceAll(GS, '<GS>')}`, async () => {
      const emu = new ZplEmulator({ printMs: 1 });
      const addr = await emu.listenTcp();
      const printer = createPrinter({ kind: 'zpl', endpoint: { kind: 'tcp', ...addr }, symbology: c.symbology, options: { pollMs: 10 } });
      const dir = makeTempDir();
      try {
        await printer.open();
        expect(await printer.print({ id: '1', code: c.code })).toEqual({ kind: 'printed' });
        const label = emu.printed[0]?.detail ?? '';
        const { ready } = await import('zpl-renderer-js');
        const { api } = await ready;
        const png = await api.zplToBase64Async(label, 60, 40, 8);
        const file = dir.file('label.png');
        writeFileSync(file, Buffer.from(png, 'base64'));
        const out = execFileSync('ZXingReader', ['-escape', file], { encoding: 'utf8', timeout: 20_000 });
        const text = /^Text:\s+"(.*)"$/m.exec(out)?.[1];
        const id = /^Identifier:\s+(\S+)/m.exec(out)?.[1];
        expect(id).toBe(c.id);
        expect(text?.replaceAll('<GS>', GS)).toBe(c.text);
      } finally {
        await printer.close();
        await emu.close();
        dir.remove();
      }
    });
  }
});
