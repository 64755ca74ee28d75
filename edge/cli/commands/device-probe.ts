import { choiceOption, requireString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { describeEndpoint, endpointFromArgs, ENDPOINT_OPTIONS } from '../endpoint-options.ts';
import { UsageError } from '../errors.ts';
import { PRINTER_KINDS, probePrinter, type PrinterKind } from '../../../printers/index.ts';
import { READER_KINDS, probeReader, type ReaderKind } from '../../../scanners/index.ts';

type DeviceClass = 'printer' | 'reader';

/** Which device class a driver name belongs to; `text` exists for both and needs --device. */
function classify(driver: string, device: DeviceClass | undefined): DeviceClass {
  const isPrinter = (PRINTER_KINDS as readonly string[]).includes(driver);
  const isReader = (READER_KINDS as readonly string[]).includes(driver);
  if (device === 'printer' && isPrinter) return 'printer';
  if (device === 'reader' && isReader) return 'reader';
  if (device === undefined && isPrinter !== isReader) return isPrinter ? 'printer' : 'reader';
  if (device === undefined && isPrinter && isReader) throw new UsageError(`驱动 ${driver} 既可以是打印机也可以是读码器，请加 --device printer|reader (ambiguous driver: add --device)`);
  throw new UsageError(`未知驱动 "${driver}"。打印机: ${PRINTER_KINDS.join(' | ')}；读码器: ${READER_KINDS.join(' | ')} (unknown driver)`);
}

export const command: CommandSpec = {
  path: ['device', 'probe'],
  summary: '连接设备，报告状态和身份 (connect to a device, report its status and identity)',
  usesDb: false,
  options: {
    driver: { type: 'string', value: 'KIND', description: `驱动 (driver): ${[...new Set([...PRINTER_KINDS, ...READER_KINDS])].join(' | ')}` },
    device: { type: 'string', value: 'printer|reader', description: '设备类别，驱动名有歧义时需要 (device class, for ambiguous drivers)' },
    ...ENDPOINT_OPTIONS,
  },
  details: '例 (examples):\n  wuma device probe --driver zpl --tcp 192.168.1.50:9100\n  wuma device probe --driver keyence --tcp 192.168.1.60:9004\n  wuma device probe --driver text --device reader --serial /dev/ttyUSB0,115200\nPLC: wuma device plc --watch',
  async run(ctx, args) {
    const driver = requireString(args, 'driver');
    const device = args.values['device'] === undefined ? undefined : choiceOption<DeviceClass>(args, 'device', ['printer', 'reader']);
    const cls = classify(driver, device);
    const endpoint = endpointFromArgs(args, cls === 'printer' ? ['tcp', 'serial'] : ['tcp', 'serial', 'opcua']);
    const where = describeEndpoint(endpoint);
    if (cls === 'printer') {
      if (endpoint.kind === 'opcua') throw new UsageError('打印机不支持 --opcua (printers take --tcp or --serial)');
      const r = await probePrinter({ kind: driver as PrinterKind, endpoint });
      if (ctx.json) ctx.printJson({ device: 'printer', ...r });
      else if (r.ok) ctx.print(`✔ 打印机 ${driver} @ ${where} 在线 (online): ${JSON.stringify(r.status)}，用时 ${r.elapsedMs} ms`);
      else ctx.print(`✘ 打印机 ${driver} @ ${where} 不可用 (unavailable) [${r.code}]: ${r.reason}`);
      return r.ok ? 0 : 1;
    }
    const r = await probeReader({ kind: driver as ReaderKind, endpoint });
    if (ctx.json) ctx.printJson({ device: 'reader', endpoint: where, ...r });
    else if (r.ok) ctx.print(`✔ 读码器 ${driver} @ ${where} 在线 (online): ${JSON.stringify(r.identity)}，用时 ${r.elapsedMs} ms`);
    else ctx.print(`✘ 读码器 ${driver} @ ${where} 不可用 (unavailable) [${r.code}]: ${r.reason}`);
    return r.ok ? 0 : 1;
  },
};
