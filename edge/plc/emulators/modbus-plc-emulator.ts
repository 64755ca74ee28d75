import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { SerialPort } from 'serialport';
import type { ModbusRegisterMap } from '../register-map.ts';
import { crc16 } from './crc16.ts';
import { executePdu } from './execute-pdu.ts';
import { decideFault, noFaults, type ModbusFaults } from './modbus-faults.ts';
import { SimulatedPlc, type SimulatedPlcOptions } from './simulated-plc.ts';

export interface ModbusPlcEmulatorOptions extends Omit<SimulatedPlcOptions, 'map'> {
  readonly map: ModbusRegisterMap;
  /** Listen for Modbus TCP (port 0 picks a free port). */
  readonly tcp?: { readonly host: string; readonly port: number };
  /** Serve Modbus RTU on this serial device (e.g. one end of a socat pty pair). */
  readonly rtu?: { readonly path: string; readonly baudRate: number };
  readonly faults?: Partial<ModbusFaults>;
}

export interface ModbusPlcEmulator {
  readonly plc: SimulatedPlc;
  readonly faults: ModbusFaults;
  /** The bound TCP port when `tcp` was given. */
  readonly tcpPort: number | undefined;
  /** Requests answered (including exceptions), for tests and the CLI status line. */
  readonly served: () => number;
  /** Fault: PLC power cycle — drops every TCP connection, clears memory. */
  restart(): void;
  close(): Promise<void>;
}

/** MBAP header: transaction id, protocol id (0), length (unit id + PDU), unit id (Modbus Messaging on TCP/IP V1.0b §3.1.3). */
const MBAP_LEN = 7;
/** Largest PDU (Modbus Application Protocol V1.1b3 §4.1): 253 bytes, so MBAP length ≤ 254. */
const MAX_PDU = 253;
/** RTU: a partial frame left this long is discarded (≥ 3.5 character times at any baud ≥ 9600; a pty has no baud). */
const RTU_SILENCE_MS = 20;

export async function startModbusPlcEmulator(options: ModbusPlcEmulatorOptions): Promise<ModbusPlcEmulator> {
  const plc = new SimulatedPlc(options);
  const faults: ModbusFaults = { ...noFaults(), ...options.faults };
  const unitId = options.map.unitId;
  const sockets = new Set<Socket>();
  const pending = new Set<NodeJS.Timeout>();
  let served = 0;
  let closed = false;

  /** Runs one request through the fault knobs; calls `send` with the response PDU (or garbage), or not at all. */
  const respond = (pdu: Uint8Array, send: (reply: Uint8Array, raw: boolean) => void): void => {
    const decision = decideFault(faults);
    const reply = decision === 'exception' ? Uint8Array.of((pdu[0] ?? 0) | 0x80, faults.exceptionCode) : executePdu(plc, pdu);
    served++;
    if (decision === 'drop') return;
    const out = decision === 'garbage' ? new Uint8Array(randomBytes(5 + (served % 7))) : reply;
    if (faults.delayMs > 0) {
      const t = setTimeout(() => { pending.delete(t); if (!closed) send(out, decision === 'garbage'); }, faults.delayMs);
      pending.add(t);
    } else {
      send(out, decision === 'garbage');
    }
  };

  let server: Server | null = null;
  let tcpPort: number | undefined;
  if (options.tcp) {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => { sockets.delete(socket); });
      socket.on('error', () => { socket.destroy(); });
      let buffer = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        while (buffer.length >= MBAP_LEN) {
          const txid = buffer.readUInt16BE(0);
          const protocol = buffer.readUInt16BE(2);
          const length = buffer.readUInt16BE(4);
          // A protocol id other than 0 or a length outside 2..254 cannot be resynchronised on a stream: close.
          if (protocol !== 0 || length < 2 || length > MAX_PDU + 1) { socket.destroy(); return; }
          if (buffer.length < 6 + length) break;
          const unit = buffer[6]!;
          const pdu = new Uint8Array(buffer.subarray(MBAP_LEN, 6 + length));
          buffer = buffer.subarray(6 + length);
          if (unit !== unitId && unit !== 0 && unit !== 0xff) {
            // 0x0B: gateway target device failed to respond (§7) — the usual answer for a wrong unit id over TCP.
            const header = Buffer.alloc(MBAP_LEN);
            header.writeUInt16BE(txid, 0); header.writeUInt16BE(3, 4); header[6] = unit;
            socket.write(Buffer.concat([header, Buffer.from([(pdu[0] ?? 0) | 0x80, 0x0b])]));
            continue;
          }
          respond(pdu, (reply, raw) => {
            if (socket.destroyed) return;
            if (raw) { socket.write(reply); return; }
            const header = Buffer.alloc(MBAP_LEN);
            header.writeUInt16BE(txid, 0);
            header.writeUInt16BE(0, 2);
            header.writeUInt16BE(reply.length + 1, 4);
            header[6] = unit;
            socket.write(Buffer.concat([header, reply]));
          });
        }
      });
    });
    const s = server;
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(options.tcp!.port, options.tcp!.host, () => { s.off('error', reject); resolve(); });
    });
    const address = s.address();
    tcpPort = typeof address === 'object' && address !== null ? address.port : undefined;
  }

  let serial: SerialPort | null = null;
  if (options.rtu) {
    const port = new SerialPort({ path: options.rtu.path, baudRate: options.rtu.baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => { port.open((error) => { if (error) reject(error); else resolve(); }); });
    serial = port;
    let buffer = Buffer.alloc(0);
    let silence: NodeJS.Timeout | null = null;
    port.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (silence) clearTimeout(silence);
      silence = setTimeout(() => { silence = null; buffer = Buffer.alloc(0); }, RTU_SILENCE_MS);
      for (;;) {
        const length = rtuRequestLength(buffer);
        if (length === null || buffer.length < length) break;
        const frame = buffer.subarray(0, length);
        if (crc16(frame, 0, length - 2) !== frame.readUInt16LE(length - 2)) {
          // Bad CRC (noise, a garbage burst, or our own misframing): slide one byte and look again.
          buffer = buffer.subarray(1);
          continue;
        }
        buffer = buffer.subarray(length);
        const address = frame[0]!;
        if (address !== unitId && address !== 0) continue;
        respond(new Uint8Array(frame.subarray(1, length - 2)), (reply, raw) => {
          if (address === 0 || !port.isOpen) return; // broadcast: executed, never answered (Serial Line V1.02 §2.1)
          if (raw) { port.write(Buffer.from(reply)); return; }
          const out = Buffer.alloc(reply.length + 3);
          out[0] = address;
          out.set(reply, 1);
          out.writeUInt16LE(crc16(out, 0, reply.length + 1), reply.length + 1);
          port.write(out);
        });
      }
    });
    port.once('close', () => { if (silence) clearTimeout(silence); });
  }

  return {
    plc,
    faults,
    tcpPort,
    served: () => served,
    restart() {
      for (const s of sockets) s.destroy();
      plc.restart();
    },
    async close() {
      if (closed) return;
      closed = true;
      plc.stop();
      for (const t of pending) clearTimeout(t);
      for (const s of sockets) s.destroy();
      if (server) await new Promise<void>((resolve) => { server.close(() => { resolve(); }); });
      if (serial?.isOpen) await new Promise<void>((resolve) => { serial.close(() => { resolve(); }); });
    },
  };
}

/**
 * Length of the RTU request at the head of the buffer, from its function code (Serial Line V1.02 §2.5.1 frames
 * carry no length): 8 bytes for FC01–06, 9 + byte count for FC15/16. Unknown codes are treated as 8 bytes so a
 * valid CRC still gets an "illegal function" reply and garbage slides through the CRC check.
 */
function rtuRequestLength(buffer: Buffer): number | null {
  if (buffer.length < 2) return null;
  const fc = buffer[1]!;
  if (fc === 0x0f || fc === 0x10) return buffer.length < 7 ? null : 9 + buffer[6]!;
  return 8;
}
