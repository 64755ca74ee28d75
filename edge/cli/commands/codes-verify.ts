import { CODE_KINDS, CODE_KIND_LABEL_ZH, SECRET_KINDS, type CodeKind } from '../../domain/kinds.ts';
import { maskCode } from '../../domain/mask.ts';
import { DEFAULT_PROFILES, identifyCode, verifyCode } from '../../codes/index.ts';
import { choiceOption } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { UsageError } from '../errors.ts';

interface CodeReport {
  /** The code as shown: masked when it is, or may be, a secret kind (cap-inner, case-inner). */
  readonly code: string;
  readonly masked: boolean;
  readonly ok: boolean;
  readonly kinds?: readonly CodeKind[];
  readonly reason?: string;
  readonly message?: string;
  readonly position?: number;
}

/**
 * Shown in full only when the code is known to be of a visible kind. An invalid code without --kind is
 * masked too: a misread cap-inner code is one character away from the real secret.
 */
function shown(code: string, secret: boolean): { code: string; masked: boolean } {
  return secret ? { code: maskCode(code), masked: true } : { code, masked: false };
}

function check(code: string, kind: CodeKind | undefined): CodeReport {
  if (kind !== undefined) {
    const result = verifyCode(code, DEFAULT_PROFILES[kind]);
    const display = shown(code, SECRET_KINDS.has(kind));
    return result.ok
      ? { ...display, ok: true, kinds: [kind] }
      : { ...display, ok: false, reason: result.reason, message: result.message, ...(result.position === undefined ? {} : { position: result.position }) };
  }
  const result = identifyCode(code);
  if (result.ok) return { ...shown(code, result.kinds.some((k) => SECRET_KINDS.has(k))), ok: true, kinds: result.kinds };
  return { ...shown(code, true), ok: false, reason: result.reason, message: result.message, ...(result.position === undefined ? {} : { position: result.position }) };
}

export const command: CommandSpec = {
  path: ['codes', 'verify'],
  summary: '离线检查码的格式与校验字符 (check code format and check character offline)',
  positionals: 'CODE...',
  usesDb: false,
  options: {
    kind: { type: 'string', value: 'KIND', description: `按此码类型的默认规则检查: ${CODE_KINDS.join(' | ')} (check against this kind's default profile)` },
  },
  details: [
    '不指定 --kind 时，按所有默认码规则识别 (without --kind, the code is matched against every default profile).',
    '只检查格式 (长度、前缀、字符集、ISO/IEC 7064 校验字符、GS1 校验位)，不查数据库 (format only; no database lookup).',
    '盖内码、箱内码在输出中打码显示 (cap-inner and case-inner codes are masked in the output).',
    '任一码无效则退出码 1 (exit 1 if any code is invalid).',
    '',
    '例 (example): wuma codes verify 7WS03M2AXHH26F06T --kind cap-inner',
  ].join('\n'),
  async run(ctx, args) {
    if (args.positionals.length === 0) throw new UsageError('缺少要检查的码 (no CODE given)');
    const kind = args.values['kind'] === undefined ? undefined : choiceOption(args, 'kind', CODE_KINDS);
    const reports = args.positionals.map((code) => check(code, kind));
    const invalid = reports.filter((r) => !r.ok).length;
    if (ctx.json) {
      ctx.printJson({ ok: invalid === 0, valid: reports.length - invalid, invalid, results: reports });
    } else {
      for (const r of reports) {
        if (r.ok) {
          const kinds = (r.kinds ?? []).map((k) => `${CODE_KIND_LABEL_ZH[k]} ${k}`).join(' / ');
          ctx.print(`✔ 有效 (valid)    ${r.code}  ${kinds}`);
        } else {
          ctx.print(`✘ 无效 (invalid)  ${r.code}  ${r.message ?? ''}`);
        }
      }
      ctx.print(`${reports.length - invalid} 个有效，${invalid} 个无效 (${reports.length - invalid} valid, ${invalid} invalid)`);
    }
    return invalid === 0 ? 0 : 1;
  },
};
