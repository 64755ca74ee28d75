import { PrinterEmulator, type EmulatorFaults, type EmulatorOptions, type EmulatorPeer } from './printer-emulator.ts';
import type { OpcuaPrinterEmulator } from './opcua-printer-emulator.ts';

/**
 * The OPC UA code printer behind the common emulator surface (`wuma emulate printer opcua --tcp HOST:PORT`):
 * `listenTcp` starts the OPC UA server in this process on that port (opc.tcp://HOST:PORT). There is no byte
 * protocol and no serial variant. Tests run the server in its own process instead (test/support/opcua-printer-process.ts).
 */
export class OpcuaPrinterEmulatorHost extends PrinterEmulator {
  #server: OpcuaPrinterEmulator | null = null;

  constructor(options: EmulatorOptions = {}) {
    super(options);
  }

  protected override onBytes(_peer: EmulatorPeer, _bytes: Uint8Array): void {}
  protected override resetProtocol(): void {}

  override async listenTcp(host = '127.0.0.1', port = 0): Promise<{ host: string; port: number }> {
    // node-opcua (≈ 0.6–1.3 s to load) is imported only when an OPC UA printer emulator really starts.
    const { startOpcuaPrinterEmulator } = await import('./opcua-printer-emulator.ts');
    this.#server = await startOpcuaPrinterEmulator({
      host, port, printMs: this.printMs, bufferSize: this.bufferSize, bootMs: this.bootMs,
      beforeConfirm: (item) => { this.printed.push(item); },
      onAccepted: (item) => { this.accepted.push(item); },
      onLog: (line) => { this.log(line); },
    });
    this.#server.set(this.faults);
    return { host, port: this.#server.port };
  }

  override attachSerial(): Promise<void> {
    return Promise.reject(new Error('OPC UA 打印机模拟器没有串口 (the OPC UA printer emulator has no serial port)'));
  }

  override set(faults: Partial<EmulatorFaults>): void {
    super.set(faults);
    this.#server?.set(faults);
  }

  override async restart(): Promise<void> {
    await this.#server?.restart();
  }

  override async close(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    await server?.stop();
    await super.close();
  }
}
