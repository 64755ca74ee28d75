/**
 * The faults the simulated conveyor puts on the line, each a probability per case (0..1), drawn independently
 * in this order; the first that hits decides the case, so the rates add up to at most 1:
 * - `missing`   缺瓶: a bottle is missing, the camera sees one cap less (reject: missing);
 * - `duplicate` 重码: one cap carries the code of a bottle already packed in an earlier case (reject: duplicate);
 * - `foreign`   码包外: one cap carries a code from no package of this batch (reject: foreign);
 * - `noread`    无读: the camera reports a no-read for the whole case top (reject: no-read);
 * - `label`     箱码损坏: the case label is damaged, the case reader reports a no-read (reject: case-code).
 */
export const FAULT_KINDS = ['missing', 'duplicate', 'foreign', 'noread', 'label'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type FaultRates = Readonly<Record<FaultKind, number>>;

export const FAULT_LABEL_ZH: Readonly<Record<FaultKind, string>> = {
  missing: '缺瓶', duplicate: '重码', foreign: '码包外', noread: '无读', label: '箱码损坏',
};

export const DEFAULT_FAULT_RATES: FaultRates = Object.freeze({ missing: 0.02, duplicate: 0.01, foreign: 0.01, noread: 0.01, label: 0.01 });
export const NO_FAULTS: FaultRates = Object.freeze({ missing: 0, duplicate: 0, foreign: 0, noread: 0, label: 0 });

/** Thrown for a bad `--faults` value; the CLI turns it into a usage error. */
export class FaultRatesError extends Error {
  readonly code = 'BAD_FAULTS' as const;
  constructor(message: string) {
    super(message);
    this.name = 'FaultRatesError';
  }
}

/**
 * Parses `missing=0.02,duplicate=0.01,…`. Kinds not named keep their default; `none` turns every fault off.
 * Each rate is a decimal in [0, 1] and the sum must stay ≤ 1.
 */
export function parseFaultRates(text: string, base: FaultRates = DEFAULT_FAULT_RATES): FaultRates {
  if (text.trim() === 'none') return NO_FAULTS;
  const rates: Record<FaultKind, number> = { ...base };
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p.length > 0)) {
    const match = /^([a-z]+)=([0-9]*\.?[0-9]+)$/.exec(part);
    if (match === null) throw new FaultRatesError(`--faults 的 "${part}" 格式应为 名称=概率，如 missing=0.02 (expected name=rate)`);
    const [, name = '', value = ''] = match;
    if (!(FAULT_KINDS as readonly string[]).includes(name)) {
      throw new FaultRatesError(`--faults 未知故障 "${name}"，可选: ${FAULT_KINDS.join(', ')} (unknown fault kind)`);
    }
    const rate = Number(value);
    if (!(rate >= 0 && rate <= 1)) throw new FaultRatesError(`--faults ${name} 应在 0 到 1 之间，收到 ${value} (rate must be within 0..1)`);
    rates[name as FaultKind] = rate;
  }
  const sum = FAULT_KINDS.reduce((s, k) => s + rates[k], 0);
  if (sum > 1 + 1e-9) throw new FaultRatesError(`--faults 各故障概率之和为 ${sum.toFixed(3)}，不能超过 1 (the rates add up to more than 1)`);
  return Object.freeze(rates);
}

/** Picks the fault of one case from a uniform draw u ∈ [0, 1): cumulative over FAULT_KINDS, else none. */
export function pickFault(rates: FaultRates, u: number): FaultKind | 'none' {
  let edge = 0;
  for (const kind of FAULT_KINDS) {
    edge += rates[kind];
    if (u < edge) return kind;
  }
  return 'none';
}
