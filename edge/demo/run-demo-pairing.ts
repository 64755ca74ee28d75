import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { READER_EMULATORS } from '../../scanners/index.ts';
import { DEFAULT_PROFILES } from '../codes/profile.ts';
import { webCryptoRandom } from '../codes/random-source.ts';
import { parsePairingConfig } from '../config/pairing-config.ts';
import { generatePackage } from '../generate/index.ts';
import { exportPackage, importCodePackage } from '../packages/index.ts';
import { exportPairingPackage, importPairingPackage } from '../pairing/pairing-package.ts';
import type { PairingWasteReason } from '../pairing/pairing-reason.ts';
import { startPairingStation } from '../pairing/pairing-runtime.ts';
import type { PairingItemOutcome } from '../pairing/pairing-station.ts';
import { startModbusPlcEmulator } from '../plc/emulators/modbus-plc-emulator.ts';
import { DEFAULT_REGISTER_MAP } from '../plc/register-map.ts';
import { openStore } from '../store/open.ts';
import { closePairingRun, type PairingCounts } from '../store/pairing-items.ts';
import { addProduct } from '../store/products.ts';
import { verifyStore } from '../store/verify.ts';
import type { Logger } from '../station/logger.ts';
import { QueueFeed } from './queue-feed.ts';
import { seededRandom } from './seeded-random.ts';

/** Faults of the pairing line (issue 15 §4), each with the reason it must end in. */
export const PAIRING_FAULTS = ['one-side', 'double-print', 'slipped', 'foreign'] as const;
export type PairingFault = (typeof PAIRING_FAULTS)[number];
export type PairingFaultRates = Readonly<Record<PairingFault, number>>;

export const PAIRING_FAULT_REASON: Readonly<Record<PairingFault, PairingWasteReason>> = {
  'one-side': 'one-side', 'double-print': 'duplicate', slipped: 'slipped', foreign: 'foreign',
};
export const PAIRING_FAULT_ZH: Readonly<Record<PairingFault, string>> = {
  'one-side': '单面无读', 'double-print': '重复打印', slipped: '错位', foreign: '码包外',
};
export const DEFAULT_PAIRING_FAULTS: PairingFaultRates = { 'one-side': 0.03, 'double-print': 0.02, slipped: 0.02, foreign: 0.02 };

/** Parses `one-side=0.03,double-print=0.02,…` or `none`; throws RangeError naming the bad entry. */
export function parsePairingFaults(text: string): PairingFaultRates {
  if (text.trim() === 'none') return { 'one-side': 0, 'double-print': 0, slipped: 0, foreign: 0 };
  const out: Record<PairingFault, number> = { ...DEFAULT_PAIRING_FAULTS };
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name = '', value = ''] = part.split('=');
    if (!(PAIRING_FAULTS as readonly string[]).includes(name)) throw new RangeError(`未知的配对故障 "${name}"，可选: ${PAIRING_FAULTS.join(' | ')} (unknown pairing fault)`);
    const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
    if (!(n >= 0 && n <= 1)) throw new RangeError(`故障 ${name} 的概率应在 0..1，收到 "${value}" (fault rate must be 0..1)`);
    out[name as PairingFault] = n;
  }
  if (Object.values(out).reduce((a, b) => a + b, 0) > 1) throw new RangeError('故障概率之和不能超过 1 (fault rates must sum to ≤ 1)');
  return out;
}

export interface PairingDemoOptions {
  /** A directory for the two databases and the files (supplier.db, brand.db, the packages). */
  readonly dir: string;
  readonly items: number;
  readonly faults: PairingFaultRates;
  readonly seed?: number;
  readonly logger: Logger;
  readonly onItem?: (o: PairingItemOutcome, planned: PairingFault | 'none') => void;
}

export interface PairingDemoSummary {
  readonly ok: boolean;
  readonly items: number;
  readonly counts: PairingCounts;
  readonly faultsPlanned: Readonly<Record<PairingFault | 'none', number>>;
  /** Items whose decision was not the reason their fault must end in (0 in a correct run). */
  readonly wrongOutcomes: number;
  readonly wrongExamples: readonly string[];
  readonly run: string;
  readonly package: { readonly file: string; readonly bytes: number; readonly pairs: number; readonly waste: number; readonly signer: string };
  readonly brandImport: { readonly ok: boolean; readonly stored: number; readonly voided: number; readonly cameraVerified: number };
  readonly verify: { readonly supplier: boolean; readonly brand: boolean };
  readonly decisionMs: { readonly p50: number; readonly p99: number };
  readonly elapsedMs: number;
  readonly dir: string;
}

const HOST = '127.0.0.1';
const PRODUCT = 'DEMO-CAP-500';

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/**
 * The pairing line demo (issue 15 §4), end to end through the real pieces:
 * 1. the brand (brand.db) generates a cap-inner and a cap-outer package with the real generator and exports them
 *    sealed to the supplier station's X25519 key; the supplier (supplier.db) imports them (full verification);
 * 2. the supplier's pairing station runs against two reader emulators (Keyence inner side, Cognex outer side) and
 *    a Modbus PLC emulator on loopback TCP; a simulated printer line passes `items` caps under them with faults
 *    rolled by seeded dice: one side unread, double print (an earlier cap's codes again), slipped order (a stray
 *    trigger on one camera just before the cap) and foreign codes (an outer code from no package);
 * 3. the run is closed and exported as a sealed pairing package signed by the station's Ed25519 key, sealed to
 *    the brand's X25519 key; the brand imports it with the supplier key it trusts.
 * Every item's decision is compared with the reason its fault must end in.
 */
export async function runPairingDemo(o: PairingDemoOptions): Promise<PairingDemoSummary> {
  const started = performance.now();
  const random = seededRandom(o.seed ?? 15);
  const supplierKeys = generateKeyPairSync('x25519');
  const brandKeys = generateKeyPairSync('x25519');
  const stationSigning = generateKeyPairSync('ed25519');
  const count = Math.ceil(o.items * 1.1) + 10;

  // 1. Brand generates and seals; supplier imports.
  const brand = openStore(join(o.dir, 'brand.db'));
  const supplierPath = join(o.dir, 'supplier.db');
  const uuids: Record<'cap-inner' | 'cap-outer', string> = { 'cap-inner': randomUUID(), 'cap-outer': randomUUID() };
  try {
    addProduct(brand.db, { id: PRODUCT, name: '演示瓶盖 (demo cap)', gtin: null, unitsPerBox: null, boxesPerCase: null, unitsPerCase: 12, casesPerPallet: 70, pairingRequired: true, profiles: {} }, 'demo');
    const supplier = openStore(supplierPath);
    try {
      addProduct(supplier.db, { id: PRODUCT, name: '演示瓶盖 (demo cap)', gtin: null, unitsPerBox: null, boxesPerCase: null, unitsPerCase: 12, casesPerPallet: 70, pairingRequired: true, profiles: {} }, 'demo');
      for (const kind of ['cap-inner', 'cap-outer'] as const) {
        await generatePackage(brand.db, { uuid: uuids[kind], kind, productId: PRODUCT, profile: DEFAULT_PROFILES[kind], count, actor: 'demo', out: null }, { random: webCryptoRandom, onProgress: () => {}, cancelled: () => false });
        const file = join(o.dir, `${kind}.wpkg`);
        await exportPackage(brand.db, uuids[kind], file, { type: 'recipient', publicKey: supplierKeys.publicKey });
        const imported = await importCodePackage(supplier.db, { path: file, kind: null, productId: PRODUCT, supplier: 'brand', key: { type: 'private-key', privateKey: supplierKeys.privateKey }, actor: 'demo' });
        if (!imported.report.ok) throw new Error(`演示码包导入失败 (demo package import failed): ${JSON.stringify(imported.report.issues.slice(0, 3))}`);
      }
    } finally {
      await supplier.close();
    }
  } catch (error) {
    await brand.close();
    throw error;
  }

  // 2. The pairing line.
  const closers: (() => Promise<void>)[] = [() => brand.close()];
  try {
    const innerFeed = new QueueFeed();
    const outerFeed = new QueueFeed();
    const listen = { kind: 'tcp-listen', host: HOST, port: 0 } as const;
    const innerEm = await READER_EMULATORS.keyence({ endpoint: listen, feed: innerFeed, readDelayMs: 1 }).start();
    closers.push(() => innerEm.stop());
    const outerEm = await READER_EMULATORS.cognex({ endpoint: listen, feed: outerFeed, readDelayMs: 1 }).start();
    closers.push(() => outerEm.stop());
    const plc = await startModbusPlcEmulator({ map: DEFAULT_REGISTER_MAP, tcp: { host: HOST, port: 0 }, confirm: { mode: 'delay', ms: 2 }, heartbeatMs: 100 });
    closers.push(() => plc.close());
    const config = parsePairingConfig({
      mode: 'pairing', station: { id: 'DEMO-P1', name: '演示瓶盖印刷线 (demo cap line)', line: 'DEMO-P1' }, database: supplierPath,
      pairing: {
        innerPackage: uuids['cap-inner'], outerPackage: uuids['cap-outer'],
        innerReader: { driver: 'keyence', tcp: `${HOST}:${innerEm.port}` }, outerReader: { driver: 'cognex', tcp: `${HOST}:${outerEm.port}` },
        readTimeoutMs: 500,
      },
      plc: { driver: 'modbus-tcp', tcp: `${HOST}:${plc.tcpPort ?? 0}`, rejectConfirmTimeoutMs: 500 },
    });
    const running = await startPairingStation(config, { logger: o.logger, actor: 'demo', plcTiming: { pollIntervalMs: 2 } });
    let stopped = false;
    closers.push(async () => { if (!stopped) await running.stop(); });
    const db = running.store.db;
    const innerCodes = db.prepare('SELECT code FROM codes WHERE package_id = (SELECT id FROM code_packages WHERE uuid = ?) ORDER BY code').pluck().all(uuids['cap-inner']) as string[];
    const outerCodes = db.prepare('SELECT code FROM codes WHERE package_id = (SELECT id FROM code_packages WHERE uuid = ?) ORDER BY code').pluck().all(uuids['cap-outer']) as string[];

    let next = 0;
    const printed: { inner: string; outer: string }[] = [];
    const planned: Record<PairingFault | 'none', number> = { none: 0, 'one-side': 0, 'double-print': 0, slipped: 0, foreign: 0 };
    const wrong: string[] = [];
    let wrongOutcomes = 0;
    const decisions: number[] = [];
    let pending: ((o: PairingItemOutcome) => void) | null = null;
    running.station.onOutcome((x) => { pending?.(x); });
    const stray = (reader: 'inner' | 'outer'): Promise<void> => new Promise((resolve) => {
      const device = running.readers[reader];
      if (device === undefined) throw new Error(`演示线缺少读码器 ${reader} (demo line has no ${reader} reader)`);
      const sub = device.onRead((r) => { if (r.trigger.source === 'external') { sub.dispose(); resolve(); } });
    });
    for (let i = 0; i < o.items; i += 1) {
      const dice = random();
      let acc = 0;
      let fault: PairingFault | 'none' = 'none';
      for (const f of PAIRING_FAULTS) {
        acc += o.faults[f];
        if (dice < acc) { fault = f; break; }
      }
      if (fault === 'double-print' && printed.length === 0) fault = 'none';
      planned[fault] += 1;
      let sides: { inner: string[]; outer: string[] };
      if (fault === 'double-print') {
        const again = printed[Math.floor(random() * printed.length)] ?? { inner: '', outer: '' };
        sides = { inner: [again.inner], outer: [again.outer] };
      } else {
        const cap = { inner: innerCodes[next] ?? '', outer: outerCodes[next] ?? '' };
        next += 1;
        if (fault === 'one-side') sides = random() < 0.5 ? { inner: [], outer: [cap.outer] } : { inner: [cap.inner], outer: [] };
        else if (fault === 'foreign') sides = { inner: [cap.inner], outer: [`FX${randomUUID().replaceAll('-', '').slice(0, 12).toUpperCase()}`] };
        else sides = { inner: [cap.inner], outer: [cap.outer] };
        if (fault === 'none') printed.push(cap);
      }
      if (fault === 'slipped') {
        const side = random() < 0.5 ? 'inner' : 'outer';
        const seen = stray(side);
        (side === 'inner' ? innerFeed : outerFeed).push([]);
        (side === 'inner' ? innerEm : outerEm).fire();
        await seen;
      }
      const decided = new Promise<PairingItemOutcome>((resolve) => { pending = resolve; });
      innerFeed.push(sides.inner);
      outerFeed.push(sides.outer);
      plc.plc.advanceTrigger(1);
      const outcome = await decided;
      pending = null;
      decisions.push(outcome.timing.decisionMs);
      const want = fault === 'none' ? 'pair' : PAIRING_FAULT_REASON[fault];
      const got = outcome.verdict.kind === 'pair' ? 'pair' : outcome.verdict.reason;
      if (got !== want) {
        wrongOutcomes += 1;
        if (wrong.length < 10) wrong.push(`第 ${outcome.seq} 件 ${fault}: 应为 ${want}，实际 ${got} (item ${outcome.seq}: expected ${want}, got ${got})`);
      }
      o.onItem?.(outcome, fault);
    }
    const counts = running.station.status().counts;
    const runUuid = running.run.uuid;
    const runId = running.run.id;
    stopped = true;
    await running.stop();
    const supplier = openStore(supplierPath);
    closers.push(() => supplier.close());
    closePairingRun(supplier.db, runId, 'demo');

    // 3. Sealed pairing package to the brand.
    const file = join(o.dir, `pairing-${runUuid}.wpair`);
    const exported = await exportPairingPackage(supplier.db, runUuid, file, { type: 'recipient', publicKey: brandKeys.publicKey }, stationSigning.privateKey, 'demo');
    const imported = await importPairingPackage(brand.db, { path: file, key: { type: 'private-key', privateKey: brandKeys.privateKey }, trustedSigner: stationSigning.publicKey, actor: 'demo' });
    const cameraVerified = brand.db.prepare('SELECT count(*) FROM camera_pairs WHERE package_uuid = ?').pluck().get(runUuid) as number;
    const verify = { supplier: verifyStore(supplier.db).ok, brand: verifyStore(brand.db).ok };
    const ok = wrongOutcomes === 0 && imported.report.ok && imported.stored === counts.paired && verify.supplier && verify.brand;
    return {
      ok, items: o.items, counts, faultsPlanned: planned, wrongOutcomes, wrongExamples: wrong, run: runUuid,
      package: { file, bytes: exported.bytes, pairs: exported.manifest.pairs, waste: exported.manifest.waste, signer: exported.signer },
      brandImport: { ok: imported.report.ok, stored: imported.stored, voided: imported.voided, cameraVerified },
      verify,
      decisionMs: { p50: percentile(decisions, 50), p99: percentile(decisions, 99) },
      elapsedMs: Math.round(performance.now() - started), dir: o.dir,
    };
  } finally {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  }
}
