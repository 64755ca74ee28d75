/**
 * Splits `HOST:PORT` (an IPv6 host in brackets: `[::1]:9100`) into its parts, or null when the text is not that or
 * the port is outside `minPort`..65535. Port 0 (`minPort` 0) is for an address we listen on: the OS picks a port.
 * Callers turn null into their own error (a CLI usage error, a config error naming the field).
 */
export function splitHostPort(text: string, minPort: 0 | 1 = 1): { host: string; port: number } | null {
  const m = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(text);
  if (m === null) return null;
  const port = Number(m[2]);
  if (port < minPort || port > 65_535) return null;
  return { host: (m[1] ?? '').replace(/^\[|\]$/g, ''), port };
}
