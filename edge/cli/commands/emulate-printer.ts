import type { CommandSpec } from '../command.ts';
import { choiceOption, integerOption } from '../args.ts';
import { UsageError } from '../errors.ts';
import { parseHostPort } from '../endpoint-options.ts';
import { PRINTER_EMULATORS, PRINTER_KINDS, type EmulatorFaults, type PrinterKind } from '../../../printers/index.ts';

const FAULT_HELP = 'ribbon-out | paper-out | head-open | buffer-full | split | garbage | oversize | silent | nak=N | drop=N | delay=MS';

/** Parses one --fault word into emulator knobs; a usage error names the bad word. */
function parseFault(word: string): Partial<EmulatorFaults> {
  const [name, value] = word.split('=');
  const n = value !== undefined && /^\d{1,6}$/.test(value) ? Number(value) : null;
  const flags: Record<string, Partial<EmulatorFaults>> = {
    'ribbon-out': { ribbonOut: true }, 'paper-out': { paperOut: true }, 'head-open': { headOpen: true }, 'buffer-full': { bufferFull: true },
    split: { splitReplies: true }, garbage: { garbage: true }, oversize: { oversize: true }, silent: { silentWhenFaulted: true },
  };
  if (value === undefined && name !== undefined && flags[name]) return flags[name];
  if (n !== null && name === 'nak') return { nakJobs: n };
  if (n !== null && name === 'drop') return { dropReplies: n };
  if (n !== null && name === 'delay') return { replyDelayMs: n };
  throw new UsageError(`--fault 不支持 "${word}"，可选: ${FAULT_HELP} (unsupported --fault)`);
}

export const command: CommandSpec = {
  path: ['emulate', 'printer'],
  summary: '运行打印机模拟器 (run a printer emulator: zpl | linx | videojet | hitachi | text)',
  positionals: 'KIND',
  usesDb: false,
  options: {
    tcp: { type: 'string', value: 'HOST:PORT', description: '在 TCP 地址上监听 (listen on TCP, e.g. 127.0.0.1:9100)' },
    serial: { type: 'string', value: 'PATH', description: '打开串口或 pty (open a serial port or pty)' },
    fault: { type: 'string', multiple: true, value: 'FAULT', description: `故障注入，可多次 (fault knob, repeatable): ${FAULT_HELP}` },
    'print-ms': { type: 'string', value: 'MS', description: '每件打印耗时 (time per print, default 20 ms)' },
    'show-codes': { type: 'boolean', description: '日志显示完整码 (show full codes in the log; default masked)' },
  },
  details: '示例 (example): wuma emulate printer zpl --tcp 127.0.0.1:9100 --fault split\n按 Ctrl+C 停止 (stop with Ctrl+C).',
  async run(ctx, args) {
    const kind = choiceOption<PrinterKind>({ values: { kind: args.positionals[0] }, positionals: [] }, 'kind', PRINTER_KINDS);
    if (args.positionals.length > 1) throw new UsageError(`多余的参数 "${args.positionals.slice(1).join(' ')}" (unexpected arguments)`);
    const tcp = args.values['tcp'];
    const serial = args.values['serial'];
    if ((typeof tcp === 'string') === (typeof serial === 'string')) throw new UsageError('需要且只能给出 --tcp 或 --serial 之一 (give exactly one of --tcp or --serial)');
    const faults = (Array.isArray(args.values['fault']) ? args.values['fault'] : []).map(parseFault);
    const printMs = integerOption(args, 'print-ms', { min: 1, max: 60_000 }, 20);
    const emulator = PRINTER_EMULATORS[kind]({ printMs, showCodes: args.values['show-codes'] === true });
    for (const f of faults) emulator.set(f);
    const say = (event: string, text: string): void => {
      if (ctx.json) ctx.printJson({ at: new Date().toISOString(), event, text });
      else ctx.print(`${new Date().toISOString().slice(11, 23)}  ${text}`);
    };
    const sub = emulator.onLog((line) => { say('log', line); });
    try {
      if (typeof tcp === 'string') {
        const { host, port } = parseHostPort(tcp, '--tcp', 0);
        const addr = await emulator.listenTcp(host, port);
        say('listening', `${kind} 模拟器监听 (emulator listening on) ${addr.host}:${addr.port}`);
      } else if (typeof serial === 'string') {
        await emulator.attachSerial(serial, 9600);
        say('listening', `${kind} 模拟器已打开串口 (emulator on serial) ${serial}`);
      }
      const signal = await ctx.shutdown;
      say('stopped', `收到 ${signal}，停止 (stopping); 已打印 (printed) ${emulator.printed.length}`);
      return 0;
    } finally {
      sub.dispose();
      await emulator.close();
    }
  },
};
