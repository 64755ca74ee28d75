import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rasterizeSvg, toPgm } from '../../test/fixtures/gs1/svg-raster.ts';
import { makeTempDir, type TempDir } from '../../test/support/temp-dir.ts';
import { RenderError } from './errors.ts';
import { renderSymbol, type ImageFormat, type Symbology } from './render-symbol.ts';

/**
 * Every symbology decoded by real decoders (Debian zbar-tools, dmtx-utils, zxing-cpp-tools), byte for byte.
 * What each decoder prints for GS1 data: zbarimg and `ZXingReader -bytes` drop the leading FNC1 and show
 * separators as GS; `dmtxread -G 29` prints every FNC1, the leading one included, as GS (0x1D).
 * SVG output is rasterised by test/fixtures/gs1/svg-raster.ts (no SVG converter is installed) and decoded too.
 */
const run = promisify(execFile);
const GS = '\u001d';

async function decode(tool: 'zbarimg' | 'dmtxread' | 'zxing', file: string): Promise<Buffer> {
  const [cmd, args] = tool === 'zbarimg' ? ['zbarimg', ['-q', '--raw', file]]
    : tool === 'dmtxread' ? ['dmtxread', ['-G', '29', '-N', '1', '-m', '5000', file]]
      : ['ZXingReader', ['-bytes', file]];
  const { stdout } = await run(cmd, args, { encoding: 'buffer', timeout: 20_000 });
  return tool === 'zbarimg' && stdout.at(-1) === 0x0a ? stdout.subarray(0, -1) : stdout;
}

let dir: TempDir;
beforeAll(() => { dir = makeTempDir('wuma-render-'); });
afterAll(() => { dir.remove(); });

let n = 0;
async function renderToFile(symbology: Symbology, data: string, format: ImageFormat): Promise<string> {
  n += 1;
  if (format === 'png') {
    const png = await renderSymbol({ symbology, data, format: 'png', scale: 4 });
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    const file = dir.file(`s${n}.png`);
    writeFileSync(file, png);
    return file;
  }
  const svg = await renderSymbol({ symbology, data, format: 'svg', scale: 4 });
  expect(svg).toMatch(/^<svg|^<\?xml/);
  const file = dir.file(`s${n}.pgm`);
  writeFileSync(file, toPgm(rasterizeSvg(svg, symbology === 'qr' ? 6 : 2)));
  return file;
}

const CASES: { symbology: Symbology; data: string; expected: Record<string, string> }[] = [
  { symbology: 'qr', data: 'https://q.brand.cn/01/09501101530003/21/Ab3%2B9?x=1',
    expected: { zbarimg: 'https://q.brand.cn/01/09501101530003/21/Ab3%2B9?x=1', zxing: 'https://q.brand.cn/01/09501101530003/21/Ab3%2B9?x=1' } },
  { symbology: 'qr', data: 'N7K2ABCDEFGHJKQ9', expected: { zbarimg: 'N7K2ABCDEFGHJKQ9', zxing: 'N7K2ABCDEFGHJKQ9' } },
  { symbology: 'datamatrix', data: 'HELLO wuma 0123-xyz', expected: { dmtxread: 'HELLO wuma 0123-xyz', zxing: 'HELLO wuma 0123-xyz' } },
  { symbology: 'gs1-datamatrix', data: '(01)09501101530003(10)L24A(17)291231(21)Ab3xY9',
    expected: { dmtxread: `${GS}010950110153000310L24A${GS}1729123121Ab3xY9`, zxing: `010950110153000310L24A${GS}1729123121Ab3xY9` } },
  { symbology: 'gs1-datamatrix', data: `]d2${GS}00106141412345678908`,
    expected: { dmtxread: `${GS}00106141412345678908`, zxing: '00106141412345678908' } },
  { symbology: 'gs1-128', data: '(00)106141412345678908', expected: { zbarimg: '00106141412345678908', zxing: '00106141412345678908' } },
  { symbology: 'gs1-128', data: '(01)09501101530003(21)S123(10)LOT7',
    expected: { zbarimg: `010950110153000321S123${GS}10LOT7`, zxing: `010950110153000321S123${GS}10LOT7` } },
];

describe('renderSymbol decoded by real decoders', () => {
  for (const c of CASES) {
    for (const format of ['png', 'svg'] as const) {
      it(`${c.symbology} ${format}: ${c.data.replaceAll(GS, '<GS>')}`, async () => {
        const file = await renderToFile(c.symbology, c.data, format);
        for (const [tool, want] of Object.entries(c.expected)) {
          const got = await decode(tool as 'zbarimg' | 'dmtxread' | 'zxing', file);
          expect(got.toString('latin1').replaceAll(GS, '<GS>'), tool).toBe(want.replaceAll(GS, '<GS>'));
        }
      });
    }
  }

  it('UTF-8 text in QR and DataMatrix comes back as the same bytes', async () => {
    const text = '五码 wuma 盖内码';
    const qr = await renderToFile('qr', text, 'png');
    expect((await decode('zxing', qr)).toString('utf8')).toBe(text);
    const dm = await renderToFile('datamatrix', text, 'png');
    expect(await decode('dmtxread', dm)).toEqual(Buffer.from(text, 'utf8'));
  });

  it('draws on opaque white: PNG corner pixel and SVG background', async () => {
    for (const symbology of ['qr', 'datamatrix', 'gs1-datamatrix', 'gs1-128'] as const) {
      const data = symbology.startsWith('gs1') ? '(00)106141412345678908' : 'ABC';
      const svg = await renderSymbol({ symbology, data, format: 'svg' });
      expect(svg, symbology).toMatch(/fill="#(FFFFFF|ffffff)"/);
      const raster = rasterizeSvg(svg);
      expect(raster.pixels[0], symbology).toBe(255);
    }
  });
});

describe('renderSymbol refuses bad input with clear errors', () => {
  const fails = async (req: Parameters<typeof renderSymbol>[0]): Promise<RenderError> => {
    try { await renderSymbol(req); } catch (error) { if (error instanceof RenderError) return error; throw error; }
    throw new Error('did not fail');
  };
  it('bad GS1 data names AI, position and reason, never the value', async () => {
    const e = await fails({ symbology: 'gs1-datamatrix', data: '(01)09501101530004(21)SECRETSERIAL', format: 'png' });
    expect(e.code).toBe('INVALID_GS1_DATA');
    expect(e.message).toMatch(/^gs1-datamatrix 需要有效的 GS1 数据/);
    expect(e.message).toContain('(01)');
    expect(e.message).toContain('校验位错误');
    expect(e.message).not.toContain('SECRETSERIAL');
    expect(e.issues.map((i) => [i.ai, i.position, i.reason])).toEqual([['01', 17, 'bad-check-digit']]);
    expect((await fails({ symbology: 'gs1-128', data: 'HELLO', format: 'svg' })).code).toBe('INVALID_GS1_DATA');
  });
  it('bad options and impossible data', async () => {
    expect((await fails({ symbology: 'qr', data: 'x', format: 'png', scale: 0 })).code).toBe('INVALID_OPTION');
    expect((await fails({ symbology: 'qr', data: 'x', format: 'gif' as ImageFormat })).code).toBe('INVALID_OPTION');
    expect((await fails({ symbology: 'aztec' as Symbology, data: 'x', format: 'png' })).code).toBe('INVALID_OPTION');
    expect((await fails({ symbology: 'qr', data: '', format: 'png' })).code).toBe('INVALID_DATA');
    const tooLong = await fails({ symbology: 'qr', data: 'SECRET'.repeat(1000), format: 'png' });
    expect(tooLong.code).toBe('ENCODER_FAILED');
    expect(tooLong.message).not.toContain('SECRET');
    const dmTooLong = await fails({ symbology: 'datamatrix', data: 'SECRET'.repeat(1000), format: 'svg' });
    expect(dmTooLong.code).toBe('ENCODER_FAILED');
    expect(dmTooLong.message).not.toContain('SECRET');
  });
});
