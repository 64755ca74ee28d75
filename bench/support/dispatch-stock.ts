import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { pairPdaDevice } from '../../edge/api/pda-devices.ts';
import { startBatch } from '../../edge/store/batches.ts';
import { commitCase } from '../../edge/store/case-commit.ts';
import type { Db } from '../../edge/store/open.ts';
import { commitPallet } from '../../edge/store/pallet-commit.ts';
import { addUser } from '../../edge/store/users.ts';
import { Warehouse } from '../../edge/warehouse/index.ts';
import { capsOfCase, packageUuids, seedLine, TEST_EPCIS } from '../../test/e2e/batch-line-fixture.ts';

/**
 * Stock, orders and PDAs for the dispatch benches: `pdas` orders, each of `casesPerPda` cases of one product made
 * on the line (real case and pallet commits), each PDA paired (device token) with its own warehouse user.
 */
export const CA = readFileSync(fileURLToPath(new URL('../../test/fixtures/tls/cert.pem', import.meta.url)));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Pda { readonly index: number; readonly orderId: string; readonly cases: readonly string[]; readonly token: string; readonly badge: string }

export function seedDispatch(db: Db, pdas: number, casesPerPda: number, casesPerPallet = 10): Pda[] {
  // Whole pallets only (the last one's spare cases are never ordered).
  const total = Math.ceil((pdas * casesPerPda) / casesPerPallet) * casesPerPallet;
  const m = seedLine(db, { cases: total, palletCodes: Math.ceil(total / casesPerPallet), unitsPerCase: 4, casesPerPallet });
  const batchId = startBatch(db, { productId: m.productId, lot: 'BENCH-L1', productionDate: '2026-03-01', line: 'B1', packages: packageUuids(m), actor: 'bench' }).id;
  const t0 = Date.UTC(2026, 2, 1, 8);
  for (let p = 0; p * casesPerPallet < total; p += 1) {
    const codes: string[] = [];
    for (let i = p * casesPerPallet; i < Math.min(total, (p + 1) * casesPerPallet); i += 1) {
      commitCase(db, { batchId, caseCode: m.cases[i]?.outer ?? '', children: capsOfCase(m, i), at: t0 + i, actor: 'station', epcis: TEST_EPCIS });
      codes.push(m.cases[i]?.outer ?? '');
    }
    commitPallet(db, { batchId, palletCode: m.palletCodes[p] ?? '', cases: codes, at: t0 + 1_000_000 + p, actor: 'station', epcis: TEST_EPCIS });
  }
  const w = new Warehouse(db, { epcis: TEST_EPCIS });
  w.addWarehouse({ id: 'WH-1', name: '成品库', isDefault: true }, 'bench');
  w.addDealer({ id: 'D-1', name: '经销商', region: '华东' }, 'bench');
  return Array.from({ length: pdas }, (_, k) => {
    const orderId = `O-${String(k + 1).padStart(3, '0')}`;
    w.createOrder({ id: orderId, dealerId: 'D-1', warehouseId: 'WH-1', lines: [{ productId: m.productId, quantity: casesPerPda }] }, 'bench');
    const badge = `BADGE-PDA-${k}`;
    addUser(db, { id: `wh${k}`, name: `仓管 ${k}`, role: 'warehouse', badge, pin: `86${String(4200 + k)}` }, 'bench');
    const { token } = pairPdaDevice(db, { name: `PDA ${k}`, actor: 'bench' });
    return { index: k, orderId, cases: m.cases.slice(k * casesPerPda, (k + 1) * casesPerPda).map((c) => c.outer), token, badge };
  });
}

/** Starts the edge child on `db`; resolves with its port and launch token once it serves. */
export async function startEdge(db: string): Promise<{ child: ChildProcess; port: number; token: string; readyMs: number }> {
  const started = performance.now();
  const child = spawn(`${ROOT}node_modules/.bin/node`, [`${ROOT}bench/support/dispatch-edge.ts`, db], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_NO_WARNINGS: '1' } });
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<{ port: number; token: string }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`edge exited ${String(code)} before READY`)));
    lines.on('line', (l) => { const m = /^READY (\d+) (\S+)$/.exec(l); if (m) resolve({ port: Number(m[1]), token: m[2] ?? '' }); });
  });
  child.removeAllListeners('exit');
  return { child, ...ready, readyMs: performance.now() - started };
}

/** One PDA's HTTPS connection (keep-alive, as a PDA keeps one) with its device token and session. */
export class PdaClient {
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 1, ca: CA });
  #session = '';
  readonly port: number;
  readonly pda: Pda;
  constructor(port: number, pda: Pda) { this.port = port; this.pda = pda; }

  post(path: string, body: unknown): Promise<{ status: number; json: any }> {
    const payload = Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request({
        host: '127.0.0.1', port: this.port, method: 'POST', path, agent: this.#agent, servername: 'localhost',
        headers: { host: `127.0.0.1:${this.port}`, authorization: `Bearer ${this.pda.token}`, 'content-type': 'application/json', 'content-length': String(payload.length), ...(this.#session === '' ? {} : { 'x-wuma-session': this.#session }) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => { try { resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }); } catch (e) { reject(e as Error); } });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  async login(): Promise<void> {
    const r = await this.post('/api/session/login', { method: 'badge', badge: this.pda.badge });
    if (r.status !== 200) throw new Error(`login ${r.status}: ${JSON.stringify(r.json)}`);
    this.#session = r.json.sessionId as string;
  }

  scan(code: string): Promise<{ status: number; json: any }> {
    return this.post(`/api/warehouse/orders/${this.pda.orderId}/scan`, { code });
  }

  close(): void { this.#agent.destroy(); }
}
