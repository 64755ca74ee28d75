import { displayCode } from '../domain/mask.ts';
import type { CodeKind } from '../domain/kinds.ts';
import { buildDigitalLink, percentEncodeDl } from './gs1/digital-link.ts';
import { toBracketedElementString } from './gs1/element-string.ts';
import { Gs1Error } from './gs1/errors.ts';
import type { Gs1Element } from './gs1/issue.ts';
import type { CodeProfile } from './profile.ts';

/**
 * What the symbols of one code carry (DESIGN §5).
 * - `text`: the data of a QR code or plain DataMatrix — the bare code, a URL from the profile's template, or a
 *   GS1 Digital Link URI.
 * - `elementString`: the bracketed GS1 element string for GS1 DataMatrix / GS1-128, or null when the code is
 *   not a GS1 key: SSCC → `(00)…`, SGTIN → `(01){gtin}(21){serial}`.
 */
export interface SymbolContent {
  readonly text: string;
  readonly elementString: string | null;
}

export interface SymbolContext {
  /** GTIN-14 of the product, for `{gtin}` in URL templates (SGTIN profiles carry their own). */
  readonly gtin?: string;
  readonly kind: CodeKind;
}

function gs1Elements(profile: CodeProfile, code: string): Gs1Element[] | null {
  if (profile.scheme === 'sscc') return [{ ai: '00', value: code }];
  if (profile.scheme === 'sgtin') return [{ ai: '01', value: profile.gtin }, { ai: '21', value: code }];
  return null;
}

/** Re-throws a GS1 failure with the code masked when its kind is secret (cap-inner, case-inner). */
function contentError(message: string, code: string, ctx: SymbolContext, cause?: unknown): Gs1Error {
  return new Gs1Error('CONTENT_UNSUPPORTED', `${message}: ${displayCode(code, ctx.kind)}`, { cause });
}

/**
 * The data the symbols of `code` carry under `profile`. URL templates take `{code}` (percent-encoded like a
 * Digital Link value), `{kind}` and `{gtin}`; a Digital Link needs a GS1 key (an SSCC or SGTIN profile).
 * Throws Gs1Error `CONTENT_UNSUPPORTED` (with the code masked for secret kinds) when the profile cannot
 * express the code.
 */
export function symbolContent(profile: CodeProfile, code: string, ctx: SymbolContext): SymbolContent {
  let elements: Gs1Element[] | null;
  let elementString: string | null;
  try {
    elements = gs1Elements(profile, code);
    elementString = elements ? toBracketedElementString(elements) : null;
  } catch (error) {
    throw contentError('码值不是有效的 GS1 数据 (code is not valid GS1 data)', code, ctx, error);
  }
  const content = profile.content;
  if (content.type === 'plain') return { text: code, elementString };
  if (content.type === 'url') {
    const gtin = profile.scheme === 'sgtin' ? profile.gtin : ctx.gtin;
    if (content.template.includes('{gtin}') && gtin === undefined) {
      throw contentError('网址模板含 {gtin}，但产品没有 GTIN (URL template uses {gtin} but the product has no GTIN)', code, ctx);
    }
    const text = content.template.replace(/\{(code|kind|gtin)\}/g, (_m, name: string) =>
      name === 'code' ? percentEncodeDl(code) : name === 'kind' ? ctx.kind : percentEncodeDl(gtin ?? ''));
    return { text, elementString };
  }
  if (!elements) {
    throw contentError('GS1 数字链接需要 SSCC 或 SGTIN 码 (a Digital Link needs an SSCC or SGTIN code)', code, ctx);
  }
  try {
    return { text: buildDigitalLink(elements, { stem: content.domain }), elementString };
  } catch (error) {
    if (error instanceof Gs1Error && error.code === 'INVALID_URI_STEM') throw error;
    throw contentError('无法生成 GS1 数字链接 (cannot build the Digital Link)', code, ctx, error);
  }
}
