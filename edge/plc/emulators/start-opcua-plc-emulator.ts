import type { OpcuaPlcEmulator, OpcuaPlcEmulatorOptions } from './opcua-plc-emulator.ts';

/** Loads node-opcua (≈ 0.6–1.3 s) only when an OPC UA PLC emulator is actually started. */
export async function startOpcuaPlcEmulator(options: OpcuaPlcEmulatorOptions): Promise<OpcuaPlcEmulator> {
  const emulator = await import('./opcua-plc-emulator.ts');
  return emulator.startOpcuaPlcEmulator(options);
}
