import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { demoLogger } from '../demo/demo-logger.ts';
import {
  DEFAULT_PAIRING_FAULTS, PAIRING_FAULTS, PAIRING_FAULT_ZH, parsePairingFaults, runPairingDemo, type PairingDemoSummary, type PairingFaultRates,
} from '../demo/run-demo-pairing.ts';
import { PAIRING_REASON_ZH, PAIRING_WASTE_REASONS } from '../pairing/pairing-reason.ts';
import { integerOption, optionalString } from './args.ts';
import type { CommandContext, ParsedCommand } from './command.ts';
import { CommandFailure, UsageError } from './errors.ts';

/** Options of `wuma demo` that the pairing demo does not take (the case line's UI, rate, stock and crash knobs). */
const CASE_LINE_ONLY = ['rate', 'api-port', 'port', 'api-token-file', 'operator-batch', 'no-api', 'hold', 'sync', 'stock', 'fresh', 'ack', 'db'] as const;

function print(ctx: CommandContext, s: PairingDemoSummary): void {
  ctx.print('');
  ctx.print(`配对演示汇总 (pairing demo summary) — 任务 (run) ${s.run}`);
  ctx.print(`  过线件数 (items):            ${s.items}，配对 (pairs) ${s.counts.paired}，排废 (waste) ${s.counts.waste}`);
  ctx.print(`  排废原因 (waste by reason):   ${PAIRING_WASTE_REASONS.map((r) => `${PAIRING_REASON_ZH[r]} ${s.counts.byReason[r]}`).join('，')}`);
  ctx.print(`  模拟故障 (faults simulated):  ${PAIRING_FAULTS.map((f) => `${PAIRING_FAULT_ZH[f]} ${s.faultsPlanned[f]}`).join('，')}`);
  ctx.print(`  判定不符 (wrong outcomes):    ${s.wrongOutcomes}${s.wrongExamples.length > 0 ? `: ${s.wrongExamples.join('; ')}` : ''}`);
  ctx.print(`  配对包 (pairing package):     ${s.package.file}（${s.package.bytes} 字节，签名 signer ${s.package.signer.slice(0, 16)}…）`);
  ctx.print(`  品牌方导入 (brand import):    ${s.brandImport.ok ? '通过 (accepted)' : '拒绝 (refused)'}，新关联 ${s.brandImport.stored}，相机验证 (camera-verified) ${s.brandImport.cameraVerified}，废码作废 (voided) ${s.brandImport.voided}`);
  ctx.print(`  数据库检查 (verify):          供应商 ${s.verify.supplier ? 'ok' : '失败'}，品牌方 ${s.verify.brand ? 'ok' : '失败'}`);
  ctx.print(`  判定用时 (decision):          p50 ${s.decisionMs.p50} ms，p99 ${s.decisionMs.p99} ms；总用时 ${(s.elapsedMs / 1000).toFixed(1)} s`);
}

/**
 * `wuma demo --mode pairing` (issue 15 §4): the supplier's pairing line with emulated readers and PLC, faults,
 * and the sealed pairing package accepted by the brand-side import. Headless; prints a summary (or --json).
 */
export async function runPairingDemoCommand(ctx: CommandContext, args: ParsedCommand): Promise<number> {
  for (const name of CASE_LINE_ONLY) {
    if (args.values[name] !== undefined) throw new UsageError(`--mode pairing 不支持 --${name}（配对演示无界面，使用 --dir 指定目录）(--${name} is not taken by the pairing demo)`);
  }
  const items = integerOption(args, 'cases', { min: 1, max: 1_000_000 }, 200);
  const seed = args.values['seed'] === undefined ? undefined : integerOption(args, 'seed', { min: 0, max: 2 ** 32 - 1 });
  let faults: PairingFaultRates = DEFAULT_PAIRING_FAULTS;
  const raw = optionalString(args, 'faults');
  if (raw !== undefined) {
    try {
      faults = parsePairingFaults(raw);
    } catch (error) {
      throw new UsageError(`--faults: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const dirArg = optionalString(args, 'dir');
  const dir = dirArg === undefined ? mkdtempSync(join(tmpdir(), 'wuma-pairing-demo-')) : resolve(dirArg);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const logFile = optionalString(args, 'log');
  const logger = demoLogger({ level: 'info', ...(logFile === undefined ? {} : { file: resolve(logFile) }), echo: (line) => { ctx.stderr.write(line); }, echoLevel: 'error' });
  if (!ctx.json) ctx.print(`配对演示线准备中 (preparing the pairing demo): ${dir} …`);
  let summary: PairingDemoSummary;
  try {
    summary = await runPairingDemo({ dir, items, faults, logger, ...(seed === undefined ? {} : { seed }) });
  } catch (error) {
    throw new CommandFailure(`配对演示失败 (pairing demo failed): ${error instanceof Error ? error.message : String(error)}`);
  }
  if (ctx.json) ctx.printJson(summary);
  else print(ctx, summary);
  return summary.ok ? 0 : 1;
}
