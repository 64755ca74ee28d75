/**
 * The emulated line of `npm run bench -- station`, in its own process (forked by bench/station.ts with an IPC
 * channel), so the station process is measured alone: the camera, the case reader, the palletiser's reader, the
 * ZPL printer with its verifier, the Modbus PLC and the conveyor (edge/demo) run here, on their own event loop.
 *
 * Read → decision latency is taken here, on the device side, on one clock: from the later of a case's two read
 * frames (the camera's and the case reader's `read` log, written with no exposure delay) to the PLC emulator
 * executing the station's accept or reject pulse write. The station decides cases in trigger order, so the n-th
 * pulse belongs to the n-th case.
 *
 * Protocol (process.send / 'message'; the parent → child messages are `ParentMessage`, the answers `ChildMessage`):
 *   child  → ready {ports}                      once the emulators listen
 *   parent → run {caps, cases, …}                start the conveyor with this stock
 *   child  → fed {fed, end}                      the conveyor stopped (its limit, or out of stock)
 *   parent → decided {accepted, settled}         case codes the station accepted / rejected (accepted ones go on to
 *                                                the palletiser's reader one at a time, as on the demo line)
 *   parent → stop                                child → result {latencyMs, …}, then it closes everything and exits
 */
import { DEFAULT_PROFILES } from '../../edge/codes/profile.ts';
import { generateCode } from '../../edge/codes/generate.ts';
import { webCryptoRandom } from '../../edge/codes/random-source.ts';
import { Conveyor, type ConveyorEnd } from '../../edge/demo/conveyor.ts';
import { startDemoDevices } from '../../edge/demo/demo-devices.ts';
import type { FaultRates } from '../../edge/demo/fault-rates.ts';
import { LineStock } from '../../edge/demo/line-stock.ts';
import { seededRandom } from '../../edge/demo/seeded-random.ts';
import { peakRssMiB } from './results.ts';

export type ParentMessage =
  | { readonly t: 'run'; readonly caps: string[]; readonly cases: string[]; readonly unitsPerCase: number; readonly rate: number; readonly limit: number; readonly faults: FaultRates; readonly seed: number; readonly selfDecide?: boolean }
  | { readonly t: 'decided'; readonly accepted: readonly string[]; readonly settled: readonly string[] }
  | { readonly t: 'stop' };

export interface LinePorts {
  readonly camera: number; readonly caseReader: number; readonly palletReader: number; readonly printer: number; readonly verifier: number; readonly plc: number;
}

export type ChildMessage =
  | { readonly t: 'ready'; readonly ports: LinePorts }
  | { readonly t: 'fed'; readonly fed: number; readonly end: ConveyorEnd }
  | { readonly t: 'result'; readonly latencyMs: number[]; readonly reads: { readonly camera: number; readonly caseReader: number }; readonly decisions: number; readonly peakRssMiB: number; readonly palletWaiting: number };


const send = (m: ChildMessage): void => { process.send?.(m); };

const devices = await startDemoDevices({ readDelayMs: 0 });
const cameraReads: number[] = [];
const caseReads: number[] = [];
const decisions: number[] = [];
const subs = [
  devices.camera.onLog((e) => { if (e.kind === 'read') cameraReads.push(performance.now()); }),
  devices.caseReader.onLog((e) => { if (e.kind === 'read') caseReads.push(performance.now()); }),
];
const plc = devices.plc.plc;
const map = plc.map.holding;
const original = plc.afterHoldingWrite.bind(plc);
/**
 * selfDecide (the station runs as its own `wuma station` process, which tells no one its decisions): the n-th
 * accept or reject pulse belongs to the n-th case the conveyor fed, so the line settles cases itself.
 */
let selfDecide = false;
const fedCases: string[] = [];
let decidedCases = 0;
plc.afterHoldingWrite = (start, count, before) => {
  original(start, count, before);
  const touched = (a: number): boolean => a >= start && a < start + count;
  const accept = touched(map.acceptPulse);
  if (accept || touched(map.rejectPulse)) {
    decisions.push(performance.now());
    if (selfDecide) {
      const code = fedCases[decidedCases];
      decidedCases += 1;
      if (code !== undefined) onDecided(accept ? [code] : [], accept ? [] : [code]);
    }
  }
};
let conveyor: Conveyor | null = null;

// Accepted cases roll on to the palletiser one at a time, as on a conveyor — never several in one instant (the
// parent reports decisions in bursts when it is busy): at most one pallet read per half case period.
const toPallet: string[] = [];
let palletGapMs = 5;
let palletTimer: NodeJS.Timeout | null = null;
function feedPallet(): void {
  const code = toPallet.shift();
  if (code === undefined) {
    palletTimer = null;
    return;
  }
  devices.palletFeed.push([code]);
  devices.palletReader.fire();
  palletTimer = setTimeout(feedPallet, palletGapMs);
}

function onDecided(accepted: readonly string[], settled: readonly string[]): void {
  for (const code of accepted) {
    conveyor?.accepted(code);
    toPallet.push(code);
  }
  if (palletTimer === null) feedPallet();
  for (const code of settled) conveyor?.settled(code);
}

process.on('message', (raw) => {
  const m = raw as ParentMessage;
  switch (m.t) {
    case 'run': {
      const dice = seededRandom(m.seed);
      selfDecide = m.selfDecide === true;
      const stock = new LineStock(m.caps, m.cases);
      const takeCase = stock.takeCase.bind(stock);
      stock.takeCase = () => { const code = takeCase(); if (code !== null) fedCases.push(code); return code; };
      palletGapMs = 500 / m.rate;
      conveyor = new Conveyor({
        camera: devices.cameraFeed, caseReader: devices.caseFeed, trigger: () => { plc.advanceTrigger(1); },
        stock, unitsPerCase: m.unitsPerCase, rate: m.rate, faults: m.faults, limit: m.limit, random: dice,
        foreignCode: () => generateCode(DEFAULT_PROFILES['cap-outer'], webCryptoRandom),
      });
      const running = conveyor;
      void running.done.then((end) => { send({ t: 'fed', fed: running.fed, end }); });
      running.start();
      break;
    }
    case 'decided':
      onDecided(m.accepted, m.settled);
      break;
    case 'stop': {
      conveyor?.stop();
      if (palletTimer !== null) clearTimeout(palletTimer);
      for (const s of subs) s.dispose();
      const latencyMs: number[] = [];
      const n = Math.min(cameraReads.length, caseReads.length, decisions.length);
      for (let i = 0; i < n; i += 1) latencyMs.push((decisions[i] ?? 0) - Math.max(cameraReads[i] ?? 0, caseReads[i] ?? 0));
      // The result can be large (a latency per case): disconnect only once it has left, or the parent never gets it.
      const result: ChildMessage = {
        t: 'result', latencyMs, reads: { camera: cameraReads.length, caseReader: caseReads.length }, decisions: decisions.length,
        peakRssMiB: peakRssMiB(), palletWaiting: devices.palletFeed.waiting,
      };
      process.send?.(result, () => { void devices.close().finally(() => { process.disconnect(); }); });
      break;
    }
  }
});
send({ t: 'ready', ports: devices.ports });
