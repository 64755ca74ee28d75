import type { OpcuaAutoIdEmulator, OpcuaEmulatorOptions } from './opcua-autoid-emulator.ts';

/** Loads node-opcua (≈ 0.6 s) only when an OPC UA emulator is actually started. */
export async function startOpcuaEmulator(options: OpcuaEmulatorOptions): Promise<OpcuaAutoIdEmulator> {
  const { startOpcuaAutoIdEmulator } = await import('./opcua-autoid-emulator.ts');
  return startOpcuaAutoIdEmulator(options);
}
