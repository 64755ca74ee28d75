/**
 * The one port through which edge/codes gets randomness (DESIGN §5: OS CSPRNG only). A source fills the whole
 * `target` with independent uniform bytes or throws; it never returns a partial fill. Tests inject
 * deterministic sources to pin exact outputs; production uses `webCryptoRandom`.
 */
export type RandomSource = (target: Uint8Array) => void;

/**
 * Web Crypto `getRandomValues` caps one call at 65,536 bytes (W3C WebCrypto §10.1.1, QuotaExceededError
 * above it), so larger targets are filled chunk by chunk.
 */
export const WEB_CRYPTO_MAX_BYTES = 65_536;

/**
 * The OS CSPRNG through the global Web Crypto object (Node ≥ 19 and browsers): no import needed, so the
 * package stays free of `node:*`.
 */
export const webCryptoRandom: RandomSource = (target) => {
  for (let offset = 0; offset < target.length; offset += WEB_CRYPTO_MAX_BYTES) {
    // getRandomValues is typed for ArrayBuffer-backed views; a SharedArrayBuffer view works the same in Node.
    globalThis.crypto.getRandomValues(target.subarray(offset, Math.min(target.length, offset + WEB_CRYPTO_MAX_BYTES)) as Uint8Array<ArrayBuffer>);
  }
};
