/**
 * The IT screen's devices, built from the station config: what the local API lists, probes and tests. Drivers are
 * constructed here, beside the composition root (edge/main.ts, `wuma api`), never by the API itself, which only
 * receives the ApiDevice port.
 */
import { probePrinter, type PrinterKind } from '../../printers/index.ts';
import { probeReader, type ReaderKind } from '../../scanners/index.ts';
import type { DeviceConfig, StationConfig } from '../config/station-config.ts';
import { printerConfigOf, readerConfigOf } from '../station/device-config.ts';
import type { ApiDevice } from '../api/api-device.ts';
import type { DeviceTestView, DeviceView, ProbeResultView } from '../api/contract.ts';
import { testPrinter, testReader } from './device-test.ts';
import { splitHostPort } from '../domain/host-port.ts';

type Endpoint =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'tcp-listen'; readonly host: string; readonly port: number }
  | { readonly kind: 'serial'; readonly path: string; readonly baudRate: number }
  | { readonly kind: 'opcua'; readonly url: string };

function endpointOf(d: DeviceConfig): Endpoint | null {
  if (d.tcp !== undefined) { const hp = splitHostPort(d.tcp); return hp === null ? null : { kind: 'tcp', ...hp }; }
  if (d.listen !== undefined) { const hp = splitHostPort(d.listen, 0); return hp === null ? null : { kind: 'tcp-listen', ...hp }; }
  if (d.serial !== undefined) { const [path = '', baud] = d.serial.split(','); return { kind: 'serial', path, baudRate: baud === undefined ? 9600 : Number(baud) }; }
  if (d.opcua !== undefined) return { kind: 'opcua', url: d.opcua };
  return null;
}

function describe(e: Endpoint | null): string {
  if (e === null) return '(未配置 not configured)';
  return e.kind === 'serial' ? `serial ${e.path}@${e.baudRate}` : e.kind === 'opcua' ? `opcua ${e.url}` : `${e.kind} ${e.host}:${e.port}`;
}

function device(id: string, role: string, cls: 'printer' | 'reader', d: DeviceConfig): ApiDevice {
  const endpoint = endpointOf(d);
  // A reader that connects to us (tcp-listen) is not probed: probing would steal the station's listening port.
  const probeable = endpoint !== null && endpoint.kind !== 'tcp-listen' && (cls === 'reader' || endpoint.kind === 'tcp' || endpoint.kind === 'serial');
  const view: DeviceView = { id, role, class: cls, driver: d.driver, endpoint: describe(endpoint), probe: probeable };
  return {
    view,
    async probe(): Promise<ProbeResultView> {
      if (!probeable || endpoint === null) {
        return { ok: false, deviceId: id, elapsedMs: 0, code: 'NOT_PROBEABLE', reason: '此设备不能从这里探测（未配置地址，或设备主动连接本站）(this device cannot be probed from here)' };
      }
      if (cls === 'printer') {
        if (endpoint.kind !== 'tcp' && endpoint.kind !== 'serial') throw new Error('BUG: printer endpoint');
        const r = await probePrinter({ kind: d.driver as PrinterKind, endpoint });
        return r.ok ? { ok: true, deviceId: id, elapsedMs: r.elapsedMs, detail: { status: r.status, capabilities: r.capabilities } }
          : { ok: false, deviceId: id, elapsedMs: r.elapsedMs, code: r.code, reason: r.reason };
      }
      const r = await probeReader({ kind: d.driver as ReaderKind, endpoint });
      return r.ok ? { ok: true, deviceId: id, elapsedMs: r.elapsedMs, detail: { state: r.state, identity: r.identity } }
        : { ok: false, deviceId: id, elapsedMs: r.elapsedMs, code: r.code, reason: r.reason };
    },
    // Testable where probeable: a tcp-listen reader would have to take the station's listening port.
    test(): Promise<DeviceTestView> {
      if (!probeable) {
        return Promise.resolve({ kind: 'failed', deviceId: id, elapsedMs: 0, code: 'NOT_TESTABLE', reason: '此设备不能从这里测试（未配置地址，或设备主动连接本站）(this device cannot be tested from here)' });
      }
      return cls === 'printer' ? testPrinter(id, () => printerConfigOf(id, d)) : testReader(id, () => readerConfigOf(id, d, 3_000));
    },
  };
}

/** The printers and readers of a station config, in a stable order with stable ids (`case.camera`, …). */
export function devicesFromConfig(config: Pick<StationConfig, 'case' | 'pallet' | 'plc'>): ApiDevice[] {
  const out: ApiDevice[] = [];
  if (config.case !== undefined) {
    out.push(device('case.camera', '装箱相机 (case camera)', 'reader', config.case.camera));
    const cc = config.case.caseCode;
    if (cc.mode === 'read') out.push(device('case.reader', '箱码读码器 (case code reader)', 'reader', cc.reader));
    else {
      out.push(device('case.printer', '箱码打印机 (case code printer)', 'printer', cc.printer));
      out.push(device('case.verifier', '箱码校验读码器 (case code verifier)', 'reader', cc.verifier));
    }
  }
  if (config.pallet !== undefined) {
    out.push(device('pallet.reader', '组垛读码器 (pallet reader)', 'reader', config.pallet.reader));
    out.push(device('pallet.printer', '垛标打印机 (pallet label printer)', 'printer', config.pallet.printer));
    out.push(device('pallet.verifier', '垛标校验读码器 (pallet label verifier)', 'reader', config.pallet.verifier));
  }
  if (config.plc !== undefined) {
    const p = config.plc;
    const where = p.tcp ?? p.serial ?? p.opcua ?? '';
    out.push({
      view: { id: 'plc', role: 'PLC', class: 'plc', driver: p.driver, endpoint: where, probe: false },
      probe: () => Promise.resolve({ ok: false, deviceId: 'plc', elapsedMs: 0, code: 'NOT_PROBEABLE', reason: 'PLC 请用 wuma device plc --watch 检查 (check the PLC with wuma device plc --watch)' }),
      test: () => Promise.resolve({ kind: 'failed', deviceId: 'plc', elapsedMs: 0, code: 'NOT_TESTABLE', reason: 'PLC 请用 wuma device plc --watch 检查 (check the PLC with wuma device plc --watch)' }),
    });
  }
  return out;
}
