import { createInterface } from 'node:readline';
import { optionalString, requireString } from '../args.ts';
import type { CommandContext, CommandSpec } from '../command.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { failOnStoreError } from '../fail-on-store-error.ts';
import { withStore } from '../with-store.ts';
import type { Prompt } from '../../aggregation/manual-capture.ts';
import { captureEndMessage, captureMessage } from '../../station/capture-message.ts';
import { CaptureRunner, type CaptureEnd, type CaptureStep } from '../../station/capture-runner.ts';
import { openBatches } from '../../store/batches.ts';
import { requireCaptureUser } from '../../store/manual-capture-commit.ts';
import type { Db } from '../../store/open.ts';
import { readEpcisContext, readPin } from '../../store/rework/signer-input.ts';
import { authenticateByPin } from '../../store/users.ts';

const RULE = '════════════════════════════════════════';

/** The running batch to capture for: --batch, or the only running one. */
function pickBatch(db: Db, raw: string | undefined): number {
  if (raw !== undefined) {
    if (!/^[1-9]\d{0,15}$/.test(raw)) throw new UsageError(`--batch 应为批次编号，收到 "${raw}" (--batch must be a batch ID)`);
    return Number(raw);
  }
  const running = openBatches(db).filter((b) => b.state === 'running');
  if (running.length === 1 && running[0] !== undefined) return running[0].id;
  if (running.length === 0) throw new CommandFailure('没有运行中的批次，请先开始批次 (no running batch; start one first)');
  throw new UsageError(`有 ${running.length} 个运行中的批次 (${running.map((b) => b.id).join(', ')})，请用 --batch 指定 (several running batches; pick one with --batch)`);
}

/** Prints what the runner did with each scan, and what to scan next: text for the operator, or JSON lines. */
class CapturePrinter {
  private readonly ctx: CommandContext;
  private readonly runner: CaptureRunner;

  constructor(ctx: CommandContext, runner: CaptureRunner) {
    this.ctx = ctx; this.runner = runner;
  }

  prompt(): void {
    const p: Prompt = this.runner.prompt();
    if (this.ctx.json) this.ctx.printJson({ type: 'prompt', ...p });
    else this.ctx.print(`${RULE}\n  ${p.text}\n${RULE}`);
  }

  step(s: CaptureStep): void {
    const { ctx } = this;
    if (s.kind === 'ignored') return;
    if (ctx.json) ctx.printJson(jsonLine(s));
    else ctx.print(`${MARK[s.kind]} ${captureMessage(s)}`);
    this.prompt();
  }

  /** Ctrl-D / SIGINT: a half case is dropped (never committed); a started pallet stack is parked for later. */
  end(e: CaptureEnd, why: string): void {
    const { ctx } = this;
    if (e.parkRefused !== null) {
      if (ctx.json) ctx.printJson(jsonLine(e.parkRefused));
      else ctx.print(`${MARK.refused} ${captureMessage(e.parkRefused)}`);
    }
    const t = e.tally;
    if (ctx.json) ctx.printJson({ type: 'end', ok: true, why, cases: t.cases, pallets: t.pallets, refused: t.refused, halfCaseDropped: e.halfCaseDropped, parkedStack: e.parkedStack });
    else ctx.print(captureEndMessage(e));
  }
}

const MARK: Readonly<Record<Exclude<CaptureStep['kind'], 'ignored'>, string>> = {
  refused: '✗', 'child-added': '✓', control: '·', 'case-committed': '✓✓', stacked: '✓', 'pallet-committed': '✓✓',
};

/** One step as a JSON line of `wuma capture --json` (the shape scripts and the e2e test read). */
function jsonLine(s: Exclude<CaptureStep, { kind: 'ignored' }>): Record<string, unknown> {
  switch (s.kind) {
    case 'refused': return { type: 'refused', code: s.shown, reason: s.reason, detail: s.detail };
    case 'child-added': return { type: 'scan', ok: true, code: s.shown, have: s.have };
    case 'control': return { type: 'control', event: s.event, dropped: s.dropped };
    case 'case-committed': return { type: 'case', ok: true, caseCode: s.caseCode, children: s.children, auditSeq: s.auditSeq };
    case 'stacked': return { type: 'stacked', ok: true, caseCode: s.caseCode, stackId: s.stackId, cases: s.cases };
    case 'pallet-committed': return { type: 'pallet', ok: true, palletCode: s.palletCode, cases: s.cases, short: s.short, auditSeq: s.auditSeq };
  }
}

/** `wuma capture`: manual capture with a handheld scan gun on stdin when a line camera is down (issue 4 §4). */
export const command: CommandSpec = {
  path: ['capture'],
  summary: '相机故障时用手持扫码枪人工采集 (manual capture with a handheld scanner when a camera is down)',
  options: {
    user: { type: 'string', value: 'ID', description: '操作员工号 (user id: operator, QA or admin)' },
    'pin-file': { type: 'string', value: 'FILE', description: 'PIN 所在文件，第一行；或环境变量 WUMA_PIN (file holding the PIN; or env WUMA_PIN)' },
    config: { type: 'string', value: 'FILE', description: '工作站配置，取其 epcis 部分；或环境变量 WUMA_CONFIG (station config for EPCIS events; or env WUMA_CONFIG)' },
    batch: { type: 'string', value: 'ID', description: '批次编号，默认唯一运行中的批次 (batch ID; default the only running batch)' },
  },
  details: [
    '每行一次扫码 (one scan per line on stdin)。先扫齐一箱的瓶码，再扫箱码；组垛时扫箱码，最后扫垛码。',
    '控制码 (control scans): #CASE 装箱 (case level)  #PALLET 组垛 (pallet level)  #END 结束本垛 (end pallet)  #CLEAR 放弃本箱 (drop the half case)',
    'Ctrl-D 或 Ctrl-C 结束：未扫齐的箱不提交，未完成的垛暂存 (a half case is not committed; a started pallet is parked).',
    '例 (example): wuma capture --user op01 --pin-file op.pin --config station.json',
  ].join('\n'),
  async run(ctx, args) {
    const userId = requireString(args, 'user');
    const pin = readPin(optionalString(args, 'pin-file'), ctx.env);
    const epcis = readEpcisContext(optionalString(args, 'config'), ctx.env);
    return withStore(ctx, async (store) => {
      const db = store.db;
      const auth = authenticateByPin(db, userId, pin);
      if (auth.kind === 'locked') throw new CommandFailure(`用户 ${userId} 已锁定至 ${auth.until} (locked until ${auth.until})`);
      if (auth.kind === 'inactive') throw new CommandFailure(`用户 ${userId} 已停用 (user is deactivated)`);
      if (auth.kind === 'bad-credentials') throw new CommandFailure('工号或 PIN 不正确 (wrong user id or PIN)');
      failOnStoreError(() => requireCaptureUser(db, userId));
      const batchId = pickBatch(db, optionalString(args, 'batch'));
      const runner = failOnStoreError(() => CaptureRunner.open({ db, batchId, epcis }));
      const out = new CapturePrinter(ctx, runner);
      if (ctx.json) ctx.printJson({ type: 'start', ok: true, batchId, user: userId, lot: runner.lot });
      else ctx.print(`人工采集 (manual capture)：批次 ${batchId}（批号 ${runner.lot}），操作员 ${auth.user.name}`);
      out.prompt();
      const rl = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
      let why = 'eof';
      void ctx.shutdown.then((signal) => { why = signal; rl.close(); });
      for await (const line of rl) out.step(runner.scan(line, userId));
      out.end(runner.end(userId), why);
      return 0;
    });
  },
};
