/**
 * Videojet "Zipher" Text Communications Protocol (rev 1.21–1.34, App. B of the DataFlex 6530 service manual;
 * notes/devices.md §1.2). ASCII, `|`-separated fields, CR ends a command and resets the printer's parser.
 * Replies: `ACK` / `ERR`. GST and QSZ reply shapes are [?] (not in the pages we could read): parsers are lenient.
 */
export const CR = '\r';

export type ZipherReply =
  | { readonly kind: 'ack' }
  | { readonly kind: 'err' }
  | { readonly kind: 'state'; readonly overall: number; readonly error: number; readonly job: string }
  | { readonly kind: 'queue'; readonly size: number }
  | { readonly kind: 'other'; readonly text: string };

/** A value may not contain the field separator or a line end (it would split the command). */
export function validValue(value: string): boolean {
  return !/[|\r\n]/.test(value);
}

export const selectJob = (job: string): string => `SEL|${job}|${CR}`;
export const selectJobWithFields = (job: string, fields: Readonly<Record<string, string>>): string =>
  `SLA|${job}|${Object.entries(fields).map(([k, v]) => `${k}=${v}|`).join('')}${CR}`;
export const jobDataUpdate = (values: readonly string[]): string => `JDU|${values.map((v) => `${v}|`).join('')}${CR}`;
export const jobDataNamed = (fields: Readonly<Record<string, string>>): string => `JDA|${Object.entries(fields).map(([k, v]) => `${k}=${v}|`).join('')}${CR}`;
export const PRINT = `PRN${CR}`;
export const GET_STATE = `GST${CR}`;
export const CLEAR_ALL_FAULTS = `CAF${CR}`;
export const QUEUE_SIZE = `QSZ${CR}`;

/**
 * `ACK`, `ERR`, `STS|overall|error|job|…|` [?: field order as we read rev 1.21: overall state 0 shutdown,
 * 1 starting, 2 shutting down, 3 running, 4 offline; error state 0 none, 1 warnings, 2 faults], `QSZ|n|` [?].
 */
export function parseReply(line: string): ZipherReply {
  if (line === 'ACK') return { kind: 'ack' };
  if (line === 'ERR' || line.startsWith('ERR|')) return { kind: 'err' };
  const f = line.split('|');
  if (f[0] === 'STS' && f.length >= 4 && /^\d+$/.test(f[1] ?? '') && /^\d+$/.test(f[2] ?? '')) {
    return { kind: 'state', overall: Number(f[1]), error: Number(f[2]), job: f[3] ?? '' };
  }
  if (f[0] === 'QSZ' && /^\d+$/.test(f[1] ?? '')) return { kind: 'queue', size: Number(f[1]) };
  return { kind: 'other', text: line };
}
