/** edge/render — draws barcodes (QR, DataMatrix, GS1 DataMatrix, GS1-128) to PNG or SVG. Explicit exports. */
export type { ImageFormat, RenderRequest, Symbology } from './render-symbol.ts';
export { IMAGE_FORMATS, MAX_SCALE, SYMBOLOGIES, renderSymbol } from './render-symbol.ts';
export type { RenderErrorCode } from './errors.ts';
export { RenderError } from './errors.ts';
