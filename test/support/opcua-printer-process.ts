import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PrinterEmulator, type EmulatorFaults, type EmulatorOptions, type EmulatorPeer } from '../../printers/emulators/printer-emulator.ts';

const ENTRY = join(import.meta.dirname, 'opcua-printer-child.ts');

/**
 * The OPC UA code printer emulator in its own process (issue 3: "OPC UA through a node-opcua server in its own
 * process"), behind the `PrinterEmulator` surface the shared conformance suite drives. `listenTcp` starts the
 * child and returns the port of its opc.tcp endpoint; `printed` / `accepted` mirror the child's lists (a print is
 * in `printed` before its PrintConfirmed event is raised); `set` and `restart` are written synchronously to a
 * control file the child reads before serving any request, so a knob set before a call is in force for it.
 * Startup ≈ 1 s (node-opcua + standard nodeset).
 */
export class OpcuaPrinterProcess extends PrinterEmulator {
  #child: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();
  #dir: string | null = null;
  #control = '';

  constructor(options: EmulatorOptions = {}) {
    super(options);
  }

  protected override onBytes(_peer: EmulatorPeer, _bytes: Uint8Array): void {}
  protected override resetProtocol(): void {}

  override async listenTcp(): Promise<{ host: string; port: number }> {
    this.#dir = mkdtempSync(join(tmpdir(), 'wuma-opcua-printer-'));
    this.#control = join(this.#dir, 'control.jsonl');
    writeFileSync(this.#control, `${JSON.stringify({ op: 'set', faults: this.faults })}\n`);
    const child = spawn(process.execPath, [ENTRY, this.#control, String(this.printMs), String(this.bootMs)], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child = child;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => { if (stderr.length < 8192) stderr += d.toString(); });
    this.#exited = new Promise<void>((resolve) => { child.once('exit', () => { resolve(); }); });
    const lines = createInterface({ input: child.stdout! });
    const ready = new Promise<{ port: number }>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`OPC UA printer process did not start in 20 s: ${stderr.trim()}`)); }, 20_000);
      void this.#exited.then(() => { clearTimeout(timer); reject(new Error(`OPC UA printer process exited: ${stderr.trim()}`)); });
      lines.on('line', (line) => {
        // node-opcua may print its own lines (warnings) on stdout: only our JSON lines count.
        let msg: { ready?: boolean; port?: number; accepted?: string; printed?: string; seq?: number };
        try { msg = JSON.parse(line) as typeof msg; } catch { return; }
        if (typeof msg !== 'object' || msg === null) return;
        if (msg.ready === true && msg.port !== undefined) { clearTimeout(timer); resolve({ port: msg.port }); }
        if (msg.accepted !== undefined) this.accepted.push({ code: msg.accepted, detail: 'opcua' });
        if (msg.printed !== undefined) {
          this.printed.push({ code: msg.printed, detail: 'opcua' });
          this.log(`已打印 (printed) ${this.shown(msg.printed)}`);
          if (child.stdin?.writable === true) child.stdin.write(`${JSON.stringify({ ack: msg.seq })}\n`);
        }
      });
    });
    try {
      const { port } = await ready;
      return { host: '127.0.0.1', port };
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  override attachSerial(): Promise<void> {
    return Promise.reject(new Error('OPC UA 打印机模拟器没有串口 (the OPC UA printer emulator has no serial port)'));
  }

  override set(faults: Partial<EmulatorFaults>): void {
    super.set(faults);
    if (this.#control !== '') appendFileSync(this.#control, `${JSON.stringify({ op: 'set', faults })}\n`);
  }

  override restart(): Promise<void> {
    if (this.#control !== '') appendFileSync(this.#control, `${JSON.stringify({ op: 'restart' })}\n`);
    return Promise.resolve();
  }

  override async close(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (child !== null && child.exitCode === null && child.signalCode === null) {
      child.stdin?.end(`${JSON.stringify({ op: 'stop' })}\n`);
      const timer = setTimeout(() => { child.kill('SIGKILL'); }, 5_000);
      await this.#exited;
      clearTimeout(timer);
    }
    child?.stdout?.destroy();
    child?.stderr?.destroy();
    if (this.#dir !== null) rmSync(this.#dir, { recursive: true, force: true });
    this.#dir = null;
    await super.close();
  }
}
