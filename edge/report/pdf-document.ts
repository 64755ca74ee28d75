import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { ReportError } from './errors.ts';

/** Debian / Ubuntu package fonts-wqy-zenhei (a TrueType collection). */
export const DEFAULT_CJK_FONT = '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc';
/** The face inside the collection: pdfkit (fontkit) picks a .ttc member by its PostScript name. */
export const DEFAULT_CJK_FACE = 'WenQuanYiZenHei';

export interface PdfOptions {
  /** A .ttf/.otf file, or a .ttc collection with `fontFace`; default DEFAULT_CJK_FONT (env WUMA_REPORT_FONT in the CLI). */
  readonly fontPath?: string;
  /** PostScript name of the face in a .ttc; default DEFAULT_CJK_FACE for .ttc files. */
  readonly fontFace?: string;
}

export type PdfDoc = InstanceType<typeof PDFDocument>;

/**
 * Renders one A4 document with an embedded CJK font: checks the font first (FONT_MISSING names the package to
 * install), lets `draw` write the pages synchronously, and resolves with the whole file. Any failure while drawing
 * or encoding is RENDER_FAILED. Every printable report (batch reconciliation, dispatch orders, dealers) goes
 * through here, so they share one font rule and one error shape.
 */
export function renderPdf(title: string, options: PdfOptions & { readonly layout?: 'portrait' | 'landscape' }, draw: (doc: PdfDoc) => void): Promise<Buffer> {
  const fontPath = options.fontPath ?? DEFAULT_CJK_FONT;
  if (!existsSync(fontPath)) {
    throw new ReportError('FONT_MISSING', `找不到中文字体 ${fontPath}，请安装 fonts-wqy-zenhei 或用 WUMA_REPORT_FONT 指定字体文件 (CJK font not found; install fonts-wqy-zenhei or set WUMA_REPORT_FONT)`);
  }
  const face = options.fontFace ?? (fontPath.toLowerCase().endsWith('.ttc') ? DEFAULT_CJK_FACE : undefined);
  return new Promise<Buffer>((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', layout: options.layout ?? 'portrait', margin: 36, info: { Title: title, Author: 'wuma' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => { resolve(Buffer.concat(chunks)); });
    doc.on('error', (e: unknown) => { reject(new ReportError('RENDER_FAILED', `PDF 生成失败 (PDF rendering failed): ${String(e)}`, { cause: e })); });
    try {
      if (face === undefined) doc.font(fontPath);
      else doc.font(fontPath, face);
      draw(doc);
      doc.end();
    } catch (error) {
      reject(new ReportError('RENDER_FAILED', `PDF 生成失败 (PDF rendering failed): ${(error as Error).message}`, { cause: error }));
    }
  });
}
