import { describePlcConformance, CONFORMANCE_TIMING, type PlcPair, type PlcPeer, type PeerSnapshot } from '../plc-port.case.ts';
import { ModbusPlc, type ModbusLink } from './modbus-plc.ts';
import { startModbusPlcEmulator } from '../emulators/modbus-plc-emulator.ts';
import { DEFAULT_REGISTER_MAP, parseRegisterMap, type ModbusRegisterMap } from '../register-map.ts';
import { openPtyPair } from '../../../test/support/pty-pair.ts';
import { startPymodbus } from '../../../test/support/pymodbus.ts';

/**
 * The Modbus driver against two independent device sides — our emulator (own MBAP / RTU framing) and pymodbus 3.0
 * (Debian, /usr/bin/python3) — over TCP on 127.0.0.1 and RTU through a socat pty pair.
 */

/** A non-default map (unit 17, low-word-first counters, scattered addresses) so the map is really honoured. */
const SCATTERED: ModbusRegisterMap = parseRegisterMap({
  unitId: 17,
  wordOrder: 'low-first',
  coils: { lineStop: 40, stackGreen: 8, stackYellow: 9, stackRed: 10, stackBuzzer: 12 },
  holding: { triggerCounter: 300, rejectConfirm: 7, plcHeartbeat: 150, packmlState: 2, rejectReason: 20, rejectPulse: 30, acceptPulse: 31, stationHeartbeat: 5, goodCount: 60, rejectCount: 70, noReadCount: 62 },
}, 'test');

async function connect(link: ModbusLink, map: ModbusRegisterMap): Promise<ModbusPlc> {
  const port = new ModbusPlc({ link, map, timing: CONFORMANCE_TIMING });
  await port.connect();
  return port;
}

function emulatorPair(map: ModbusRegisterMap, transport: 'tcp' | 'rtu'): () => Promise<PlcPair> {
  return async () => {
    const pty = transport === 'rtu' ? await openPtyPair() : null;
    const emulator = await startModbusPlcEmulator({
      map,
      heartbeatMs: 50,
      ...(pty ? { rtu: { path: pty.b, baudRate: 115_200 } } : { tcp: { host: '127.0.0.1', port: 0 } }),
    });
    const plc = emulator.plc;
    const peer: PlcPeer = {
      advanceTrigger: async (n) => { plc.advanceTrigger(n); },
      setConfirm: async (c) => { plc.setConfirm(c); },
      setPackmlState: async (s) => { plc.setPackmlState(s); },
      setHeartbeat: async (ms) => { plc.setHeartbeat(ms); },
      snapshot: async () => plc.snapshot(),
    };
    const port = await connect(pty ? { kind: 'rtu', path: pty.a, baudRate: 115_200 } : { kind: 'tcp', host: '127.0.0.1', port: emulator.tcpPort! }, map);
    return { port, peer, async close() { await port.close(); await emulator.close(); await pty?.close(); } };
  };
}

function pymodbusPair(map: ModbusRegisterMap, transport: 'tcp' | 'rtu'): () => Promise<PlcPair> {
  return async () => {
    const pty = transport === 'rtu' ? await openPtyPair() : null;
    const server = await startPymodbus(map, pty ? { rtu: pty.b } : { tcp: 0 });
    const peer: PlcPeer = {
      advanceTrigger: async (count) => { await server.control({ op: 'trigger', count }); },
      setConfirm: async (c) => { await server.control({ op: 'confirm', ...c }); },
      setPackmlState: async (state) => { await server.control({ op: 'packml', state }); },
      setHeartbeat: async (ms) => { await server.control({ op: 'heartbeat', ms }); },
      snapshot: async () => (await server.control<{ snapshot: PeerSnapshot }>({ op: 'snapshot' })).snapshot,
    };
    try {
      const port = await connect(pty ? { kind: 'rtu', path: pty.a, baudRate: 115_200 } : { kind: 'tcp', host: '127.0.0.1', port: server.ready.port! }, map);
      return { port, peer, async close() { await port.close(); await server.close(); await pty?.close(); } };
    } catch (error) {
      await server.close();
      await pty?.close();
      throw error;
    }
  };
}

describePlcConformance('modbus-tcp ↔ wuma emulator', emulatorPair(DEFAULT_REGISTER_MAP, 'tcp'));
describePlcConformance('modbus-rtu ↔ wuma emulator (socat pty)', emulatorPair(DEFAULT_REGISTER_MAP, 'rtu'));
describePlcConformance('modbus-tcp ↔ wuma emulator, scattered map', emulatorPair(SCATTERED, 'tcp'));
describePlcConformance('modbus-tcp ↔ pymodbus 3.0', pymodbusPair(DEFAULT_REGISTER_MAP, 'tcp'));
describePlcConformance('modbus-rtu ↔ pymodbus 3.0 (socat pty)', pymodbusPair(DEFAULT_REGISTER_MAP, 'rtu'));
describePlcConformance('modbus-tcp ↔ pymodbus 3.0, scattered map', pymodbusPair(SCATTERED, 'tcp'));
