import { existsSync } from 'node:fs';
import { choiceOption, integerOption, optionalString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { parseHostPort } from '../endpoint-options.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { maskCode } from '../../domain/mask.ts';
import { CodeFeed, READER_EMULATORS, startOpcuaEmulator, type ByteEmulatorKind, type EmulatorEndpoint, type ReaderFaults } from '../../../scanners/index.ts';

type Kind = ByteEmulatorKind | 'opcua';
const KINDS: readonly Kind[] = ['cognex', 'keyence', 'hikrobot', 'text', 'serial', 'opcua'];
const FAULT_HELP = 'split=N | drop=N | truncate=N | delay=MS | silent | garbage | oversize=N | noread=N';

/** Parses one --fault word into emulator knobs; a usage error names the bad word. */
function parseFault(word: string): Partial<ReaderFaults> {
  const [name, value] = word.split('=');
  const n = value !== undefined && /^\d{1,7}$/.test(value) ? Number(value) : null;
  if (value === undefined && name === 'silent') return { ignoreTriggers: true };
  if (value === undefined && name === 'garbage') return { garbageBefore: Uint8Array.from([0x00, 0x1b, 0xff, 0xfe, 0x0d, 0x0a]) };
  if (n !== null && name === 'split') return { splitBytes: n };
  if (n !== null && name === 'drop') return { dropFrames: n };
  if (n !== null && name === 'truncate') return { truncateFrames: n };
  if (n !== null && name === 'delay') return { delayMs: n };
  if (n !== null && name === 'oversize') return { oversizeBytes: n };
  if (n !== null && name === 'noread') return { noReads: n };
  throw new UsageError(`--fault 不支持 "${word}"，可选: ${FAULT_HELP} (unsupported --fault)`);
}

function demoFeed(): CodeFeed {
  return new CodeFeed(Array.from({ length: 100 }, (_, i) => [`CAP${String(i + 1).padStart(6, '0')}`]));
}

export const command: CommandSpec = {
  path: ['emulate', 'reader'],
  summary: '运行读码器模拟器 (run a reader emulator: cognex | keyence | hikrobot | text | serial | opcua)',
  positionals: 'KIND',
  usesDb: false,
  options: {
    tcp: { type: 'string', value: 'HOST:PORT', description: '在 TCP 地址上监听 (listen on TCP, e.g. 127.0.0.1:23; port 0 = any)' },
    connect: { type: 'string', value: 'HOST:PORT', description: '读码器作为客户端连接工作站 (reader dials the station: Hikrobot client mode)' },
    serial: { type: 'string', value: 'PATH', description: '打开串口或 pty (open a serial port or pty)' },
    'opcua-port': { type: 'string', value: 'P', description: 'OPC UA 服务器端口 (OPC UA server port, opcua only; 0 = any)' },
    codes: { type: 'string', value: 'FILE', description: '条码文件，每行一次触发，TAB 分隔多码，"-" 为未读到 (codes file: one trigger per line, TAB between codes, "-" = no-read; cycles)' },
    separator: { type: 'string', value: 'TEXT', description: '多码分隔符 (separator between codes, default ",")' },
    'no-read': { type: 'string', value: 'TEXT', description: '未读到时发送的文字 (no-read text; vendor default otherwise)' },
    'fire-every': { type: 'string', value: 'MS', description: '自动外部触发间隔 (reader triggers itself every MS, like a photo-eye)' },
    fault: { type: 'string', multiple: true, value: 'FAULT', description: `故障注入，可多次 (fault knob, repeatable): ${FAULT_HELP}` },
    'show-codes': { type: 'boolean', description: '日志显示完整码 (show full codes in the log; default masked)' },
  },
  details: [
    '示例 (examples):',
    '  wuma emulate reader keyence --tcp 127.0.0.1:9004 --codes caps.txt',
    '  wuma emulate reader hikrobot --connect 127.0.0.1:6000 --fire-every 500',
    '  wuma emulate reader serial --serial /tmp/vtty1 --fire-every 1000',
    '  wuma emulate reader opcua --opcua-port 4841',
    '按 Ctrl+C 停止 (stop with Ctrl+C).',
  ].join('\n'),
  async run(ctx, args) {
    const kind = choiceOption<Kind>({ values: { kind: args.positionals[0] }, positionals: [] }, 'kind', KINDS);
    if (args.positionals.length > 1) throw new UsageError(`多余的参数 "${args.positionals.slice(1).join(' ')}" (unexpected arguments)`);
    const codesFile = optionalString(args, 'codes');
    let feed: CodeFeed;
    if (codesFile === undefined) feed = demoFeed();
    else {
      if (!existsSync(codesFile)) throw new CommandFailure(`条码文件不存在: ${codesFile} (codes file not found)`);
      try {
        feed = CodeFeed.fromFile(codesFile);
      } catch (error) {
        throw new CommandFailure(`条码文件无效 (invalid codes file): ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const fireEvery = args.values['fire-every'] === undefined ? 0 : integerOption(args, 'fire-every', { min: 10, max: 3_600_000 });
    const show = args.values['show-codes'] === true;
    const shown = (codes: readonly string[]): string => (codes.length === 0 ? '未读到 (no-read)' : `${codes.length} 个码 (codes): ${codes.slice(0, 3).map((c) => (show ? c : maskCode(c))).join(', ')}${codes.length > 3 ? ' …' : ''}`);
    const say = (event: string, text: string, extra: Record<string, unknown> = {}): void => {
      if (ctx.json) ctx.printJson({ at: new Date().toISOString(), event, text, ...extra });
      else ctx.print(`${new Date().toISOString().slice(11, 23)}  ${text}`);
    };
    /** Runs a started emulator until SIGINT/SIGTERM, calling `fire` every --fire-every ms; then stops it. */
    const serveUntilShutdown = async (emulator: { stop(): Promise<void> }, fire: () => void): Promise<number> => {
      const timer = fireEvery > 0 ? setInterval(fire, fireEvery) : null;
      try {
        say('stopped', `收到 ${await ctx.shutdown}，停止 (stopping)`);
      } finally {
        if (timer !== null) clearInterval(timer);
        await emulator.stop();
      }
      return 0;
    };

    if (kind === 'opcua') {
      if (args.values['tcp'] !== undefined || args.values['serial'] !== undefined || args.values['connect'] !== undefined) throw new UsageError('opcua 模拟器只接受 --opcua-port (the opcua emulator takes --opcua-port)');
      const port = integerOption(args, 'opcua-port', { min: 0, max: 65_535 });
      if (Array.isArray(args.values['fault']) && args.values['fault'].length > 0) throw new UsageError('opcua 模拟器不支持 --fault (no byte-level faults over OPC UA)');
      const emulator = await startOpcuaEmulator({ port, feed });
      say('listening', `opcua 模拟器监听 (AutoID reader listening on) ${emulator.endpointUrl}`, { endpointUrl: emulator.endpointUrl, port: emulator.port });
      return serveUntilShutdown(emulator, () => { emulator.fire(); say('fire', '外部触发 (external trigger)'); });
    }

    if (args.values['opcua-port'] !== undefined) throw new UsageError('--opcua-port 只用于 opcua 模拟器 (--opcua-port is for the opcua emulator)');
    const given = (['tcp', 'connect', 'serial'] as const).filter((k) => typeof args.values[k] === 'string');
    if (given.length !== 1) throw new UsageError('需要且只能给出 --tcp、--connect 或 --serial 之一 (give exactly one of --tcp, --connect, --serial)');
    const which = given[0] ?? 'tcp';
    let endpoint: EmulatorEndpoint;
    if (which === 'serial') endpoint = { kind: 'serial', path: args.values['serial'] as string };
    else {
      const text = args.values[which] as string;
      const hp = parseHostPort(text, `--${which}`, which === 'tcp' ? 0 : 1);
      endpoint = which === 'tcp' ? { kind: 'tcp-listen', ...hp } : { kind: 'tcp-connect', ...hp };
    }
    const separator = optionalString(args, 'separator');
    const noRead = optionalString(args, 'no-read');
    const emulator = READER_EMULATORS[kind]({ endpoint, feed, ...(separator === undefined ? {} : { separator }), ...(noRead === undefined ? {} : { noRead }) });
    for (const f of (Array.isArray(args.values['fault']) ? args.values['fault'] : []).map(parseFault)) Object.assign(emulator.faults, f);
    emulator.onLog((e) => {
      if (e.kind === 'command') say('command', `← 命令 (command) ${JSON.stringify(e.command)}`);
      else say('read', `→ 读码结果 (read) ${shown(e.codes)}`, { count: e.codes.length });
    });
    try {
      await emulator.start();
    } catch (error) {
      throw new CommandFailure(`模拟器无法启动 (emulator cannot start): ${error instanceof Error ? error.message : String(error)}`);
    }
    const where = endpoint.kind === 'serial' ? endpoint.path : endpoint.kind === 'tcp-listen' ? `${endpoint.host}:${emulator.port}` : `→ ${endpoint.host}:${endpoint.port}`;
    say('listening', `${kind} 模拟器就绪 (emulator ready) ${where}`, endpoint.kind === 'tcp-listen' ? { port: emulator.port } : {});
    return serveUntilShutdown(emulator, () => { emulator.fire(); });
  },
};
