import { createInterface } from 'node:readline';
import { optionalString, requireString } from '../args.ts';
import type { CommandContext, CommandSpec } from '../command.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { failOnStoreError } from '../fail-on-store-error.ts';
import { withStore } from '../with-store.ts';
import { NEW_SESSION, nextScan, scanLine, type CaptureRules, type CaptureSession, type Prompt, type ScanOutcome } from '../../aggregation/manual-capture.ts';
import { caseRulesOf, openBatches } from '../../store/batches.ts';
import { BATCH_FACTS_SQL, readBatchFacts } from '../../store/case-commit.ts';
import { codeLookup } from '../../store/code-lookup.ts';
import { StoreError } from '../../store/errors.ts';
import { commitManualCase, commitManualPallet, requireCaptureUser, stackManualCase } from '../../store/manual-capture-commit.ts';
import type { Db } from '../../store/open.ts';
import { parkPallet } from '../../store/pallet-commit.ts';
import { readEpcisContext, readPin } from '../../store/rework/signer-input.ts';
import { authenticateByPin } from '../../store/users.ts';
import type { EpcisContext } from '../../../sync/index.ts';

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

interface Tally { cases: number; pallets: number; refused: number }

/** One handheld session: each stdin line is a scan; decide in memory, commit, then adopt the new session. */
class CaptureLoop {
  session: CaptureSession = NEW_SESSION;
  stackId: number | null = null;
  readonly tally: Tally = { cases: 0, pallets: 0, refused: 0 };
  private readonly ctx: CommandContext;
  private readonly db: Db;
  private readonly batchId: number;
  private readonly userId: string;
  private readonly rules: CaptureRules;
  private readonly epcis: EpcisContext;

  constructor(ctx: CommandContext, db: Db, batchId: number, userId: string, rules: CaptureRules, epcis: EpcisContext) {
    this.ctx = ctx; this.db = db; this.batchId = batchId; this.userId = userId; this.rules = rules; this.epcis = epcis;
  }

  prompt(): void {
    const p: Prompt = nextScan(this.session, this.rules);
    if (this.ctx.json) this.ctx.printJson({ type: 'prompt', ...p });
    else this.ctx.print(`${RULE}\n  ${p.text}\n${RULE}`);
  }

  private refuse(shown: string | null, reason: string, detail: string): void {
    this.tally.refused += 1;
    if (this.ctx.json) this.ctx.printJson({ type: 'refused', code: shown, reason, detail });
    else this.ctx.print(`✗ 拒收 (refused)${shown === null ? '' : ` ${shown}`}：${detail}`);
  }

  /** Runs a store commit; a StoreError is a refusal of this scan and the session goes on unchanged. */
  private attempt(work: () => void): void {
    try { work(); } catch (error) {
      if (error instanceof StoreError) { this.refuse(null, error.code, error.message); return; }
      throw error;
    }
  }

  scan(line: string): void {
    const o: ScanOutcome = scanLine(this.session, line, this.rules, codeLookup(this.db));
    switch (o.kind) {
      case 'ignored': return;
      case 'refused': this.refuse(o.shown, o.reason, o.detail); break;
      case 'child-added':
        this.session = o.session;
        if (this.ctx.json) this.ctx.printJson({ type: 'scan', ok: true, code: o.shown, have: o.session.children.length });
        else this.ctx.print(`✓ ${o.shown} (${o.session.children.length}/${this.rules.caseRules.unitsPerCase})`);
        break;
      case 'control':
        this.session = o.session;
        if (this.ctx.json) this.ctx.printJson({ type: 'control', event: o.event, dropped: o.dropped });
        else this.ctx.print(o.dropped > 0 ? `已放弃本箱 ${o.dropped} 个码，未提交 (half case dropped, nothing committed)` : `好的 (ok): ${o.event}`);
        break;
      case 'commit-case': this.attempt(() => {
        const r = commitManualCase(this.db, { batchId: this.batchId, caseCode: o.caseCode, children: o.children, userId: this.userId, at: Date.now(), epcis: this.epcis });
        if (r.kind === 'rejected') {
          this.refuse(o.caseCode, r.findings[0]?.reason ?? 'case-code', r.findings.map((f) => (f.code === undefined ? f.detail : `${f.code}: ${f.detail}`)).join('；'));
          return;
        }
        this.session = o.session;
        this.tally.cases += 1;
        if (this.ctx.json) this.ctx.printJson({ type: 'case', ok: true, caseCode: o.caseCode, children: r.committed.children, auditSeq: r.auditSeq });
        else this.ctx.print(`✓✓ 装箱成功 (case committed)：箱码 ${o.caseCode}，${r.committed.children} 个`);
      }); break;
      case 'stack-case': this.attempt(() => {
        const r = stackManualCase(this.db, { batchId: this.batchId, stackId: this.stackId, caseCode: o.caseCode, userId: this.userId, at: new Date().toISOString() });
        this.stackId = r.stackId;
        this.session = o.session;
        if (this.ctx.json) this.ctx.printJson({ type: 'stacked', ok: true, caseCode: o.caseCode, stackId: r.stackId, cases: r.cases });
        else this.ctx.print(`✓ 箱 ${o.caseCode} 已上垛 (stacked) ${r.cases}/${this.rules.casesPerPallet}`);
      }); break;
      case 'commit-pallet': this.attempt(() => {
        if (this.stackId === null) throw new StoreError('INVALID_STATE', '没有正在组的垛 (no pallet stack)');
        const r = commitManualPallet(this.db, { batchId: this.batchId, stackId: this.stackId, palletCode: o.palletCode, userId: this.userId, at: Date.now(), epcis: this.epcis, short: o.short });
        this.stackId = null;
        this.session = o.session;
        this.tally.pallets += 1;
        if (this.ctx.json) this.ctx.printJson({ type: 'pallet', ok: true, palletCode: o.palletCode, cases: r.committed.cases, short: r.committed.short, auditSeq: r.auditSeq });
        else this.ctx.print(`✓✓ 组垛成功 (pallet committed)：垛码 ${o.palletCode}，${r.committed.cases} 箱${r.committed.short ? '（未满垛 short）' : ''}`);
      }); break;
    }
    this.prompt();
  }

  /** Ctrl-D / SIGINT: a half case is dropped (never committed); a started pallet stack is parked for later. */
  end(why: string): void {
    const half = this.session.children.length;
    const parked = this.stackId;
    if (parked !== null) this.attempt(() => { parkPallet(this.db, parked, this.userId); });
    this.session = { ...this.session, state: 'ended' };
    if (this.ctx.json) {
      this.ctx.printJson({ type: 'end', ok: true, why, cases: this.tally.cases, pallets: this.tally.pallets, refused: this.tally.refused, halfCaseDropped: half, parkedStack: parked });
      return;
    }
    if (half > 0) this.ctx.print(`本箱已扫 ${half} 个码，未提交 (half case of ${half} codes not committed)`);
    if (parked !== null) this.ctx.print(`垛 #${parked} 已暂存，可在组垛工位恢复 (pallet stack #${parked} parked)`);
    this.ctx.print(`人工采集结束 (manual capture ended)：装箱 ${this.tally.cases}，组垛 ${this.tally.pallets}，拒收 ${this.tally.refused}`);
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
      const facts = failOnStoreError(() => readBatchFacts(db.prepare<[number]>(BATCH_FACTS_SQL).raw(), batchId));
      if (facts.state !== 'running') throw new CommandFailure(`批次 ${batchId} 状态为 ${facts.state}，不能采集 (batch is not running)`);
      const rules: CaptureRules = { caseRules: caseRulesOf(db, batchId), casesPerPallet: facts.casesPerPallet };
      const loop = new CaptureLoop(ctx, db, batchId, userId, rules, epcis);
      if (ctx.json) ctx.printJson({ type: 'start', ok: true, batchId, user: userId, lot: facts.lot });
      else ctx.print(`人工采集 (manual capture)：批次 ${batchId}（批号 ${facts.lot}），操作员 ${auth.user.name}`);
      loop.prompt();
      const rl = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
      let why = 'eof';
      void ctx.shutdown.then((signal) => { why = signal; rl.close(); });
      for await (const line of rl) loop.scan(line);
      loop.end(why);
      return 0;
    });
  },
};
