/** @module Ed25519 verification and SHA-256 digests from node:crypto, for signed ingest batches. */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { nodeSha256Bytes } from './node-sha256.ts';

/** Enough for every key of a large sensor network; past it the oldest entry goes. */
const MAX_CACHED_KEYS = 4096;

// Parsing SPKI DER costs more than an Ed25519 verification, and every ingest request needs the key of
// a source that sent before: keep the KeyObjects.
const keys = new Map<string, KeyObject>();

function publicKeyObject(publicKeySpkiB64: string): KeyObject {
  const cached = keys.get(publicKeySpkiB64);
  if (cached !== undefined) return cached;
  const key = createPublicKey({ key: Buffer.from(publicKeySpkiB64, 'base64'), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(
      `the registered public key is ${key.asymmetricKeyType ?? 'of no known type'}, not Ed25519`,
    );
  if (keys.size >= MAX_CACHED_KEYS) {
    const oldest = keys.keys().next();
    if (oldest.done !== true) keys.delete(oldest.value);
  }
  keys.set(publicKeySpkiB64, key);
  return key;
}

/**
 * Whether `signature` is a valid Ed25519 signature of `data` by the key (SPKI DER, base64).
 * A wrong signature, of any length, is `false`.
 *
 * @example
 * verifyEd25519(source.keys[0].publicKey, signatureBaseBytes(base), signature) // true or false
 * @throws if the key is not a valid Ed25519 SPKI key: that is a fault of the registry, not of the request.
 */
export function verifyEd25519(publicKeySpkiB64: string, data: Uint8Array, signature: Uint8Array): boolean {
  return verify(null, data, publicKeyObject(publicKeySpkiB64), signature);
}

/**
 * SHA-256 of raw bytes, as the 32 bytes of the digest (Content-Digest carries bytes, not hex).
 *
 * @example
 * sha256Bytes(new TextEncoder().encode('{"hello": "world"}')).length // 32
 */
export const sha256Bytes = (bytes: Uint8Array): Uint8Array =>
  // Reuses the one SHA-256 of raw bytes this folder has; the hex round trip costs well under a microsecond.
  Buffer.from(nodeSha256Bytes(bytes), 'hex');
