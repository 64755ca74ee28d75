import type { SimulatedPlc } from './simulated-plc.ts';

/**
 * Executes one request PDU against the simulated PLC memory and returns the response PDU (Modbus Application
 * Protocol Specification V1.1b3 §6: FC01 read coils, FC03 read holding registers, FC05 write single coil, FC06 write
 * single register, FC15 write multiple coils, FC16 write multiple registers; quantity limits 2000 / 125 / 1968 / 123).
 * Errors are exception responses `fc | 0x80, code` (§7): 01 illegal function, 02 illegal data address (outside the
 * memory or a PLC-owned register), 03 illegal data value (bad quantity, byte count or coil value).
 */
export function executePdu(plc: SimulatedPlc, pdu: Uint8Array): Uint8Array {
  const fc = pdu[0] ?? 0;
  const view = new DataView(pdu.buffer, pdu.byteOffset, pdu.byteLength);
  const u16 = (offset: number): number => (offset + 2 <= pdu.length ? view.getUint16(offset) : -1);
  const exception = (code: number): Uint8Array => Uint8Array.of(fc | 0x80, code);
  const address = u16(1);
  const second = u16(3);
  switch (fc) {
    case 0x01: {
      if (pdu.length !== 5 || second < 1 || second > 2000) return exception(3);
      if (address + second > plc.coils.length) return exception(2);
      const bytes = Math.ceil(second / 8);
      const out = new Uint8Array(2 + bytes);
      out[0] = fc;
      out[1] = bytes;
      for (let i = 0; i < second; i++) if (plc.coils[address + i]) out[2 + (i >> 3)]! |= 1 << (i & 7);
      return out;
    }
    case 0x03: {
      if (pdu.length !== 5 || second < 1 || second > 125) return exception(3);
      if (address + second > plc.holding.length) return exception(2);
      const out = new Uint8Array(2 + 2 * second);
      out[0] = fc;
      out[1] = 2 * second;
      const w = new DataView(out.buffer);
      for (let i = 0; i < second; i++) w.setUint16(2 + 2 * i, plc.holding[address + i]!);
      return out;
    }
    case 0x05: {
      if (pdu.length !== 5 || (second !== 0xff00 && second !== 0x0000)) return exception(3);
      if (address >= plc.coils.length) return exception(2);
      plc.coils[address] = second === 0xff00 ? 1 : 0;
      return pdu.slice();
    }
    case 0x06: {
      if (pdu.length !== 5) return exception(3);
      if (address >= plc.holding.length || !plc.isWritable(address)) return exception(2);
      const before = plc.holding.slice(address, address + 1);
      plc.holding[address] = second;
      plc.afterHoldingWrite(address, 1, before);
      return pdu.slice();
    }
    case 0x0f: {
      const byteCount = pdu[5] ?? -1;
      if (second < 1 || second > 1968 || byteCount !== Math.ceil(second / 8) || pdu.length !== 6 + byteCount) return exception(3);
      if (address + second > plc.coils.length) return exception(2);
      for (let i = 0; i < second; i++) plc.coils[address + i] = (pdu[6 + (i >> 3)]! >> (i & 7)) & 1;
      return pdu.slice(0, 5);
    }
    case 0x10: {
      const byteCount = pdu[5] ?? -1;
      if (second < 1 || second > 123 || byteCount !== 2 * second || pdu.length !== 6 + byteCount) return exception(3);
      if (address + second > plc.holding.length) return exception(2);
      for (let i = 0; i < second; i++) if (!plc.isWritable(address + i)) return exception(2);
      const before = plc.holding.slice(address, address + second);
      for (let i = 0; i < second; i++) plc.holding[address + i] = view.getUint16(6 + 2 * i);
      plc.afterHoldingWrite(address, second, before);
      return pdu.slice(0, 5);
    }
    default:
      return exception(1);
  }
}
