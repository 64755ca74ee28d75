/**
 * Hitachi IJ (PH / PXR / UX) basic serial exchange (PH manual ch. 6; UX2 serial communication manual;
 * notes/devices.md §1.6): host `ENQ` ← `ACK`; host `STX text ETX` ← `ACK`, or `NAK` on a communication error.
 * At most 1500 bytes per STX…ETX including STX and ETX [D]. The text layout (item number + string) differs per
 * model [?]: the driver fills a configurable template.
 */
export const ENQ = 0x05;
export const ACK = 0x06;
export const NAK = 0x15;
export const STX = 0x02;
export const ETX = 0x03;
export const MAX_MESSAGE_BYTES = 1500;

/** `STX payload ETX`, or null when it would exceed 1500 bytes or the payload contains STX/ETX. */
export function encodeMessage(payload: string): Uint8Array | null {
  const bytes = Buffer.from(payload, 'latin1');
  if (bytes.length + 2 > MAX_MESSAGE_BYTES || bytes.includes(STX) || bytes.includes(ETX)) return null;
  return Uint8Array.from([STX, ...bytes, ETX]);
}

/** Replaces `{code}` in the template (e.g. `01{code}` for item 01 on models that number items [?]). */
export function fillTemplate(template: string, code: string): string {
  return template.replaceAll('{code}', code);
}
