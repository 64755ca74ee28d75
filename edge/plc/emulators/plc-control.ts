import type { ConfirmMode } from './simulated-plc.ts';

/**
 * The JSON-lines control protocol shared by the PLC emulators' `--control` mode and test/support/pymodbus-server.py:
 * one request object per stdin line, one reply per stdout line. Lets a test (or a commissioning engineer) act as
 * the line: photo-eye edges, kicker confirm behaviour, PackML state, PLC heartbeat.
 */
export interface ControllablePlc {
  advanceTrigger(edges: number): void;
  setConfirm(confirm: ConfirmMode): void;
  setPackmlState(state: number): void;
  setHeartbeat(ms: number): void;
  snapshot(): unknown;
  reset?(): void;
  restart?(): void;
}

export type ControlReply = { readonly ok: true; readonly snapshot?: unknown } | { readonly ok: false; readonly error: string };

function int(value: unknown, min: number, max: number): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : null;
}

export function applyPlcControl(plc: ControllablePlc, line: string): ControlReply {
  let msg: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, error: '控制消息应为 JSON 对象 (control message must be a JSON object)' };
    msg = parsed as Record<string, unknown>;
  } catch {
    return { ok: false, error: `控制消息不是 JSON: ${line.slice(0, 80)} (not JSON)` };
  }
  const bad = (field: string): ControlReply => ({ ok: false, error: `字段 ${field} 无效: ${JSON.stringify(msg[field])} (invalid ${field})` });
  switch (msg['op']) {
    case 'trigger': {
      const n = int(msg['count'] ?? 1, 1, 65_535);
      if (n === null) return bad('count');
      plc.advanceTrigger(n);
      return { ok: true };
    }
    case 'confirm': {
      if (msg['mode'] === 'never') { plc.setConfirm({ mode: 'never' }); return { ok: true }; }
      const ms = int(msg['ms'] ?? 5, 0, 60_000);
      if (ms === null) return bad('ms');
      plc.setConfirm({ mode: 'delay', ms });
      return { ok: true };
    }
    case 'packml': {
      const s = int(msg['state'], 0, 65_535);
      if (s === null) return bad('state');
      plc.setPackmlState(s);
      return { ok: true };
    }
    case 'heartbeat': {
      const ms = int(msg['ms'], 0, 60_000);
      if (ms === null) return bad('ms');
      plc.setHeartbeat(ms);
      return { ok: true };
    }
    case 'snapshot':
      return { ok: true, snapshot: plc.snapshot() };
    case 'reset':
      if (!plc.reset) return { ok: false, error: '此模拟器不支持 reset (reset not supported)' };
      plc.reset();
      return { ok: true };
    case 'restart':
      if (!plc.restart) return { ok: false, error: '此模拟器不支持 restart (restart not supported)' };
      plc.restart();
      return { ok: true };
    default:
      return { ok: false, error: `未知操作 ${JSON.stringify(msg['op'])}，可用: trigger, confirm, packml, heartbeat, snapshot, reset, restart (unknown op)` };
  }
}
