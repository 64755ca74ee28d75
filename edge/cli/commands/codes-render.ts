import { writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { choiceOption, integerOption, requireString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { MAX_SCALE, RenderError, SYMBOLOGIES, renderSymbol } from '../../render/index.ts';

const FORMAT_BY_EXTENSION: Readonly<Record<string, 'png' | 'svg'>> = { '.png': 'png', '.svg': 'svg' };

export const command: CommandSpec = {
  path: ['codes', 'render'],
  summary: '把数据画成条码图片 (render data as a barcode image: QR, DataMatrix, GS1 DataMatrix, GS1-128)',
  usesDb: false,
  options: {
    data: { type: 'string', value: 'TEXT', description: '条码内容；GS1 码制用 (01)…(21)… 格式 (data; GS1 symbologies take (01)…(21)…)' },
    symbology: { type: 'string', value: SYMBOLOGIES.join('|'), description: '码制 (symbology)' },
    out: { type: 'string', value: 'FILE.png|FILE.svg', description: '输出文件，格式由扩展名决定 (output file; format from its extension)' },
    scale: { type: 'string', value: 'N', description: `每模块像素数 1–${MAX_SCALE}，默认 4 (pixels per module, default 4)` },
  },
  details: [
    '示例 (examples):',
    '  wuma codes render --data "https://id.gs1.org/01/09501101530003/21/A1" --symbology qr --out qr.png',
    '  wuma codes render --data "(01)09501101530003(21)A1" --symbology gs1-datamatrix --out dm.svg',
    '  wuma codes render --data "(00)106141412345678908" --symbology gs1-128 --out pallet.png',
  ].join('\n'),
  async run(ctx, args) {
    const data = requireString(args, 'data');
    const symbology = choiceOption(args, 'symbology', SYMBOLOGIES);
    const out = requireString(args, 'out');
    const scale = integerOption(args, 'scale', { min: 1, max: MAX_SCALE }, 4);
    const format = FORMAT_BY_EXTENSION[extname(out).toLowerCase()];
    if (!format) {
      throw new UsageError(`--out 的扩展名 "${extname(out) || '(无 none)'}" 不支持，应为 .png 或 .svg (--out must end in .png or .svg)`);
    }
    let image: Buffer | string;
    try {
      image = await renderSymbol({ symbology, data, format, scale });
    } catch (error) {
      if (error instanceof RenderError) {
        throw new CommandFailure(error.message, error.issues.length > 0 ? { code: error.code, issues: error.issues } : { code: error.code });
      }
      throw error;
    }
    const path = resolve(out);
    try {
      writeFileSync(path, image);
    } catch (error) {
      throw new CommandFailure(`无法写入文件 ${path} (cannot write the file): ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    const bytes = typeof image === 'string' ? Buffer.byteLength(image) : image.length;
    if (ctx.json) ctx.printJson({ ok: true, out: path, symbology, format, scale, bytes, dataLength: data.length });
    else ctx.print(`已生成 ${symbology} 条码 (rendered): ${path} (${format}, ${bytes} 字节 bytes)`);
    return 0;
  },
};
