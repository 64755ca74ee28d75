import { readFileSync } from 'node:fs';
import { UsageError } from './errors.ts';
import { DEFAULT_REGISTER_MAP, parseRegisterMap, PlcConfigError, type ModbusRegisterMap } from '../plc/index.ts';

/** The Modbus register map of --map FILE (JSON), or the default map without it; usage error when unreadable or invalid. */
export function loadRegisterMap(path: string | undefined): ModbusRegisterMap {
  if (path === undefined) return DEFAULT_REGISTER_MAP;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`无法读取寄存器表 ${path}: ${error instanceof Error ? error.message : String(error)} (cannot read --map)`);
  }
  try {
    return parseRegisterMap(raw, path);
  } catch (error) {
    if (error instanceof PlcConfigError) throw new UsageError(error.message);
    throw error;
  }
}
