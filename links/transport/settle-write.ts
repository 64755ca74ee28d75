import { LinkOfflineError } from '../errors.ts';

/**
 * Runs a Node-style write whose callback fires once the bytes are handed to the OS (serialport, net.Socket) and
 * settles with it: resolved, or rejected with a LinkOfflineError naming the link and the cause.
 */
export function settleWrite(description: string, write: (done: (error?: Error | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    write((error) => {
      if (error) reject(new LinkOfflineError(`发送失败 ${description}: ${error.message} (write failed)`, { cause: error }));
      else resolve();
    });
  });
}
