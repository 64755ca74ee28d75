import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_REGISTER_MAP } from '../register-map.ts';
import { crc16 } from './crc16.ts';
import { executePdu } from './execute-pdu.ts';
import { SimulatedPlc } from './simulated-plc.ts';

interface Golden {
  pdu: { section: string; note?: string; setup: { coils?: Record<string, number>; holding?: Record<string, number> }; request: string; response: string; after?: { coils?: Record<string, number>; holding?: Record<string, number> } }[];
  rtuCrc: { source: string; frame: string; crc: string }[];
}
const golden = JSON.parse(readFileSync(join(import.meta.dirname, '../../../test/fixtures/plc/modbus-golden.json'), 'utf8')) as Golden;

/** The spec's examples use addresses up to 0xAC; the map's PLC-owned registers are moved out of their way. */
const MAP = { ...DEFAULT_REGISTER_MAP, holding: { ...DEFAULT_REGISTER_MAP.holding, triggerCounter: 190, rejectConfirm: 191, plcHeartbeat: 192, packmlState: 193 } };

describe('emulator PDU execution pinned by the Modbus specification examples', () => {
  let plc: SimulatedPlc | null = null;
  afterEach(() => { plc?.stop(); plc = null; });

  for (const g of golden.pdu) {
    it(g.section, () => {
      plc = new SimulatedPlc({ map: MAP, size: 200, heartbeatMs: 0 });
      for (const [a, v] of Object.entries(g.setup.coils ?? {})) plc.coils[Number(a)] = v;
      for (const [a, v] of Object.entries(g.setup.holding ?? {})) plc.holding[Number(a)] = v;
      const reply = executePdu(plc, Uint8Array.from(Buffer.from(g.request, 'hex')));
      expect(Buffer.from(reply).toString('hex')).toBe(g.response);
      for (const [a, v] of Object.entries(g.after?.coils ?? {})) expect(plc.coils[Number(a)], `coil ${a}`).toBe(v);
      for (const [a, v] of Object.entries(g.after?.holding ?? {})) expect(plc.holding[Number(a)], `register ${a}`).toBe(v);
    });
  }

  it('refuses master writes to PLC-owned registers (PackML state is read-only) with exception 02', () => {
    plc = new SimulatedPlc({ map: DEFAULT_REGISTER_MAP, heartbeatMs: 0 });
    const reply = executePdu(plc, Uint8Array.of(0x06, 0, DEFAULT_REGISTER_MAP.holding.packmlState, 0, 9));
    expect(Buffer.from(reply).toString('hex')).toBe('8602');
    expect(plc.holding[DEFAULT_REGISTER_MAP.holding.packmlState]).toBe(6);
  });

  it('rejects read quantities above the protocol limits (125 registers, 2000 coils)', () => {
    plc = new SimulatedPlc({ map: DEFAULT_REGISTER_MAP, heartbeatMs: 0, size: 4000 });
    expect(Buffer.from(executePdu(plc, Uint8Array.of(0x03, 0, 0, 0, 126))).toString('hex')).toBe('8303');
    expect(Buffer.from(executePdu(plc, Uint8Array.of(0x01, 0, 0, 0x07, 0xd1))).toString('hex')).toBe('8103');
  });
});

describe('CRC-16/MODBUS', () => {
  for (const g of golden.rtuCrc) {
    it(g.source, () => {
      const frame = Buffer.from(g.frame, 'hex');
      const crc = crc16(frame);
      expect(Buffer.from([crc & 0xff, crc >> 8]).toString('hex')).toBe(g.crc);
    });
  }
});
