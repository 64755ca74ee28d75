import { CommandFailure } from './errors.ts';

/**
 * The command failure (exit 1) for a server that could not listen on `port` — in use (EADDRINUSE) or not
 * allowed (EACCES) — or undefined for any other error, which the command handles itself. `option` names the
 * flag that picks another port, when the command has one.
 */
export function listenFailure(error: unknown, port: number, option?: string): CommandFailure | undefined {
  const code = (error as { code?: unknown }).code;
  if (code === 'EADDRINUSE') {
    return new CommandFailure(option === undefined
      ? `端口 ${port} 已被占用 (port ${port} is in use)`
      : `端口 ${port} 已被占用，请用 ${option} 换一个 (port ${port} is in use; choose another with ${option})`);
  }
  if (code === 'EACCES') return new CommandFailure(`无权监听端口 ${port} (no permission to listen on port ${port})`);
  return undefined;
}
