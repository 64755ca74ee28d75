import bwipjs from 'bwip-js';
import QRCode from 'qrcode';
import { parseElementString, toBracketedElementString } from '../codes/gs1/element-string.ts';
import { describeIssues } from '../codes/gs1/issue.ts';
import { RenderError } from './errors.ts';

export const SYMBOLOGIES = ['qr', 'datamatrix', 'gs1-datamatrix', 'gs1-128'] as const;
export type Symbology = (typeof SYMBOLOGIES)[number];
export const IMAGE_FORMATS = ['png', 'svg'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

export interface RenderRequest {
  readonly symbology: Symbology;
  /**
   * QR / DataMatrix: the text to carry (UTF-8). GS1 symbologies: a GS1 element string, bracketed
   * `(01)…(21)…` or raw with GS separators; it is validated against the syntax dictionary first.
   */
  readonly data: string;
  readonly format: ImageFormat;
  /** Pixels per module (per narrow bar for GS1-128), 1…20; default 4. */
  readonly scale?: number;
}

export const MAX_SCALE = 20;

/**
 * Quiet zones: QR 4 modules (ISO/IEC 18004 §6.3.8), DataMatrix ≥ 1 module (ISO/IEC 16022 §5.2; we give
 * more, handheld readers like it), GS1-128 10 modules (GS1 General Specifications §5.4.4.4).
 * Every image is drawn on opaque white: a transparent background reads as black on some printers and viewers.
 */
const BWIP: Readonly<Record<Exclude<Symbology, 'qr'>, { bcid: string; extra: Record<string, number> }>> = {
  datamatrix: { bcid: 'datamatrix', extra: { paddingwidth: 4, paddingheight: 4 } },
  'gs1-datamatrix': { bcid: 'gs1datamatrix', extra: { paddingwidth: 4, paddingheight: 4 } },
  'gs1-128': { bcid: 'gs1-128', extra: { paddingwidth: 12, paddingheight: 4, height: 15 } },
};

/** Validates GS1 data in any accepted form and returns the bracketed form bwip-js takes. */
function bracketedGs1(data: string, symbology: Symbology): string {
  const parsed = parseElementString(data);
  if (!parsed.ok) {
    throw new RenderError('INVALID_GS1_DATA', `${symbology} 需要有效的 GS1 数据，如 (01)…(21)… (needs valid GS1 data): ${describeIssues(parsed.issues)}`, { issues: parsed.issues });
  }
  return toBracketedElementString(parsed.elements);
}

/** The BWIPP error name only (`bwipp.datamatrixTooLong`): its message text may quote the data. */
function encoderReason(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  return /^[A-Za-z0-9_.]+(?=:)/.exec(message)?.[0] ?? 'unknown';
}

export function renderSymbol(request: RenderRequest & { readonly format: 'png' }): Promise<Buffer>;
export function renderSymbol(request: RenderRequest & { readonly format: 'svg' }): Promise<string>;
export function renderSymbol(request: RenderRequest): Promise<Buffer | string>;
/**
 * Draws one symbol: QR through `qrcode` (error correction M), the others through `bwip-js`. PNG comes back as
 * a Buffer, SVG as a string; both on a white background. Throws RenderError for bad data or options.
 */
export async function renderSymbol(request: RenderRequest): Promise<Buffer | string> {
  const { symbology, data, format } = request;
  const scale = request.scale ?? 4;
  if (!(SYMBOLOGIES as readonly string[]).includes(symbology)) {
    throw new RenderError('INVALID_OPTION', `不支持的码制 "${String(symbology)}"，可选 ${SYMBOLOGIES.join(' | ')} (unsupported symbology)`);
  }
  if (!(IMAGE_FORMATS as readonly string[]).includes(format)) {
    throw new RenderError('INVALID_OPTION', `不支持的图片格式 "${String(format)}"，可选 png | svg (unsupported image format)`);
  }
  if (!Number.isInteger(scale) || scale < 1 || scale > MAX_SCALE) {
    throw new RenderError('INVALID_OPTION', `放大倍数应为 1 到 ${MAX_SCALE} 的整数，收到 ${String(scale)} (scale must be a whole number 1…${MAX_SCALE})`);
  }
  if (data.length === 0) throw new RenderError('INVALID_DATA', '条码数据为空 (empty barcode data)');

  if (symbology === 'qr') {
    const options = { errorCorrectionLevel: 'M' as const, margin: 4, scale, color: { dark: '#000000ff', light: '#ffffffff' } };
    try {
      return format === 'png' ? await QRCode.toBuffer(data, { ...options, type: 'png' }) : await QRCode.toString(data, { ...options, type: 'svg' });
    } catch (error) {
      throw new RenderError('ENCODER_FAILED', `无法生成二维码（数据可能过长，${data.length} 个字符）(cannot encode the QR code; data may be too long)`, { cause: error });
    }
  }

  const { bcid, extra } = BWIP[symbology];
  // bwip-js encodes text as UTF-8 bytes itself (checked by decoding 五码 back byte for byte).
  const text = symbology === 'datamatrix' ? data : bracketedGs1(data, symbology);
  const options = { bcid, text, scale, backgroundcolor: 'FFFFFF', ...extra };
  try {
    return format === 'png' ? await bwipjs.toBuffer(options) : bwipjs.toSVG(options);
  } catch (error) {
    throw new RenderError('ENCODER_FAILED', `无法生成 ${symbology} 条码（数据 ${data.length} 个字符）(cannot encode the symbol): ${encoderReason(error)}`, { cause: error });
  }
}
