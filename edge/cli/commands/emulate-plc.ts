import { createInterface } from 'node:readline';
import type { CommandSpec } from '../command.ts';
import { integerOption, optionalString } from '../args.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { loadRegisterMap } from '../load-register-map.ts';
import { parseHostPort } from '../endpoint-options.ts';
import {
  applyPlcControl, DEFAULT_OPCUA_TAGS, DEFAULT_REGISTER_MAP, parseFaults, registerRows,
  startModbusPlcEmulator, startOpcuaPlcEmulator, type ConfirmMode, type ControllablePlc,
} from '../../plc/index.ts';

/**
 * `wuma emulate plc modbus|opcua`: a line PLC on a real transport for commissioning and tests. Prints one ready
 * line (JSON with --json), then runs until SIGINT/SIGTERM. With --control it also reads JSON control lines on
 * stdin (edge/plc/emulators/plc-control.ts) and answers each on stdout; stdin closing stops it.
 */
function parseConfirm(text: string | undefined): ConfirmMode {
  if (text === undefined) return { mode: 'delay', ms: 5 };
  if (text === 'never') return { mode: 'never' };
  if (!/^\d{1,5}$/.test(text)) throw new UsageError(`--confirm 应为毫秒数或 never，收到 "${text}" (--confirm MS|never)`);
  return { mode: 'delay', ms: Number(text) };
}

export const command: CommandSpec = {
  path: ['emulate', 'plc'],
  summary: '运行 PLC 模拟器 (run a line PLC emulator: Modbus TCP/RTU or OPC UA)',
  positionals: 'modbus|opcua',
  usesDb: false,
  options: {
    tcp: { type: 'string', value: 'HOST:PORT', description: 'Modbus TCP 监听地址，端口 0 = 自动 (Modbus TCP listen address)' },
    rtu: { type: 'string', value: 'PATH', description: 'Modbus RTU 串口 (serial device, e.g. one end of a socat pty pair)' },
    baud: { type: 'string', value: 'N', description: 'RTU 波特率 (baud rate; default 115200)' },
    port: { type: 'string', value: 'P', description: 'OPC UA 端口，0 = 自动 (OPC UA port)' },
    map: { type: 'string', value: 'FILE', description: 'JSON 寄存器表，缺省字段取默认值 (register map JSON)' },
    fault: { type: 'string', value: 'LIST', description: '故障 (faults): drop=N,delay=MS,exception=N[:CODE],garbage=N' },
    confirm: { type: 'string', value: 'MS|never', description: '剔除确认延时 (kicker confirm delay; default 5, never = confirm sensor dead)' },
    'trigger-rate': { type: 'string', value: 'N', description: '每秒触发次数 (trigger edges per second; default 0)' },
    packml: { type: 'string', value: 'N', description: '初始 PackML 状态号 (initial PackML state; default 6 Execute)' },
    control: { type: 'boolean', description: '从 stdin 读取 JSON 控制行 (read JSON control lines on stdin)' },
  },
  details: [
    '例 (examples):',
    '  wuma emulate plc modbus --tcp 127.0.0.1:5020 --trigger-rate 5',
    '  wuma emulate plc modbus --rtu /dev/pts/7 --fault drop=2,delay=50 --confirm never',
    '  wuma emulate plc opcua --port 4840',
    '默认寄存器表 (default register map, 0-based PDU addresses; mbpoll -r = address + 1):',
    ...registerRows(DEFAULT_REGISTER_MAP).map((r) => `  ${r.table.padEnd(7)} ${String(r.address).padStart(5)}${r.width === 2 ? `-${r.address + 1}` : ''}  ${r.name}: ${r.meaning}`),
  ].join('\n'),
  async run(ctx, args) {
    const protocol = args.positionals[0];
    if (protocol !== 'modbus' && protocol !== 'opcua') throw new UsageError(`请指定协议 modbus 或 opcua，收到 "${protocol ?? ''}" (protocol must be modbus or opcua)`);
    if (args.positionals.length > 1) throw new UsageError(`多余的参数: ${args.positionals.slice(1).join(' ')} (unexpected arguments)`);
    const confirm = parseConfirm(optionalString(args, 'confirm'));
    const triggerRate = integerOption(args, 'trigger-rate', { min: 0, max: 1_000 }, 0);
    const packmlState = integerOption(args, 'packml', { min: 0, max: 17 }, 6);
    let target: ControllablePlc;
    let stop: () => Promise<void>;
    let ready: Record<string, unknown>;
    if (protocol === 'modbus') {
      const tcpText = optionalString(args, 'tcp');
      const rtu = optionalString(args, 'rtu');
      if ((tcpText === undefined) === (rtu === undefined)) throw new UsageError('Modbus 需要 --tcp HOST:PORT 或 --rtu PATH 之一 (give exactly one of --tcp or --rtu)');
      if (args.values['port'] !== undefined) throw new UsageError('--port 仅用于 opcua，Modbus 请用 --tcp (--port is for opcua)');
      const faultText = optionalString(args, 'fault');
      const parsedFaults = faultText === undefined ? null : parseFaults(faultText);
      if (parsedFaults !== null && 'error' in parsedFaults) throw new UsageError(parsedFaults.error);
      const faults = parsedFaults ?? {};
      const map = loadRegisterMap(optionalString(args, 'map'));
      const baudRate = integerOption(args, 'baud', { min: 1_200, max: 921_600 }, 115_200);
      let emulator;
      try {
        emulator = await startModbusPlcEmulator({
          map, confirm, triggerRate, packmlState, faults,
          ...(tcpText !== undefined ? { tcp: parseHostPort(tcpText, '--tcp', 0) } : { rtu: { path: rtu!, baudRate } }),
        });
      } catch (error) {
        if (error instanceof UsageError) throw error;
        throw new CommandFailure(`无法启动 Modbus 模拟器: ${error instanceof Error ? error.message : String(error)} (cannot start the emulator)`);
      }
      const e = emulator;
      target = { ...bind(e.plc), restart: () => { e.restart(); } };
      stop = () => e.close();
      ready = { ready: true, protocol, unitId: map.unitId, ...(e.tcpPort === undefined ? { path: rtu } : { port: e.tcpPort }) };
    } else {
      for (const o of ['tcp', 'rtu', 'fault', 'map', 'baud']) {
        if (args.values[o] !== undefined) throw new UsageError(`--${o} 不适用于 opcua (--${o} is for modbus)`);
      }
      const port = integerOption(args, 'port', { min: 0, max: 65_535 }, 4840);
      let emulator;
      try {
        emulator = await startOpcuaPlcEmulator({ port, tags: DEFAULT_OPCUA_TAGS, confirm, packmlState });
      } catch (error) {
        throw new CommandFailure(`无法启动 OPC UA 模拟器 (端口 ${port}): ${error instanceof Error ? error.message : String(error)} (cannot start the emulator)`);
      }
      const e = emulator;
      let triggerTimer: NodeJS.Timeout | null = null;
      if (triggerRate > 0) triggerTimer = setInterval(() => { e.advanceTrigger(1); }, Math.max(1, Math.round(1000 / triggerRate)));
      target = e;
      stop = async () => { if (triggerTimer) clearInterval(triggerTimer); await e.stop(); };
      ready = { ready: true, protocol, endpointUrl: e.endpointUrl, port: e.port, namespaceUri: DEFAULT_OPCUA_TAGS.namespaceUri };
    }
    if (ctx.json) ctx.printJson(ready);
    else ctx.print(`PLC 模拟器已启动 (PLC emulator running): ${JSON.stringify(ready)}  Ctrl-C 停止 (stop)`);
    const stopped = args.values['control'] === true ? controlLoop(ctx, target) : null;
    const reason = await (stopped ? Promise.race([ctx.shutdown, stopped]) : ctx.shutdown);
    await stop();
    if (ctx.json) ctx.printJson({ ok: true, stopped: reason });
    else ctx.print(`PLC 模拟器已停止 (${reason}) (emulator stopped)`);
    return 0;
  },
};

function bind(plc: ControllablePlc): ControllablePlc {
  return {
    advanceTrigger: (n) => { plc.advanceTrigger(n); },
    setConfirm: (c) => { plc.setConfirm(c); },
    setPackmlState: (s) => { plc.setPackmlState(s); },
    setHeartbeat: (ms) => { plc.setHeartbeat(ms); },
    snapshot: () => plc.snapshot(),
  };
}

/** Answers control lines until stdin ends or a `stop` line arrives; resolves with the reason. */
function controlLoop(ctx: { printJson(value: unknown): void }, plc: ControllablePlc): Promise<string> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      if (line.trim() === '') return;
      if (/"op"\s*:\s*"stop"/.test(line)) { lines.close(); return; }
      ctx.printJson(applyPlcControl(plc, line));
    });
    lines.once('close', () => { resolve('stdin closed'); });
  });
}
