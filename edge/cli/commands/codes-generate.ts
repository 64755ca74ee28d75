import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CodeProfile } from '../../codes/profile.ts';
import { DEFAULT_PROFILES } from '../../codes/profile.ts';
import { validateProfile } from '../../codes/validate-profile.ts';
import { CODE_KIND_LABEL_ZH, type CodeKind } from '../../domain/kinds.ts';
import { MAX_COUNT, startGeneration, type ExportTarget, type GeneratePhase } from '../../generate/index.ts';
import { choiceOption, integerOption, optionalString } from '../args.ts';
import type { CommandContext, CommandSpec, ParsedCommand } from '../command.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { withStore } from '../with-store.ts';
import { SEAL_KEY_OPTIONS, sealKeyFromArgs } from '../package-key-options.ts';
import { ProgressBar } from '../progress.ts';

const KINDS = ['cap-inner', 'cap-outer', 'case-inner', 'case-outer', 'pallet', 'box'] as const satisfies readonly CodeKind[];

const PHASE_LABEL: Readonly<Record<GeneratePhase, string>> = {
  generate: '生成',
  sort: '排序',
  insert: '写入数据库',
  checkpoint: '整理数据库',
};

/** The profile for `kind`: the product's own (validated, with the field path in errors) or the default. */
async function profileFor(ctx: CommandContext, kind: CodeKind, productId: string | undefined): Promise<CodeProfile> {
  if (productId === undefined) return DEFAULT_PROFILES[kind];
  const raw = await withStore(ctx, (store) => store.db.prepare('SELECT profiles FROM products WHERE id = ?').pluck().get(productId) as string | undefined);
  if (raw === undefined) throw new CommandFailure(`产品不存在: ${productId}，请先用 wuma product add 添加 (product not found; add it with wuma product add)`);
  let profiles: unknown;
  try {
    profiles = JSON.parse(raw);
  } catch {
    throw new CommandFailure(`产品 ${productId} 的码规则不是有效的 JSON (the product's stored profiles are not valid JSON)`);
  }
  const own = typeof profiles === 'object' && profiles !== null ? (profiles as Record<string, unknown>)[kind] : undefined;
  if (own === undefined) return DEFAULT_PROFILES[kind];
  const where = `products[${productId}].profiles.${kind}`;
  const issues = validateProfile(own, where);
  if (issues.length > 0) {
    throw new CommandFailure(`产品 ${productId} 的${CODE_KIND_LABEL_ZH[kind]}码规则无效 (invalid code profile): ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
  }
  const profile = own as CodeProfile;
  if (profile.kind !== kind) {
    throw new CommandFailure(`${where}.kind 为 "${profile.kind}"，与 --kind ${kind} 不符 (the profile is for another kind)`);
  }
  return profile;
}

function exportTarget(args: ParsedCommand, env: NodeJS.ProcessEnv): ExportTarget | null {
  const raw = optionalString(args, 'out');
  const encrypt = args.values['encrypt'] === true;
  const keyGiven = typeof args.values['passphrase-file'] === 'string' || typeof args.values['recipient-key'] === 'string';
  if (raw === undefined) {
    if (encrypt) throw new UsageError('--encrypt 需要 --out FILE (--encrypt needs --out FILE)');
    if (keyGiven) throw new UsageError('--passphrase-file / --recipient-key 只用于 --encrypt (key options are only for --encrypt)');
    return null;
  }
  if (!encrypt && keyGiven) throw new UsageError('给了密钥却没有 --encrypt；要加密请加 --encrypt (key options given without --encrypt)');
  const path = resolve(raw);
  if (existsSync(path)) throw new CommandFailure(`导出文件已存在，不会覆盖: ${path} (the --out file already exists; it is never overwritten)`);
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CommandFailure(`导出目录不存在: ${dir} (the --out directory does not exist)`);
  return encrypt ? { type: 'sealed', path, key: sealKeyFromArgs(args, env) } : { type: 'plain', path };
}

export const command: CommandSpec = {
  path: ['codes', 'generate'],
  summary: '批量生成新码入库，可导出码包 (generate new codes into the database, optionally export them)',
  options: {
    kind: { type: 'string', value: 'KIND', description: `码类型 (code kind): ${KINDS.join(' | ')}` },
    count: { type: 'string', value: 'N', description: `数量 1..${MAX_COUNT.toLocaleString('en-US')} (how many codes)` },
    product: { type: 'string', value: 'ID', description: '产品编号，用该产品的码规则 (use this product\'s code profile; default profile otherwise)' },
    out: { type: 'string', value: 'FILE', description: '导出文件，每行一个码；已存在则拒绝 (export file, one code per line; never overwritten)' },
    encrypt: { type: 'boolean', description: '加密导出为码包 (AES-256-GCM) (seal the export as an encrypted code package)' },
    ...SEAL_KEY_OPTIONS,
  },
  details: [
    '例 (examples):',
    '  wuma codes generate --kind cap-inner --count 1000000 --out caps.txt',
    '  WUMA_PACKAGE_PASSPHRASE=… wuma codes generate --kind case-inner --count 50000 --product BEER-500 --out cases.wmp --encrypt',
    '',
    '全部码在一个码包里：要么整包入库 (ready)，要么一个都不留 (aborted)；导出文件只在整包入库后出现。',
    '(All codes form one package: stored whole or not at all; the export file appears only once the package is stored.)',
    '终端上显示进度条；--json 输出汇总。Ctrl-C 取消并撤销本次所有码 (Ctrl-C cancels and removes every code of the run).',
  ].join('\n'),
  async run(ctx, args) {
    const kind = choiceOption(args, 'kind', KINDS);
    const count = integerOption(args, 'count', { min: 1, max: MAX_COUNT });
    const productId = optionalString(args, 'product');
    const out = exportTarget(args, ctx.env);
    const profile = await profileFor(ctx, kind, productId);
    const uuid = randomUUID();
    const bar = new ProgressBar(ctx.stderr, `生成${CODE_KIND_LABEL_ZH[kind]}`);
    const cancel = new AbortController();
    void ctx.shutdown.then(() => { cancel.abort(); });
    const started = performance.now();
    let outcome;
    try {
      outcome = await startGeneration(ctx.dbPath, {
        uuid, kind, productId: productId ?? null, profile, count, out,
        actor: `cli:${ctx.env['USER'] ?? ctx.env['USERNAME'] ?? 'unknown'}`,
      }, {
        signal: cancel.signal,
        onProgress: (p) => { bar.update(PHASE_LABEL[p.phase], p.done, p.total); },
      });
    } catch (error) {
      bar.finish();
      const code = (error as { code?: unknown }).code;
      const issues = (error as { issues?: unknown }).issues;
      throw new CommandFailure(error instanceof Error ? error.message : String(error), { code: typeof code === 'string' ? code : 'UNEXPECTED', package: uuid, ...(issues === undefined ? {} : { issues }) });
    }
    bar.finish();
    const { result, checkpointMs } = outcome;
    const totalMs = Math.round(performance.now() - started);
    if (ctx.json) {
      ctx.printJson({
        ok: true,
        package: { uuid: result.uuid, id: result.packageId, kind: result.kind, productId: result.productId, count: result.count, width: result.width, sha256: result.sha256 },
        out: result.out,
        replaced: result.replaced,
        transactions: result.transactions,
        writeLock: result.writeLock,
        timingsMs: { ...result.timingsMs, checkpoint: checkpointMs, total: totalMs },
      });
    } else {
      ctx.print(`已生成 ${result.count.toLocaleString('en-US')} 个${CODE_KIND_LABEL_ZH[kind]} (${kind})，码包 (package) ${result.uuid}`);
      if (result.out) ctx.print(`导出文件 (export${result.out.sealed ? ', encrypted' : ''}): ${result.out.path}  SHA-256 ${result.sha256 ?? ''}`);
      const { line } = result.writeLock.transactions;
      if (line > 0) ctx.print(`有批次在运行，${line} 个事务分小批写入，以免产线等待，最长占用写锁 ${Math.round(result.writeLock.holdMs.max)} ms (a batch was running: ${line} small transactions so the line never waits long; longest write-lock hold ${Math.round(result.writeLock.holdMs.max)} ms)`);
      ctx.print(`用时 (time): ${(totalMs / 1000).toFixed(1)} s`);
    }
    return 0;
  },
};
