import { connect, createServer, type Server, type Socket } from 'node:net';
import { SerialPort } from 'serialport';

/**
 * The device side of a reader's link: a TCP server (most readers), a TCP client that dials the station
 * (Hikrobot client mode), or a serial port. Every open connection is a session; unsolicited reads go to all.
 */
export type EmulatorEndpoint =
  | { readonly kind: 'tcp-listen'; readonly host: string; readonly port: number }
  | { readonly kind: 'tcp-connect'; readonly host: string; readonly port: number }
  | { readonly kind: 'serial'; readonly path: string; readonly baudRate?: number };

export interface Session {
  readonly id: number;
  write(bytes: Uint8Array): void;
  readonly closed: boolean;
}

export interface EmulatorTransport {
  /** The bound TCP port (listen mode), else undefined. */
  readonly port: number | undefined;
  readonly sessions: readonly Session[];
  close(): Promise<void>;
}

export async function openEmulatorTransport(
  endpoint: EmulatorEndpoint,
  handlers: { onSession(session: Session): void; onData(session: Session, chunk: Uint8Array): void; onSessionEnd(session: Session): void },
): Promise<EmulatorTransport> {
  const sessions: Session[] = [];
  let nextId = 0;
  const adopt = (write: (b: Uint8Array) => void, isClosed: () => boolean): Session => {
    nextId += 1;
    const session: Session = { id: nextId, write, get closed() { return isClosed(); } };
    sessions.push(session);
    handlers.onSession(session);
    return session;
  };
  const drop = (session: Session): void => {
    const i = sessions.indexOf(session);
    if (i >= 0) sessions.splice(i, 1);
    handlers.onSessionEnd(session);
  };
  const attachSocket = (socket: Socket, sockets: Set<Socket>): void => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const session = adopt((b) => { if (!socket.destroyed) socket.write(b); }, () => socket.destroyed);
    socket.on('data', (chunk: Buffer) => { handlers.onData(session, chunk); });
    socket.on('error', () => { /* the close event follows; the session ends there */ });
    socket.on('close', () => { sockets.delete(socket); drop(session); });
  };

  if (endpoint.kind === 'tcp-listen') {
    const sockets = new Set<Socket>();
    const server: Server = createServer((socket) => { attachSocket(socket, sockets); });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(endpoint.port, endpoint.host, () => { server.off('error', reject); resolve(); });
    });
    const address = server.address();
    return {
      port: typeof address === 'object' && address !== null ? address.port : undefined,
      sessions,
      close: async () => {
        const closed = new Promise<void>((r) => { server.close(() => { r(); }); });
        for (const s of sockets) s.destroy();
        await closed;
      },
    };
  }
  if (endpoint.kind === 'tcp-connect') {
    const sockets = new Set<Socket>();
    const socket = connect({ host: endpoint.host, port: endpoint.port });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('connect', () => { socket.off('error', reject); resolve(); });
    });
    attachSocket(socket, sockets);
    return {
      port: undefined,
      sessions,
      close: async () => {
        if (socket.destroyed && !sockets.has(socket)) return;
        const closed = new Promise<void>((r) => { socket.once('close', () => { r(); }); });
        socket.destroy();
        await closed;
      },
    };
  }
  const port = new SerialPort({ path: endpoint.path, baudRate: endpoint.baudRate ?? 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => { port.open((e) => { if (e) reject(e); else resolve(); }); });
  const session = adopt((b) => { if (port.isOpen) port.write(Buffer.from(b)); }, () => !port.isOpen);
  port.on('data', (chunk: Buffer) => { handlers.onData(session, chunk); });
  port.on('error', () => { /* close follows */ });
  const closed = new Promise<void>((r) => { port.once('close', () => { drop(session); r(); }); });
  return {
    port: undefined,
    sessions,
    close: async () => {
      if (port.isOpen) port.close();
      await closed;
    },
  };
}
