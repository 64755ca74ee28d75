import { beforeAll } from 'vitest';
import { runPrinterConformance } from '../../conformance/printer.case.ts';
import { OpcuaPrinterProcess } from '../../../test/support/opcua-printer-process.ts';

const GS = '\u001d';
const codes = Array.from({ length: 8 }, (_, i) => `0106901234567892${GS}21W${String(i).padStart(6, '0')}_K${GS}10L2024`);
const BYTES = 'OPC UA 的字节流由 node-opcua 的传输层分块与校验，无此字节级故障 (OPC UA chunking and framing belong to the SDK transport: no byte-level fault to inject)';

// node-opcua loads once per test process (≈ 0.6 s, and a pipe it keeps): load it before the leak baseline.
beforeAll(async () => { await import('node-opcua'); });

// Only over TCP: OPC UA has no serial mapping (opc.tcp); the serial run of the suite does not apply.
runPrinterConformance({
  name: 'opcua',
  transport: 'tcp',
  // The suite hands out the emulator's tcp port; the printer is reached at opc.tcp://host:port.
  config: (endpoint) => ({ kind: 'opcua', endpoint: endpoint.kind === 'tcp' ? { kind: 'opcua', url: `opc.tcp://${endpoint.host}:${endpoint.port}` } : endpoint, options: { publishingIntervalMs: 10 } }),
  // printMs 60: longer than the server's publishing cycle, so one event batch never confirms the whole run
  // (the restart test needs jobs still in the device when it restarts).
  emulator: () => new OpcuaPrinterProcess({ printMs: 60 }),
  codes,
  skip: [
    { reason: BYTES, tests: ['survives split replies', 'survives garbage and an oversize frame'] },
  ],
});
