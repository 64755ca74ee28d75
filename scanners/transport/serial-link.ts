import { SerialPort } from 'serialport';
import { DeviceOfflineError } from '../errors.ts';
import type { ByteLink } from './byte-link.ts';

/** Opens a serial port (8N1, no flow control: what handheld and fixed readers default to). */
export async function openSerial(path: string, baudRate: number): Promise<ByteLink> {
  const describe = `serial ${path}@${baudRate}`;
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => {
    port.open((error) => {
      if (error) reject(new DeviceOfflineError(`无法打开串口 ${path}: ${error.message} (cannot open serial port)`, { cause: error }));
      else resolve();
    });
  });
  const closeListeners: ((error: Error | undefined) => void)[] = [];
  let lastError: Error | undefined;
  let userClosed = false;
  port.on('error', (error) => { lastError = error; });
  const closed = new Promise<void>((resolve) => {
    port.once('close', () => {
      const error = userClosed ? undefined : lastError ?? new DeviceOfflineError(`串口已断开: ${describe} (serial port closed)`);
      for (const l of closeListeners) l(error);
      resolve();
    });
  });
  return {
    describe,
    write: (bytes) => new Promise<void>((resolve, reject) => {
      if (!port.isOpen) {
        reject(new DeviceOfflineError(`串口未打开: ${describe} (serial port not open)`));
        return;
      }
      port.write(Buffer.from(bytes), (error) => {
        if (error) reject(new DeviceOfflineError(`串口写入失败: ${describe} (serial write failed)`, { cause: error }));
        else port.drain(() => { resolve(); });
      });
    }),
    onData: (listener) => { port.on('data', (chunk: Buffer) => { listener(chunk); }); },
    onClose: (listener) => { closeListeners.push(listener); },
    close: async () => {
      userClosed = true;
      if (port.isOpen) port.close();
      await closed;
    },
  };
}
