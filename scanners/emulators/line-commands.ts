/**
 * Splits incoming command bytes at a terminator byte, per session, keeping at most `limit` bytes of an
 * unfinished command (a device's receive buffer is finite too; excess is dropped like a real buffer overrun).
 * The emulators' own tiny parser: it shares nothing with the drivers' framers.
 */
export class LineCommands {
  readonly #terminator: number;
  readonly #limit: number;
  readonly #buffers = new Map<number, string>();

  constructor(terminator: number, limit = 1024) {
    this.#terminator = terminator;
    this.#limit = limit;
  }

  feed(sessionId: number, chunk: Uint8Array, clearByte?: number): string[] {
    let buf = this.#buffers.get(sessionId) ?? '';
    const commands: string[] = [];
    for (const b of chunk) {
      if (clearByte !== undefined && b === clearByte) {
        buf = '';
      } else if (b === this.#terminator) {
        commands.push(buf);
        buf = '';
      } else if (buf.length < this.#limit) {
        buf += String.fromCharCode(b);
      }
    }
    this.#buffers.set(sessionId, buf);
    return commands;
  }

  end(sessionId: number): void {
    this.#buffers.delete(sessionId);
  }
}
