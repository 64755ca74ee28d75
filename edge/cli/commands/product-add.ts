import { readFileSync } from 'node:fs';
import { integerOption, optionalString, requireString } from '../args.ts';
import type { CommandSpec } from '../command.ts';
import { CommandFailure, UsageError } from '../errors.ts';
import { withStore } from '../with-store.ts';
import { formatFieldErrors } from '../../domain/field-error.ts';
import { CODE_KINDS } from '../../domain/kinds.ts';
import { parseProduct } from '../../domain/product.ts';
import { addProduct } from '../../store/products.ts';
import { validateProfile } from '../../codes/index.ts';
import type { CodeProfile } from '../../codes/profile.ts';

function readProfiles(path: string | undefined): Record<string, unknown> {
  if (path === undefined) return {};
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (error) {
    throw new UsageError(`无法读取 --profiles 文件 ${path}: ${(error as Error).message} (cannot read profiles file)`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`--profiles 文件 ${path} 不是有效的 JSON: ${(error as Error).message} (not valid JSON)`);
  }
}

export const command: CommandSpec = {
  path: ['product', 'add'],
  summary: '新增产品及其包装比例和码规则 (add a product with its pack ratios and code profiles)',
  options: {
    id: { type: 'string', value: 'ID', description: '产品编号 (product id, e.g. beer-500)' },
    name: { type: 'string', value: 'NAME', description: '产品名称 (product name)' },
    gtin: { type: 'string', value: 'GTIN', description: '可选，GTIN-8/12/13/14 (optional GTIN)' },
    'units-per-case': { type: 'string', value: 'N', description: '每箱瓶数 (bottles per case)' },
    'cases-per-pallet': { type: 'string', value: 'N', description: '每垛箱数 (cases per pallet)' },
    'units-per-box': { type: 'string', value: 'N', description: '可选盒级：每盒瓶数 (optional box level: bottles per box)' },
    'boxes-per-case': { type: 'string', value: 'N', description: '可选盒级：每箱盒数 (optional box level: boxes per case)' },
    'pairing-optional': { type: 'boolean', description: '不要求内外码同级关联 (do not require inner/outer pairing)' },
    profiles: { type: 'string', value: 'FILE.json', description: '按码类型的码规则 JSON (code profiles per kind)' },
  },
  details: '例 (example): wuma product add --id beer-500 --name "雪花啤酒 500ml" --units-per-case 12 --cases-per-pallet 70',
  async run(ctx, args) {
    const optionalInt = (name: string): number | undefined => (args.values[name] === undefined ? undefined : integerOption(args, name, { min: 1, max: 10_000 }));
    const profiles = readProfiles(optionalString(args, 'profiles'));
    const parsed = parseProduct({
      id: requireString(args, 'id'),
      name: requireString(args, 'name'),
      gtin: optionalString(args, 'gtin'),
      unitsPerCase: integerOption(args, 'units-per-case', { min: 1, max: 10_000 }),
      casesPerPallet: integerOption(args, 'cases-per-pallet', { min: 1, max: 10_000 }),
      unitsPerBox: optionalInt('units-per-box'),
      boxesPerCase: optionalInt('boxes-per-case'),
      pairingRequired: args.values['pairing-optional'] !== true,
      profiles,
    });
    if (!parsed.ok) throw new UsageError(`产品定义有误 (invalid product):\n${formatFieldErrors(parsed.errors)}`);
    const profileErrors: string[] = [];
    for (const [kind, profile] of Object.entries(parsed.value.profiles)) {
      if (!(CODE_KINDS as readonly string[]).includes(kind)) {
        profileErrors.push(`profiles.${kind}: 未知码类型，可选 ${CODE_KINDS.join(' | ')} (unknown code kind)`);
        continue;
      }
      for (const e of validateProfile(profile as CodeProfile)) profileErrors.push(`profiles.${kind}.${e.path}: ${e.message}`);
    }
    if (profileErrors.length > 0) throw new UsageError(`码规则有误 (invalid code profiles):\n${profileErrors.join('\n')}`);
    await withStore(ctx, (store) => {
      try {
        addProduct(store.db, parsed.value, ctx.env['USER'] ?? 'cli');
      } catch (error) {
        if ((error as { code?: string }).code === 'CONFLICT') throw new CommandFailure((error as Error).message);
        throw error;
      }
    });
    if (ctx.json) ctx.printJson({ ok: true, product: parsed.value });
    else ctx.print(`已新增产品 ${parsed.value.id}「${parsed.value.name}」：每箱 ${parsed.value.unitsPerCase} 瓶，每垛 ${parsed.value.casesPerPallet} 箱 (product added)`);
    return 0;
  },
};
