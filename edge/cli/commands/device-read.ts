import { choiceOption, integerOption, optionalString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { describeEndpoint, endpointFromArgs, ENDPOINT_OPTIONS, parseHostPort } from '../endpoint-options.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { maskCode } from '../../domain/mask.ts';
import { createReader, READER_KINDS, type ReadCode, type ReaderConfig, type ReaderEndpoint, type ReaderKind, type ReadResult } from '../../../scanners/index.ts';

/** Shows control characters of scan data readably: GS as <GS>, others as <0xNN>. */
function visible(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]/g, (c) => (c === '\x1d' ? '<GS>' : c === '\x1e' ? '<RS>' : c === '\x04' ? '<EOT>' : `<0x${c.charCodeAt(0).toString(16).padStart(2, '0')}>`));
}

/** `--option key=value` pairs for the [?] protocol facts (noRead, triggerOn, terminator, mode, …). */
function parseOptions(words: readonly string[]): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const w of words) {
    const m = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/s.exec(w);
    if (m === null) throw new UsageError(`--option 应为 键=值，收到 "${w}" (--option must be key=value)`);
    const key = m[1] as string;
    const value = m[2] as string;
    out[key] = value === 'true' ? true : value === 'false' ? false : value;
  }
  return out;
}

export const command: CommandSpec = {
  path: ['device', 'read'],
  summary: '从读码器读码并显示结果 (read from a code reader and print what it returns)',
  usesDb: false,
  options: {
    driver: { type: 'string', value: 'KIND', description: `读码器驱动 (reader driver): ${READER_KINDS.join(' | ')}` },
    ...ENDPOINT_OPTIONS,
    listen: { type: 'string', value: 'HOST:PORT', description: '等待读码器连入 (wait for a reader that dials us: Hikrobot client mode)' },
    trigger: { type: 'boolean', description: '发送软件触发 (send a software trigger); 否则等待读码器自行触发 (else wait for external reads)' },
    count: { type: 'string', value: 'N', description: '触发/等待次数 (number of reads, default 1)' },
    timeout: { type: 'string', value: 'MS', description: '每次等待毫秒数 (wait per read, default 3000)' },
    separator: { type: 'string', value: 'TEXT', description: '多码分隔符 (separator between codes of one read)' },
    'count-prefix': { type: 'boolean', description: '消息以码数开头 (message starts with the code count)' },
    option: { type: 'string', multiple: true, value: 'KEY=VALUE', description: '驱动选项，可多次 (driver option, repeatable), 例 noRead=ERROR, triggerOn=start, mode=scan-start' },
    'show-codes': { type: 'boolean', description: '显示完整码 (show full codes; default masked, as inner codes are secret)' },
  },
  details: [
    '示例 (examples):',
    '  wuma device read --driver keyence --tcp 192.168.1.60:9004 --trigger',
    '  wuma device read --driver cognex --tcp 192.168.1.61:23 --trigger --separator , --count 5',
    '  wuma device read --driver serial --serial /dev/ttyUSB0,115200 --count 3 --timeout 20000',
    '  wuma device read --driver opcua --opcua opc.tcp://192.168.1.62:4840 --trigger --option mode=scan-start',
    '退出码 (exit): 0 每次都读到码 (every read had codes), 1 有未读到或设备错误 (a no-read or device failure)',
  ].join('\n'),
  async run(ctx, args) {
    const kind = choiceOption<ReaderKind>(args, 'driver', READER_KINDS);
    const listen = optionalString(args, 'listen');
    let endpoint: ReaderEndpoint;
    let where: string;
    if (listen !== undefined) {
      if (['tcp', 'serial', 'opcua'].some((k) => args.values[k] !== undefined)) throw new UsageError('--listen 不能与 --tcp/--serial/--opcua 同用 (give one address)');
      endpoint = { kind: 'tcp-listen', ...parseHostPort(listen, '--listen') };
      where = `listen ${listen}`;
    } else {
      const e = endpointFromArgs(args, kind === 'opcua' ? ['opcua'] : ['tcp', 'serial']);
      endpoint = e;
      where = describeEndpoint(e);
    }
    const count = integerOption(args, 'count', { min: 1, max: 10_000 }, 1);
    const timeoutMs = integerOption(args, 'timeout', { min: 10, max: 3_600_000 }, 3_000);
    const separator = optionalString(args, 'separator');
    if (args.values['count-prefix'] === true && separator === undefined) throw new UsageError('--count-prefix 需要 --separator (--count-prefix needs --separator)');
    const options = parseOptions(Array.isArray(args.values['option']) ? args.values['option'] : []);
    const show = args.values['show-codes'] === true;
    const config: ReaderConfig = {
      kind,
      endpoint,
      triggerTimeoutMs: timeoutMs,
      options,
      ...(separator === undefined ? {} : { multi: { separator, countPrefix: args.values['count-prefix'] === true } }),
    };
    let reader;
    try {
      reader = createReader(config);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const codeView = (c: ReadCode) => ({
      text: show ? visible(c.text) : maskCode(c.text),
      symbology: c.symbology,
      ...(c.aimId === undefined ? {} : { aimId: c.aimId }),
      gs1: c.gs1,
      ...(c.gs1 ? { fields: c.fields.length } : {}),
      ...(c.grade === undefined ? {} : { grade: c.grade }),
      ...(c.position === undefined ? {} : { position: c.position }),
    });
    const report = (r: ReadResult): void => {
      const rejected = r.rejected.map((p) => ({ reason: p.reason, bytes: p.byteLength, detail: p.detail }));
      if (ctx.json) {
        ctx.printJson(r.kind === 'read'
          ? { kind: r.kind, trigger: r.trigger, codes: r.codes.map(codeView), suppressed: r.suppressed, rejected }
          : { kind: r.kind, trigger: r.trigger, cause: r.cause, suppressed: r.suppressed, rejected });
        return;
      }
      const head = `#${r.trigger.id} ${r.trigger.source === 'software' ? '软件触发 (software)' : '外部触发 (external)'}`;
      if (r.kind === 'read') {
        ctx.print(`✔ ${head}: ${r.codes.length} 个码 (codes)${r.suppressed > 0 ? `，重复已忽略 ${r.suppressed} (duplicates suppressed)` : ''}`);
        for (const c of r.codes) ctx.print(`    ${codeView(c).text}  [${c.aimId ?? '无符号标识 no AIM id'} ${c.symbology}${c.gs1 ? ` GS1 ${c.fields.length} 段` : ''}${c.grade === undefined ? '' : ` grade ${c.grade}`}]`);
      } else {
        const why = { reader: '读码器报告未读到 (reader reported no-read)', timeout: `${timeoutMs} ms 内无应答 (no answer in time)`, 'all-suppressed': '全部为重复码 (all duplicates)', 'all-rejected': '全部数据无效 (nothing valid)' }[r.cause];
        ctx.print(`✘ ${head}: 未读到码 — ${why}`);
      }
      for (const p of rejected) ctx.print(`    ⚠ 丢弃 (rejected) ${p.reason}, ${p.bytes} 字节: ${p.detail}`);
    };
    let allRead = true;
    try {
      try {
        await reader.open();
      } catch (error) {
        throw new CommandFailure(`无法连接读码器 ${kind} @ ${where} (cannot connect): ${error instanceof Error ? error.message : String(error)}`);
      }
      if (!ctx.json) ctx.print(`已连接 ${kind} @ ${where} (connected)`);
      for (let i = 0; i < count; i += 1) {
        let result: ReadResult;
        try {
          result = args.values['trigger'] === true ? await reader.trigger({ timeoutMs }) : await waitForRead(reader, timeoutMs);
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          throw new CommandFailure(`读码失败 (read failed)${typeof code === 'string' ? ` [${code}]` : ''}: ${error instanceof Error ? error.message : String(error)}`);
        }
        report(result);
        if (result.kind !== 'read') allRead = false;
      }
    } finally {
      await reader.close();
    }
    return allRead ? 0 : 1;
  },
};

/** The next externally triggered result, or a timeout no-read value. */
function waitForRead(reader: ReturnType<typeof createReader>, timeoutMs: number): Promise<ReadResult> {
  return new Promise<ReadResult>((resolve) => {
    const timer = setTimeout(() => {
      sub.dispose();
      resolve({ kind: 'no-read', trigger: { id: 0, source: 'external' }, cause: 'timeout', suppressed: 0, rejected: [], at: Date.now() });
    }, timeoutMs);
    const sub = reader.onRead((r) => {
      clearTimeout(timer);
      sub.dispose();
      resolve(r);
    });
  });
}
