/**
 * @module Standard base64 (RFC 4648 section 4, with padding), strict: the encoding of signed notes,
 * key texts and checkpoint root hashes. Core has no Buffer, and a lenient decoder would let two
 * texts stand for the same bytes, so decoding accepts only what the encoder produces.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUES = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

/** Standard base64 with `=` padding. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += ALPHABET.charAt((n >> 18) & 63) + ALPHABET.charAt((n >> 12) & 63);
    out += b === undefined ? '=' : ALPHABET.charAt((n >> 6) & 63);
    out += c === undefined ? '=' : ALPHABET.charAt(n & 63);
  }
  return out;
}

/**
 * Decodes standard base64 with padding. Refuses, by returning `undefined`, a length that is not a
 * multiple of 4, a character outside the alphabet, padding anywhere but at the end, and unused
 * bits that are not zero (so each byte string has exactly one accepted text).
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const code = text.charCodeAt(i + j);
      let value: number;
      if (last && code === 61 /* '=' */ && j >= 4 - padding) value = 0;
      else value = code < 128 ? (VALUES[code] ?? -1) : -1;
      if (value < 0) return undefined;
      n = (n << 6) | value;
    }
    if (last && padding === 2 && (n & 0xffff) !== 0) return undefined;
    if (last && padding === 1 && (n & 0xff) !== 0) return undefined;
    out[o++] = (n >> 16) & 0xff;
    if (o < out.length) out[o++] = (n >> 8) & 0xff;
    if (o < out.length) out[o++] = n & 0xff;
  }
  return out;
}
