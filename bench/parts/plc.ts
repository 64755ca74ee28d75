import { ModbusPlc } from '../../edge/plc/drivers/modbus-plc.ts';
import { DEFAULT_REGISTER_MAP } from '../../edge/plc/register-map.ts';
import { startPymodbus } from '../../test/support/pymodbus.ts';
import { percentile } from '../support/results.ts';

/**
 * Modbus reject-pulse round trip against pymodbus 3.0 over TCP on 127.0.0.1: pulseReject(reason) from the write of
 * reason + sequence (one FC16) until the PLC's `rejectConfirm` reads back that sequence. pymodbus confirms with
 * 0 ms kicker delay, so the figure is protocol + polling cost (one FC16, then FC03 reads 1 ms apart), not a kicker.
 */
export async function benchPlc(options: { pulses?: number; warmup?: number } = {}): Promise<Record<string, unknown>> {
  const pulses = options.pulses ?? 2_000;
  const warmup = options.warmup ?? 100;
  const server = await startPymodbus(DEFAULT_REGISTER_MAP, { tcp: 0 });
  const port = new ModbusPlc({
    link: { kind: 'tcp', host: '127.0.0.1', port: server.ready.port! },
    map: DEFAULT_REGISTER_MAP,
    // Background polling slowed so it does not share the link with the measured pulses more than a real station would.
    timing: { pollIntervalMs: 50, heartbeatIntervalMs: 500, watchdogMs: 5_000, rejectConfirmTimeoutMs: 1_000 },
  });
  try {
    await server.control({ op: 'confirm', mode: 'delay', ms: 0 });
    await port.connect();
    for (let i = 0; i < warmup; i++) await port.pulseReject(1 + (i % 20));
    const times: number[] = [];
    let notConfirmed = 0;
    const started = performance.now();
    for (let i = 0; i < pulses; i++) {
      const outcome = await port.pulseReject(1 + (i % 20));
      if (outcome.kind === 'confirmed') times.push(outcome.elapsedMs);
      else notConfirmed++;
    }
    const seconds = (performance.now() - started) / 1000;
    times.sort((a, b) => a - b);
    const round = (ms: number): number => Math.round(ms * 1000) / 1000;
    return {
      peer: 'pymodbus 3.0 TCP 127.0.0.1',
      pulses,
      notConfirmed,
      rejectRoundTripP50Ms: round(percentile(times, 50)),
      rejectRoundTripP99Ms: round(percentile(times, 99)),
      rejectRoundTripMaxMs: round(times[times.length - 1] ?? Number.NaN),
      pulsesPerSecond: Math.round(pulses / seconds),
    };
  } finally {
    await port.close();
    await server.close();
  }
}

if (import.meta.main) {
  const figures = await benchPlc();
  console.log(JSON.stringify(figures, null, 2));
}
