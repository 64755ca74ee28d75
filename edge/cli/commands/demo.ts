import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { REJECT_REASON_ZH, type RejectReason } from '../../aggregation/reject-reason.ts';
import { demoLogger } from '../../demo/demo-logger.ts';
import { DEFAULT_FAULT_RATES, FAULT_KINDS, FAULT_LABEL_ZH, FaultRatesError, parseFaultRates, type FaultRates } from '../../demo/fault-rates.ts';
import { startDemoLine, type DemoSummary } from '../../demo/run-demo-line.ts';
import type { RunningStationApi } from '../../main.ts';
import type { Db } from '../../store/open.ts';
import { addUser, getUser } from '../../store/users.ts';
import { DEMO_PRODUCT_ID } from '../../demo/setup-demo-line.ts';
import type { DemoWarehouse } from '../../demo/demo-warehouse.ts';
import { integerOption, optionalString } from '../args.ts';
import type { CommandContext, CommandSpec, ParsedCommand } from '../command.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { listenFailure } from '../listen-failure.ts';

const DEFAULT_DB = './data/demo.db';
const DEFAULT_RATE = 2;
const DEFAULT_API_PORT = 8720;

/**
 * Demo users, one per role, so the demo's UI can be used at once: log in by scanning (typing) the badge; the PIN
 * signs QA actions. Demo credentials only — they exist in demo databases, never in a station's.
 */
export const DEMO_USERS = [
  { id: 'demo-op', name: '演示操作员 (demo operator)', role: 'operator', badge: 'DEMO-OP-0001', pin: '246810' },
  { id: 'demo-qa', name: '演示质检 (demo QA)', role: 'qa', badge: 'DEMO-QA-0001', pin: '135791' },
  { id: 'demo-it', name: '演示信息部 (demo IT)', role: 'it', badge: 'DEMO-IT-0001', pin: '864213' },
  { id: 'demo-wh', name: '演示仓管 (demo warehouse)', role: 'warehouse', badge: 'DEMO-WH-0001', pin: '975312' },
] as const;

function addDemoUsers(db: Db): void {
  for (const u of DEMO_USERS) if (getUser(db, u.id) === null) addUser(db, u, 'demo');
}

function rateOption(args: ParsedCommand): number {
  const raw = optionalString(args, 'rate');
  if (raw === undefined) return DEFAULT_RATE;
  const rate = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(rate >= 0.1 && rate <= 500)) throw new UsageError(`--rate 应为 0.1 到 500 之间的数（箱/秒），收到 "${raw}" (--rate must be 0.1..500 cases per second)`);
  return rate;
}

function faultsOption(args: ParsedCommand): FaultRates {
  const raw = optionalString(args, 'faults');
  if (raw === undefined) return DEFAULT_FAULT_RATES;
  try {
    return parseFaultRates(raw);
  } catch (error) {
    if (error instanceof FaultRatesError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * The demo never touches a real station database: an existing file must hold nothing but the demo product.
 * Returns whether the file exists (then the demo resumes on it).
 */
function checkDemoDatabase(path: string): boolean {
  if (!existsSync(path)) return false;
  let products: string[];
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const hasTable = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'products'`).get() !== undefined;
      products = hasTable ? db.prepare('SELECT id FROM products').pluck().all() as string[] : [];
    } finally {
      db.close();
    }
  } catch (error) {
    throw new CommandFailure(`无法打开 ${path}: ${error instanceof Error ? error.message : String(error)} (cannot open the database)`);
  }
  const foreign = products.filter((p) => p !== DEMO_PRODUCT_ID);
  if (foreign.length > 0) {
    throw new CommandFailure(`${path} 不是演示数据库（含产品 ${foreign.slice(0, 3).join(', ')}），演示不会改动它；请换一个 --db (not a demo database; the demo never touches it — use another --db)`);
  }
  return true;
}

function reasonText(byReason: Readonly<Partial<Record<RejectReason, number>>>): string {
  const parts = Object.entries(byReason).map(([r, n]) => `${REJECT_REASON_ZH[r as RejectReason]} ${n}`);
  return parts.length === 0 ? '无 (none)' : parts.join('，');
}

function printSummary(ctx: CommandContext, s: DemoSummary): void {
  ctx.print('');
  ctx.print(`演示线汇总 (demo summary) — 批次 (batch) ${s.batch === null ? '无，操作员未开始批次 (none: no batch was started)' : `${s.batch.id} ${s.batch.lot}`}${s.resumed ? '，接续已有数据库 (resumed)' : ''}`);
  ctx.print(`  投入箱数 (cases fed):        ${s.fed}，已判定 (decided) ${s.decided}，${s.casesPerSecond} 箱/秒 (cases/s)`);
  ctx.print(`  合格 (good):                 ${s.cases.good}`);
  ctx.print(`  剔除 (rejected):             ${s.cases.rejected} — ${reasonText(s.cases.byReason)}`);
  ctx.print(`  模拟故障 (faults simulated): ${FAULT_KINDS.map((k) => `${FAULT_LABEL_ZH[k]} ${s.faultsPlanned[k]}`).join('，')}`);
  ctx.print(`  垛 (pallets):                ${s.pallets}（当前垛上 ${s.batchTotals.palletStackCases} 箱 on the open pallet）`);
  ctx.print(`  报警 (alarms):               累计 ${s.alarms.raised}，未解除 ${s.alarms.active.length}${s.alarms.active.length > 0 ? `: ${s.alarms.active.join(', ')}` : ''}`);
  ctx.print(`  待上传事件 (outbox events):  ${s.outbox.events}，总部已确认 (confirmed) ${s.outbox.confirmed}`);
  ctx.print(`  数据库检查 (verify):         ${s.verify.ok ? '通过 (ok)' : `失败 (failed): ${s.verify.failed.join(', ')}`}，对账${s.reconciliationBalanced ? '平衡 (balanced)' : '不平衡 (NOT balanced)'}`);
  ctx.print(`  用时 (elapsed):              ${(s.elapsedMs / 1000).toFixed(1)} s（其中准备 setup ${(s.setupMs / 1000).toFixed(1)} s）`);
  ctx.print(`  数据库 (database):           ${s.db}  — 可用 wuma verify / wuma batch report --db ${s.db} 查看`);
}

export const command: CommandSpec = {
  path: ['demo'],
  summary: '演示线：模拟读码器、打印机和 PLC，运行真实工位 (demo line: emulated readers, printer and PLC driving the real station)',
  options: {
    mode: { type: 'string', value: 'MODE', description: '演示模式 line（装箱/组垛线，默认）或 pairing（盖厂配对线）(demo mode: line, the default, or pairing)' },
    dir: { type: 'string', value: 'DIR', description: 'pairing 模式：数据库和配对包所在目录（默认临时目录）(pairing mode: directory for the databases and packages; default a temp dir)' },
    cases: { type: 'string', value: 'N', description: '投入 N 箱后停止并汇总；不给则一直运行到 Ctrl+C (stop after N cases; default: run until Ctrl+C)' },
    rate: { type: 'string', value: 'R', description: `每秒箱数 (cases per second, 0.1..500; default ${DEFAULT_RATE})` },
    faults: { type: 'string', value: 'LIST', description: `故障概率 (fault rates), 例 missing=0.02,duplicate=0.01,foreign=0.01,noread=0.01,label=0.01；none 关闭全部` },
    'api-port': { type: 'string', value: 'P', description: `本地接口/界面端口 (local API/UI port; default ${DEFAULT_API_PORT}, with --json or --ack any free port; 0 = any free port)` },
    port: { type: 'string', value: 'P', description: '同 --api-port (same as --api-port)' },
    'api-token-file': { type: 'string', value: 'FILE', description: '本次启动的令牌写入此文件（仅本用户可读）(write the per-launch API token here, mode 0600; default api-token beside the database)' },
    'operator-batch': { type: 'boolean', description: '不自动开始批次：准备产品和码包，等操作员在界面上开始批次后才送箱（不带 --cases/--json 时默认）(start no batch: the conveyor waits for the batch the operator starts in the UI; the default when the UI is served and no --cases/--json is given)' },
    'no-api': { type: 'boolean', description: '不启动本地接口和界面（崩溃测试、脚本用，启动更快）(serve no local API/UI: faster start, for the crash harness and scripts)' },
    hold: { type: 'boolean', description: '跑完 --cases 后保持工位和界面运行，直到 Ctrl+C (after the --cases run, keep the station and UI up until Ctrl+C)' },
    seed: { type: 'string', value: 'S', description: '故障随机种子，便于复现 (fault dice seed, for a repeatable run)' },
    log: { type: 'string', value: 'FILE', description: '工位日志写入此文件（JSON 行）(append the station log to FILE as JSON lines)' },
    sync: { type: 'boolean', description: '同时运行参考 EPCIS 接收端并上传 (also run the reference EPCIS receiver and sync to it)' },
    stock: { type: 'string', value: 'N', description: '新数据库生成 N 箱的码 (cases\' worth of codes generated for a new database; default cases + 10 %, or 20000)' },
    fresh: { type: 'boolean', description: '先删除已有的演示数据库 (delete an existing demo database first)' },
    ack: { type: 'boolean', description: '每提交一箱输出一行 "ACK 箱码"（崩溃测试用）(print "ACK <case>" after each committed case; for the crash harness)' },
  },
  details: [
    `数据库默认 ${DEFAULT_DB}（不用 WUMA_DB，演示不会碰真实工位的数据库）；已有的演示数据库会接着用 (an existing demo database is resumed).`,
    '每箱 12 瓶，每垛 10 箱；盖内/盖外码和箱内/箱外码由真实生成器生成并导入关联。',
    '(12 bottles per case, 10 cases per pallet; cap and case codes come from the real generator with imported pairs.)',
    '例 (examples):',
    '  npm start                                  一直运行，终端显示实时计数 (runs until Ctrl+C with live counters)',
    '  wuma demo --cases 500 --rate 20 --json     无界面运行 500 箱并输出汇总 (headless, JSON summary)',
    '  wuma demo --cases 200 --faults none        无故障 (no faults)',
    '  wuma demo --operator-batch --cases 30 --hold  等操作员开始批次，送 30 箱后保持界面 (waits for the operator\'s batch, 30 cases, UI stays up)',
    '  wuma demo --cases 100 --json --no-api     不启动界面，最快 (no UI, fastest start)',
    '  wuma demo --mode pairing --cases 300      盖厂配对线：两台读码器、PLC 排废、签名配对包由品牌方导入 (pairing line, sealed pairing package imported by the brand)',
    '    故障 (faults, pairing): --faults one-side=0.03,double-print=0.02,slipped=0.02,foreign=0.02 或 none',
  ].join('\n'),
  async run(ctx, args) {
    const mode = optionalString(args, 'mode') ?? 'line';
    if (mode !== 'line' && mode !== 'pairing') throw new UsageError(`--mode 应为 line 或 pairing，收到 "${mode}" (--mode must be line or pairing)`);
    // The pairing demo, the local API and the demo warehouse load only when used (a --no-api line starts faster).
    if (mode === 'pairing') return (await import('../pairing-demo-command.ts')).runPairingDemoCommand(ctx, args);
    if (args.values['dir'] !== undefined) throw new UsageError('--dir 只用于 --mode pairing (--dir is for --mode pairing only)');
    const cases = args.values['cases'] === undefined ? null : integerOption(args, 'cases', { min: 1, max: 10_000_000 });
    const rate = rateOption(args);
    const faults = faultsOption(args);
    const serveApi = args.values['no-api'] !== true;
    if (!serveApi) {
      for (const name of ['api-port', 'port', 'api-token-file', 'operator-batch', 'hold']) {
        if (args.values[name] !== undefined) throw new UsageError(`--no-api 不能与 --${name} 同用：没有界面就无法开始或查看批次 (--no-api cannot be combined with --${name})`);
      }
    }
    // Headless runs (--json, --ack: tests, the crash harness) take any free port unless told, so parallel runs never collide.
    const headlessPort = ctx.json || args.values['ack'] === true ? 0 : DEFAULT_API_PORT;
    const port = args.values['api-port'] !== undefined
      ? integerOption(args, 'api-port', { min: 0, max: 65_535 })
      : integerOption(args, 'port', { min: 1, max: 65_535 }, headlessPort);
    const seed = args.values['seed'] === undefined ? undefined : integerOption(args, 'seed', { min: 0, max: 2 ** 32 - 1 });
    const dbPath = resolve(optionalString(args, 'db') ?? DEFAULT_DB);
    const logFile = optionalString(args, 'log');
    const stock = args.values['stock'] === undefined ? undefined : integerOption(args, 'stock', { min: 1, max: 5_000_000 });
    if (args.values['fresh'] === true && existsSync(dbPath)) {
      checkDemoDatabase(dbPath);
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true });
    }
    checkDemoDatabase(dbPath);
    const live = !ctx.json && ctx.stdout.isTTY === true;
    const logger = demoLogger({
      level: 'info', ...(logFile === undefined ? {} : { file: resolve(logFile) }),
      echo: (line) => { ctx.stderr.write(live ? `\n${line}` : line); }, echoLevel: 'error',
    });
    const ack = args.values['ack'] === true;
    // The operator starts the batch in the UI unless the run is headless (a case count, JSON, ACK lines) or has no UI.
    const operatorBatch = args.values['operator-batch'] === true || (serveApi && cases === null && !ctx.json && !ack);
    if (!ctx.json) ctx.print(`演示线准备中 (preparing the demo line): ${dbPath} …`);
    // Loaded before the line runs: loading the API's modules blocks the event loop long enough to miss PLC heartbeats.
    const served = serveApi ? await Promise.all([import('../../demo/demo-warehouse.ts'), import('../../main.ts')]) : null;
    const demo = await startDemoLine({
      dbPath, cases, rate, faults, logger, operatorBatch, ...(seed === undefined ? {} : { seed }), ...(stock === undefined ? {} : { stockCases: stock }),
      receiverDbPath: args.values['sync'] === true ? `${dbPath}.hq.db` : null,
      ...(ack ? { onAccepted: (code: string) => { ctx.stdout.write(`ACK ${code}\n`); } } : {}),
    }).catch((error: unknown) => {
      throw new CommandFailure(`演示线启动失败 (demo line failed to start): ${error instanceof Error ? error.message : String(error)}`);
    });
    let api: RunningStationApi | null = null;
    let warehouse: DemoWarehouse | null = null;
    const tokenFile = resolve(optionalString(args, 'api-token-file') ?? join(dirname(dbPath), 'api-token'));
    try {
      addDemoUsers(demo.station.store.db);
      // The warehouse's demo (issue 13 §6): a sample order the PDA page ships once the line has made its pallets.
      if (served !== null) {
        const [{ setupDemoWarehouse }, { startStationApi }] = served;
        warehouse = setupDemoWarehouse(demo.station.store.db, demo.line.productId, demo.line.casesPerPallet);
        api = await startStationApi(demo.station, { host: '127.0.0.1', port, tokenFile, logger });
      }
    } catch (error) {
      await demo.stop();
      const failure = listenFailure(error, port, '--api-port');
      if (failure !== undefined) throw failure;
      throw new CommandFailure(`本地接口启动失败 (local API failed to start): ${error instanceof Error ? error.message : String(error)}`);
    }
    // Process start → the line decides and the UI serves (issue 12's ready time, as `wuma station` prints it).
    const readyMs = Math.round(performance.now());
    if (ack) ctx.stdout.write('READY\n');
    if (!ctx.json) {
      const d = demo.devices.ports;
      const b = demo.line.batch;
      const batchText = b === null ? '等待操作员在界面上开始批次 (waiting for the operator to start a batch in the UI)' : `批次 ${b.id} ${b.lot}`;
      ctx.print(`演示线已启动 (demo line running, ready in ${readyMs} ms): ${batchText}，${rate} 箱/秒，${cases === null ? '按 Ctrl+C 停止 (Ctrl+C stops it)' : `共 ${cases} 箱`}`);
      ctx.print(`  模拟设备 (emulators on 127.0.0.1): 相机 camera :${d.camera}  箱码 case reader :${d.caseReader}  垛读码 pallet reader :${d.palletReader}  打印机 ZPL printer :${d.printer}  复核 verifier :${d.verifier}  PLC Modbus :${d.plc}`);
      if (demo.receiver !== null) ctx.print(`  EPCIS 接收端 (receiver): ${demo.receiver.url}`);
      if (api !== null) {
        // The demo is a local show-and-try: the person who started it gets a link that opens the UI at once (the
        // link sets the session cookie). A real station (`wuma station`) never prints its token.
        ctx.print(`  本地界面 (local UI): 在浏览器打开 (open in a browser) ${api.url}/?token=${api.token}`);
        ctx.print(`  令牌文件 (token file): ${tokenFile}`);
        ctx.print(`  演示工卡 (demo badges): ${DEMO_USERS.map((u) => `${u.role} ${u.badge} PIN ${u.pin}`).join('；')}`);
        if (warehouse !== null) {
          // The demo PDA's pairing link: open it in a phone-sized window (or the browser's device mode), scan the warehouse badge.
          ctx.print(`  PDA 出库页 (PDA dispatch page): ${api.url}/pda/?device=${warehouse.pdaToken}`);
          ctx.print(`  演示发货单 (demo order) ${warehouse.orderId}: ${warehouse.quantity} 箱 → ${warehouse.dealer}；出满两垛后可在 PDA 页发货 (ships from the PDA page once two pallets are made)`);
        }
      } else ctx.print('  未启动本地界面/接口 (--no-api: no local UI/API)');
    }
    let ticker: NodeJS.Timeout | null = null;
    if (live) {
      ticker = setInterval(() => {
        const s = demo.station.status();
        const c = s.counters;
        ctx.stdout.write(`\r\x1b[2K合格 good ${c.good} | 剔除 reject ${c.reject} (无读 no-read ${c.noRead}) | 垛 pallets ${c.pallets} (${s.palletStation?.cases ?? 0}/${s.batch?.casesPerPallet ?? 0}) | 报警 alarms ${s.alarms.length} | 已投入 fed ${demo.fed()}`);
      }, 500);
    }
    let signal = await Promise.race([ctx.shutdown, demo.finished.then(() => null)]);
    if (signal === null && args.values['hold'] === true) {
      if (!ctx.json) ctx.print(`${live ? '\n' : ''}演示箱已跑完，工位和界面保持运行；按 Ctrl+C 停止 (cases done; station and UI stay up until Ctrl+C)`);
      signal = await ctx.shutdown;
    }
    if (ticker !== null) clearInterval(ticker);
    if (live) ctx.stdout.write('\n');
    await api?.close();
    const summary = await demo.stop();
    if (ctx.json) ctx.printJson({ ...summary, readyMs });
    else {
      if (signal !== null) ctx.print(`已停止 (stopped on ${signal})`);
      printSummary(ctx, summary);
    }
    return summary.ok ? 0 : 1;
  },
};
