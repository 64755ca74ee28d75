import type { FieldError, Parsed } from './field-error.ts';
import { hasValidGs1CheckDigit } from './gs1-check-digit.ts';

/**
 * A product the line packs. Pack ratios: units (bottles) per case and cases per pallet, with an optional box
 * level in between (units_per_box × boxes_per_case = units_per_case). Profiles are the code profiles per kind,
 * validated by edge/codes; here they are carried as plain JSON.
 */
export interface Product {
  readonly id: string;
  readonly name: string;
  readonly gtin: string | null;
  readonly unitsPerBox: number | null;
  readonly boxesPerCase: number | null;
  readonly unitsPerCase: number;
  readonly casesPerPallet: number;
  readonly pairingRequired: boolean;
  readonly profiles: Readonly<Record<string, unknown>>;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;
const MAX_RATIO = 10_000;

function positiveInt(value: unknown, path: string, errors: FieldError[], label: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_RATIO) {
    errors.push({ path, message: `${label}应为 1 到 ${MAX_RATIO} 的整数，收到 ${JSON.stringify(value)} (must be a whole number 1..${MAX_RATIO})` });
    return null;
  }
  return value;
}

/** Validates an untrusted product description; every problem comes back with its field path. */
export function parseProduct(input: unknown, base = ''): Parsed<Product> {
  const at = (field: string): string => (base ? `${base}.${field}` : field);
  const errors: FieldError[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ path: base || '(root)', message: '应为对象 (must be an object)' }] };
  }
  const o = input as Record<string, unknown>;
  const id = o['id'];
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    errors.push({ path: at('id'), message: `产品编号应为 1–40 个字母、数字、点、横线或下划线，收到 ${JSON.stringify(id)} (product id: 1–40 of A-Z a-z 0-9 . _ -)` });
  }
  const name = o['name'];
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > 100) {
    errors.push({ path: at('name'), message: '产品名称不能为空，最多 100 字 (name: 1–100 characters)' });
  }
  let gtin: string | null = null;
  if (o['gtin'] !== undefined && o['gtin'] !== null) {
    const raw = o['gtin'];
    const padded = typeof raw === 'string' && /^\d{8,14}$/.test(raw) ? raw.padStart(14, '0') : '';
    if (!/^\d{14}$/.test(padded) || !hasValidGs1CheckDigit(padded)) errors.push({ path: at('gtin'), message: `GTIN 无效（8–14 位数字，校验位正确），收到 ${JSON.stringify(raw)} (invalid GTIN)` });
    else gtin = padded;
  }
  const unitsPerCase = positiveInt(o['unitsPerCase'], at('unitsPerCase'), errors, '每箱瓶数');
  if (o['unitsPerCase'] === undefined) errors.push({ path: at('unitsPerCase'), message: '缺少每箱瓶数 (unitsPerCase is required)' });
  const casesPerPallet = positiveInt(o['casesPerPallet'], at('casesPerPallet'), errors, '每垛箱数');
  if (o['casesPerPallet'] === undefined) errors.push({ path: at('casesPerPallet'), message: '缺少每垛箱数 (casesPerPallet is required)' });
  const unitsPerBox = positiveInt(o['unitsPerBox'], at('unitsPerBox'), errors, '每盒瓶数');
  const boxesPerCase = positiveInt(o['boxesPerCase'], at('boxesPerCase'), errors, '每箱盒数');
  if ((o['unitsPerBox'] === undefined) !== (o['boxesPerCase'] === undefined)) {
    errors.push({ path: at(o['unitsPerBox'] === undefined ? 'unitsPerBox' : 'boxesPerCase'), message: '盒级需要同时给出每盒瓶数和每箱盒数 (the box level needs both unitsPerBox and boxesPerCase)' });
  } else if (unitsPerBox !== null && boxesPerCase !== null && unitsPerCase !== null && unitsPerBox * boxesPerCase !== unitsPerCase) {
    errors.push({ path: at('unitsPerCase'), message: `每盒瓶数 × 每箱盒数 = ${unitsPerBox * boxesPerCase}，与每箱瓶数 ${unitsPerCase} 不符 (unitsPerBox × boxesPerCase must equal unitsPerCase)` });
  }
  const pairing = o['pairingRequired'];
  if (pairing !== undefined && typeof pairing !== 'boolean') errors.push({ path: at('pairingRequired'), message: '应为 true 或 false (must be a boolean)' });
  const profiles = o['profiles'];
  if (profiles !== undefined && (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles))) {
    errors.push({ path: at('profiles'), message: '应为按码类型的对象 (must be an object keyed by code kind)' });
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      id: id as string,
      name: (name as string).trim(),
      gtin,
      unitsPerBox,
      boxesPerCase,
      unitsPerCase: unitsPerCase as number,
      casesPerPallet: casesPerPallet as number,
      pairingRequired: pairing === undefined ? true : pairing === true,
      profiles: (profiles as Record<string, unknown> | undefined) ?? {},
    },
  };
}
