import type { CommandSpec } from '../command.ts';
import { choiceOption, integerOption, optionalString } from '../args.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { loadRegisterMap } from '../load-register-map.ts';
import {
  DEFAULT_OPCUA_TAGS, openPlc, PlcError,
  type ModbusRegisterMap, type PlcConnection, type PlcDriverKind, type PlcEvent, type PlcStatus,
} from '../../plc/index.ts';

/**
 * `wuma device plc`: commissioning check of the line PLC for IT. `--watch` prints trigger counter, PLC heartbeat
 * and PackML state changes plus link/watchdog events for --seconds (or until Ctrl-C); `--pulse reject` sends one
 * reject and reports whether the kicker confirm came back and how long it took (exit 1 if it did not).
 */
const DRIVERS: readonly PlcDriverKind[] = ['modbus-tcp', 'modbus-rtu', 'opcua'];

function connection(driver: PlcDriverKind, values: Record<string, unknown>, map: ModbusRegisterMap): PlcConnection {
  const tcp = typeof values['tcp'] === 'string' ? values['tcp'] : undefined;
  const serial = typeof values['serial'] === 'string' ? values['serial'] : undefined;
  const opcua = typeof values['opcua'] === 'string' ? values['opcua'] : undefined;
  const given = [tcp, serial, opcua].filter((v) => v !== undefined).length;
  if (given !== 1) throw new UsageError('需要且只需要 --tcp、--serial、--opcua 之一 (give exactly one of --tcp, --serial, --opcua)');
  if (driver === 'modbus-tcp') {
    const m = tcp === undefined ? null : /^([0-9A-Za-z.-]+):(\d{1,5})$/.exec(tcp);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65_535) throw new UsageError(`modbus-tcp 需要 --tcp HOST:PORT，收到 "${tcp ?? ''}" (modbus-tcp needs --tcp HOST:PORT)`);
    return { driver, host: m[1]!, port: Number(m[2]), map };
  }
  if (driver === 'modbus-rtu') {
    const m = serial === undefined ? null : /^([^,]+)(?:,(\d{3,6}))?$/.exec(serial);
    if (!m) throw new UsageError(`modbus-rtu 需要 --serial PATH[,BAUD]，收到 "${serial ?? ''}" (modbus-rtu needs --serial PATH[,BAUD])`);
    const baudRate = m[2] === undefined ? 19_200 : Number(m[2]);
    if (baudRate < 1_200 || baudRate > 921_600) throw new UsageError(`波特率应在 1200..921600，收到 ${baudRate} (baud rate out of range)`);
    return { driver, path: m[1]!, baudRate, map };
  }
  if (opcua === undefined || !/^opc\.tcp:\/\/[^\s/]+/.test(opcua)) throw new UsageError(`opcua 需要 --opcua opc.tcp://HOST:PORT，收到 "${opcua ?? serial ?? tcp ?? ''}" (opcua needs --opcua URL)`);
  return { driver, endpointUrl: opcua, tags: DEFAULT_OPCUA_TAGS };
}

function describeEvent(e: PlcEvent): string {
  switch (e.kind) {
    case 'trigger': return `触发 (trigger): 计数 ${e.trigger.counter}，增加 ${e.trigger.advancedBy}${e.trigger.advancedBy > 1 ? ' ⚠ 漏触发 (missed edges)' : ''}`;
    case 'heartbeat-lost': return `⚠ PLC 心跳停止 ${e.silentMs} ms (PLC heartbeat lost)`;
    case 'heartbeat-restored': return `PLC 心跳恢复 (heartbeat restored): ${e.beat}`;
    case 'connection-lost': return `⚠ 连接中断 (link lost): ${e.error.message}`;
    case 'connection-restored': return '连接恢复 (link restored)';
    case 'trigger-resync': return `⚠ 重连后触发计数重新同步 ${e.previous} → ${e.current}，期间触发未知 (trigger counter resynced after reconnect)`;
  }
}

export const command: CommandSpec = {
  path: ['device', 'plc'],
  summary: 'PLC 调试：监视信号或发送剔除 (commission the PLC: watch signals or pulse a reject)',
  usesDb: false,
  options: {
    driver: { type: 'string', value: 'KIND', description: `驱动 (driver): ${DRIVERS.join(' | ')}` },
    tcp: { type: 'string', value: 'HOST:PORT', description: 'Modbus TCP 地址 (address)' },
    serial: { type: 'string', value: 'PATH[,BAUD]', description: 'Modbus RTU 串口与波特率 (serial port, default 19200 baud)' },
    opcua: { type: 'string', value: 'URL', description: 'OPC UA 端点 (endpoint), e.g. opc.tcp://192.168.0.10:4840' },
    map: { type: 'string', value: 'FILE', description: 'Modbus 寄存器表 JSON (register map; default: README table)' },
    watch: { type: 'boolean', description: '监视触发计数、心跳、PackML 状态 (watch trigger counter, heartbeat, PackML)' },
    pulse: { type: 'string', value: 'reject', description: '发送一次剔除 (send one reject pulse)' },
    reason: { type: 'string', value: 'N', description: '剔除原因号 (reject reason 1..65535; default 1)' },
    seconds: { type: 'string', value: 'N', description: '监视时长秒数 (watch duration; default 10)' },
    'confirm-timeout': { type: 'string', value: 'MS', description: '剔除确认等待毫秒 (confirm timeout; default 1000)' },
  },
  details: [
    '例 (examples):',
    '  wuma device plc --driver modbus-tcp --tcp 192.168.0.10:502 --watch --seconds 30',
    '  wuma device plc --driver modbus-rtu --serial /dev/ttyUSB0,19200 --pulse reject --reason 3',
    '  wuma device plc --driver opcua --opcua opc.tcp://192.168.0.10:4840 --pulse reject --json',
    '退出码 (exit): 0 成功/已确认 (ok, confirmed) · 1 连接失败或未确认 (link failure or not confirmed) · 2 参数错误 (usage)',
  ].join('\n'),
  async run(ctx, args) {
    const driver = choiceOption(args, 'driver', DRIVERS);
    const watch = args.values['watch'] === true;
    const pulse = optionalString(args, 'pulse');
    if (watch === (pulse !== undefined)) throw new UsageError('需要且只需要 --watch 或 --pulse reject 之一 (give exactly one of --watch or --pulse reject)');
    if (pulse !== undefined && pulse !== 'reject') throw new UsageError(`--pulse 只支持 reject，收到 "${pulse}" (--pulse supports only reject)`);
    const reason = integerOption(args, 'reason', { min: 1, max: 65_535 }, 1);
    const seconds = integerOption(args, 'seconds', { min: 1, max: 86_400 }, 10);
    const confirmTimeout = integerOption(args, 'confirm-timeout', { min: 10, max: 60_000 }, 1_000);
    const map = loadRegisterMap(optionalString(args, 'map'));
    const conn = connection(driver, args.values, map);
    const port = openPlc({ ...conn, timing: { rejectConfirmTimeoutMs: confirmTimeout } });
    try {
      try {
        await port.connect();
      } catch (error) {
        if (error instanceof PlcError) throw new CommandFailure(error.message, { code: error.code });
        throw error;
      }
      if (pulse !== undefined) {
        const outcome = await port.pulseReject(reason).catch((error: unknown) => {
          if (error instanceof PlcError) throw new CommandFailure(error.message, { code: error.code });
          throw error;
        });
        if (ctx.json) ctx.printJson({ ok: outcome.kind === 'confirmed', driver, reason, ...outcome });
        else if (outcome.kind === 'confirmed') ctx.print(`✔ 剔除已确认 (reject confirmed): 序号 ${outcome.sequence}，用时 ${outcome.elapsedMs.toFixed(2)} ms`);
        else ctx.print(`✘ 剔除未确认 (reject NOT confirmed): 序号 ${outcome.sequence}，等待 ${outcome.waitedMs.toFixed(0)} ms。请检查剔除器与确认传感器 (check the kicker and its confirm sensor)`);
        return outcome.kind === 'confirmed' ? 0 : 1;
      }
      let last: PlcStatus = await port.readStatus();
      const report = (what: string, value: unknown): void => {
        if (ctx.json) ctx.printJson({ at: new Date().toISOString(), what, value });
        else ctx.print(`${new Date().toISOString()}  ${what}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
      };
      report('status', last);
      port.onEvent((e) => { if (e.kind !== 'trigger') report(e.kind, ctx.json ? e : describeEvent(e)); else report('trigger', ctx.json ? e.trigger : describeEvent(e)); });
      const ticker = setInterval(() => {
        void port.readStatus().then((s) => {
          if (s.plcHeartbeat !== last.plcHeartbeat) report('plcHeartbeat', s.plcHeartbeat);
          if (s.packml.number !== last.packml.number) report('packml', s.packml);
          last = s;
        }, () => undefined);
      }, 250);
      let timer: NodeJS.Timeout | undefined;
      const reasonText = await Promise.race([ctx.shutdown, new Promise<string>((resolve) => { timer = setTimeout(() => { resolve(`${seconds}s`); }, seconds * 1000); })]);
      clearTimeout(timer);
      clearInterval(ticker);
      if (ctx.json) ctx.printJson({ ok: true, stopped: reasonText, status: last });
      else ctx.print(`监视结束 (watch ended: ${reasonText})`);
      return 0;
    } finally {
      await port.close();
    }
  },
};
