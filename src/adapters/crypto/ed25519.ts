/** @module Ed25519 and SHA-256 from node:crypto: verification of signed ingest batches, and raw-key Ed25519 for the ledger's signed notes. */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { Ed25519 } from '../../core/ledger/signed-note.ts';
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

// DER prefixes that wrap a raw 32-byte Ed25519 seed (PKCS #8) or public key (SPKI) for node:crypto.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

const privateKeyOf = (seed: Uint8Array): KeyObject =>
  createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });

/**
 * Ed25519 over raw 32-byte seeds and public keys, as the ledger's signed notes need it (core injects
 * it: core has no node:crypto).
 *
 * @example
 * const seed = randomBytes(32);
 * nodeEd25519.verify(nodeEd25519.publicKey(seed), msg, nodeEd25519.sign(seed, msg)) // true
 */
export const nodeEd25519: Ed25519 = {
  sign: (seed, message) => new Uint8Array(sign(null, message, privateKeyOf(seed))),
  verify: (publicKey, message, signature) => {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    const key = createPublicKey({
      key: Buffer.concat([SPKI_PREFIX, publicKey]),
      format: 'der',
      type: 'spki',
    });
    return verify(null, message, key, signature);
  },
  publicKey: (seed) => {
    const der = createPublicKey(privateKeyOf(seed)).export({ format: 'der', type: 'spki' });
    return new Uint8Array(der.subarray(der.length - 32));
  },
};
