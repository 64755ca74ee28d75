import type { ReaderConfig } from '../contract.ts';
import { ReaderConfigError } from '../errors.ts';
import type { FrameMeaning, LineDialect } from './line-dialect.ts';
import { bytesEqual, checkMultiSeparator, stringOption, unescapeBytes } from './line-dialect.ts';

/**
 * A configurable text reader: output = prefix + codes (separated) + terminator, a no-read string, and optional
 * trigger strings. Covers Datalogic Matrix (header / separator / Global No Read Message), SICK Lector result
 * formats and Honeywell fixed readers when set up for plain text (notes/devices.md §2.4 [D]/[?]), and is the
 * base of the Hikrobot and serial handheld dialects. Every string is configurable; escapes `\r \n \t \xHH`.
 *
 * Options: `prefix` (default ''), `terminator` (default `\r\n`), `noRead` (default `NoRead`),
 * `triggerOn` / `triggerOff` (default none: reader triggered externally), `startByte` (e.g. `\x02`),
 * `template`: the reader's output template with `{codes}` (required), `{count}` (the announced number of codes,
 * checked) and `{skip}` (a vendor field we ignore: time, coordinates…), e.g. `{count};{codes};{skip}`.
 */
export function textDialect(config: ReaderConfig, defaults: Partial<Record<'prefix' | 'terminator' | 'noRead' | 'triggerOn' | 'triggerOff' | 'vendor', string>> = {}): LineDialect {
  const opt = (name: keyof typeof defaults & string, fallback: string): string => stringOption(config.options, name, defaults[name] ?? fallback);
  const prefix = unescapeBytes(opt('prefix', ''));
  const terminator = unescapeBytes(opt('terminator', '\\r\\n'));
  const noRead = unescapeBytes(opt('noRead', 'NoRead'));
  const on = opt('triggerOn', '');
  const off = opt('triggerOff', '');
  const startText = stringOption(config.options, 'startByte', '');
  const start = startText === '' ? undefined : unescapeBytes(startText);
  if (terminator.length === 0) throw new ReaderConfigError('options.terminator', '结束符不能为空 (terminator must not be empty)');
  if (start !== undefined && start.length !== 1) throw new ReaderConfigError('options.startByte', '起始符必须是 1 个字节 (start must be one byte)');
  checkMultiSeparator(config);
  const template = compileTemplate(stringOption(config.options, 'template', ''));
  // A CR-only terminator often meets readers that send CR LF: drop a stray LF between frames.
  const skip = terminator.length === 1 && terminator[0] === 0x0d ? [0x0a] : [];
  return {
    vendor: opt('vendor', 'generic'),
    framing: { end: terminator, skipBetweenFrames: skip, ...(start === undefined ? {} : { start: start[0] as number }) },
    triggerOn: on === '' ? null : unescapeBytes(on),
    triggerOff: off === '' ? null : unescapeBytes(off),
    classify(frame: Uint8Array): FrameMeaning {
      if (prefix.length > 0) {
        if (!bytesEqual(frame.subarray(0, prefix.length), prefix)) return { kind: 'invalid', detail: '读码输出缺少配置的前缀 (output lacks the configured prefix)' };
        frame = frame.subarray(prefix.length);
      }
      if (bytesEqual(frame, noRead)) return { kind: 'no-read' };
      if (template === null) return { kind: 'read', payload: frame };
      // latin1 maps bytes 1:1 to chars, so the regex cuts bytes and the code bytes pass through untouched.
      const m = template.exec(Buffer.from(frame).toString('latin1'));
      if (m === null) return { kind: 'invalid', detail: '读码输出与配置的模板不符 (output does not match the configured template)' };
      const payload = Buffer.from(m.groups?.['codes'] ?? '', 'latin1');
      const count = m.groups?.['count'];
      return count === undefined ? { kind: 'read', payload } : { kind: 'read', payload, count: Number(count) };
    },
  };
}

/** `{count};{codes};{skip}` → an anchored regex with named groups; null for no template. */
function compileTemplate(text: string): RegExp | null {
  if (text === '') return null;
  const source = Buffer.from(unescapeBytes(text)).toString('latin1');
  const parts = source.split(/(\{codes\}|\{count\}|\{skip\})/);
  if (parts.filter((p) => p === '{codes}').length !== 1) throw new ReaderConfigError('options.template', '模板必须恰好包含一个 {codes} (template needs exactly one {codes})');
  if (parts.filter((p) => p === '{count}').length > 1) throw new ReaderConfigError('options.template', '模板最多一个 {count} (at most one {count})');
  const body = parts.map((p) => {
    if (p === '{codes}') return '(?<codes>[\\s\\S]*?)';
    if (p === '{count}') return '(?<count>\\d{1,4})';
    if (p === '{skip}') return '[\\s\\S]*?';
    return p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }).join('');
  return new RegExp(`^${body}$`);
}
