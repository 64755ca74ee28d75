import type { CommandSpec } from '../command.ts';
import { choiceOption, integerOption } from '../args.ts';
import { CommandFailure } from '../errors.ts';
import { endpointFromArgs } from '../endpoint-options.ts';
import { PRINTER_KINDS, createPrinter, runPrintQueue, type PrinterKind, type Symbology } from '../../../printers/index.ts';

const SYMBOLOGIES: readonly Symbology[] = ['datamatrix', 'gs1-datamatrix', 'qr', 'code128', 'gs1-128', 'text'];

export const command: CommandSpec = {
  path: ['device', 'print-test'],
  summary: '打印测试码并报告每个确认 (print N test codes and report each confirmation)',
  usesDb: false,
  options: {
    driver: { type: 'string', value: 'KIND', description: `打印机驱动 (driver): ${PRINTER_KINDS.join(' | ')}` },
    tcp: { type: 'string', value: 'HOST:PORT', description: 'TCP 地址 (TCP address, e.g. 192.168.1.50:9100)' },
    serial: { type: 'string', value: 'PATH[,BAUD]', description: '串口 (serial port, default 9600 baud)' },
    count: { type: 'string', value: 'N', description: '测试码数量 (number of test codes, 1..100, default 3)' },
    symbology: { type: 'string', value: 'SYM', description: `码制 (symbology, ZPL): ${SYMBOLOGIES.join(' | ')}` },
  },
  details: '测试码形如 WUMA-TEST-<时间>-<序号>，不是真实的码 (test codes are not real codes).\n示例 (example): wuma device print-test --driver zpl --tcp 127.0.0.1:9100 --count 5',
  async run(ctx, args) {
    const kind = choiceOption<PrinterKind>(args, 'driver', PRINTER_KINDS);
    const endpoint = endpointFromArgs(args, ['tcp', 'serial']);
    const count = integerOption(args, 'count', { min: 1, max: 100 }, 3);
    const symbology = args.values['symbology'] === undefined ? undefined : choiceOption<Symbology>(args, 'symbology', SYMBOLOGIES);
    let printer;
    try {
      printer = createPrinter({ kind, endpoint, ...(symbology ? { symbology } : {}) });
    } catch (error) {
      throw new CommandFailure((error as Error).message);
    }
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(2, 14);
    const jobs = Array.from({ length: count }, (_, i) => ({ id: String(i + 1), code: `WUMA-TEST-${stamp}-${String(i + 1).padStart(3, '0')}` }));
    try {
      try {
        await printer.open();
      } catch (error) {
        throw new CommandFailure(`无法连接打印机 (cannot open printer): ${(error as Error).message}`);
      }
      const status = await printer.status();
      if (!ctx.json) ctx.print(`打印机 (printer): ${status.identity} — ${status.state}${status.faults.length ? ` [${status.faults.join(', ')}]` : ''}; 确认级别 (confirmation): ${printer.capabilities.confirmation}`);
      const started = performance.now();
      const results: Array<{ id: string; code: string; result: string; detail?: string; ms: number }> = [];
      const report = await runPrintQueue(printer, jobs, {
        onResult: (job, r) => {
          const row = { id: job.id, code: job.code, result: r.kind, ...(r.kind === 'printed' ? {} : { detail: r.kind === 'rejected' ? `${r.reason}: ${r.detail}` : r.detail }), ms: Math.round(performance.now() - started) };
          results.push(row);
          if (!ctx.json) ctx.print(`  ${row.result === 'printed' ? '✔' : '✘'} ${job.code}  ${row.result}${row.detail ? ` — ${row.detail}` : ''}  (${row.ms} ms)`);
        },
      });
      const ok = report.printed.length === count;
      if (ctx.json) ctx.printJson({ ok, driver: kind, identity: status.identity, confirmation: printer.capabilities.confirmation, results, unsent: report.unsent.map((j) => j.code), stoppedBy: report.stoppedBy });
      else {
        ctx.print(ok ? `全部 ${count} 个测试码已确认 (all ${count} confirmed)` : `已确认 ${report.printed.length}/${count} (confirmed)；${report.stoppedBy ?? ''}`);
        if (report.unsent.length > 0) ctx.print(`未发送 (not sent): ${report.unsent.length}`);
      }
      return ok ? 0 : 1;
    } finally {
      await printer.close();
    }
  },
};
