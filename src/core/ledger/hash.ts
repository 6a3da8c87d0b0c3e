/**
 * @module The injected SHA-256 and the byte helpers every ledger format needs. Core has no
 * node:crypto, so the hash arrives as a function: the server passes node's, a browser verifier
 * passes its own, and both run the same proof code.
 */

/**
 * SHA-256 of `data`, as the 32 bytes of the digest, in a new array. Injected because core may not
 * import node:crypto, and because the same verifier must run in the browser. It must not keep a
 * reference to `data` after it returns: callers reuse their input buffers.
 */
export type Sha256 = (data: Uint8Array) => Uint8Array;

/** One byte array holding `parts` one after the other: how hash inputs and signatures are built. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Whether two byte arrays hold the same bytes. The comparison looks at every byte whatever it
 * finds, so its time does not tell how long a common prefix is.
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

/** UTF-8 bytes of a text: notes and checkpoints are signed as bytes, never as JS strings. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Lower-case hex of bytes, as key ids are written in key texts (`c74f20a3`). */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/**
 * The bytes of a hex text (either case), for test vectors and key ids.
 *
 * @returns the bytes, or `undefined` if the text is not an even number of hex digits.
 */
export function fromHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}
