/**
 * @module The Content-Digest field of RFC 9530 with SHA-256: what binds a signed request to its
 * body, since RFC 9421 signs headers, not content. The hash is injected to keep core free of
 * node:crypto.
 */
import { encodeBase64, parseDictionary, StructuredFieldError } from './structured-fields.ts';

/** SHA-256 of raw bytes, as the 32 bytes of the digest. */
export type Sha256Digest = (bytes: Uint8Array) => Uint8Array;

/** The algorithm key RFC 9530 registers for SHA-256. */
export const CONTENT_DIGEST_ALGORITHM = 'sha-256';

/** A Content-Digest value that cannot be used: not a dictionary, or no usable `sha-256` member. */
export class ContentDigestError extends Error {
  override readonly name = 'ContentDigestError';
}

/**
 * The Content-Digest field value for `body`.
 *
 * @example
 * formatContentDigest(new TextEncoder().encode('{"hello": "world"}'), sha256)
 * // 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:'
 */
export function formatContentDigest(body: Uint8Array, sha256: Sha256Digest): string {
  return `${CONTENT_DIGEST_ALGORITHM}=:${encodeBase64(sha256(body))}:`;
}

/**
 * The SHA-256 digest a Content-Digest field value carries. Other algorithms may be listed beside it
 * (RFC 9530 lets a sender offer several); they are ignored, but the whole value must still be a
 * valid dictionary.
 *
 * @example
 * parseContentDigest('sha-512=:WZDP…wew==:, sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:')
 * // the 32 bytes of the SHA-256
 * @throws ContentDigestError if the value is malformed or has no 32-byte `sha-256` byte sequence.
 */
export function parseContentDigest(value: string): Uint8Array {
  let dictionary;
  try {
    dictionary = parseDictionary(value);
  } catch (error) {
    if (error instanceof StructuredFieldError)
      throw new ContentDigestError(`Content-Digest is not a structured dictionary: ${error.message}`);
    throw error;
  }
  const member = dictionary.get(CONTENT_DIGEST_ALGORITHM);
  if (member === undefined) {
    const offered = [...dictionary.keys()];
    throw new ContentDigestError(
      `Content-Digest has no ${CONTENT_DIGEST_ALGORITHM} digest${offered.length > 0 ? ` (only ${offered.join(', ')})` : ''}`,
    );
  }
  if (member.kind !== 'item' || member.value.type !== 'bytes')
    throw new ContentDigestError(
      `Content-Digest's ${CONTENT_DIGEST_ALGORITHM} is not a byte sequence (:base64:)`,
    );
  if (member.value.value.length !== 32)
    throw new ContentDigestError(
      `Content-Digest's ${CONTENT_DIGEST_ALGORITHM} has ${member.value.value.length} bytes, not 32`,
    );
  return member.value.value;
}

/** Whether a body matches a Content-Digest value. */
export type ContentDigestCheck =
  { readonly ok: true; readonly digest: Uint8Array } | { readonly ok: false; readonly reason: string };

/**
 * Checks `body` against a Content-Digest field value.
 *
 * @example
 * checkContentDigest('sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:', body, sha256).ok
 * @returns `ok: false` with the reason if the value is unusable or the digest differs.
 */
export function checkContentDigest(
  value: string,
  body: Uint8Array,
  sha256: Sha256Digest,
): ContentDigestCheck {
  let claimed: Uint8Array;
  try {
    claimed = parseContentDigest(value);
  } catch (error) {
    if (error instanceof ContentDigestError) return { ok: false, reason: error.message };
    throw error;
  }
  return matchesDigest(claimed, body, sha256)
    ? { ok: true, digest: claimed }
    : { ok: false, reason: `the body's ${CONTENT_DIGEST_ALGORITHM} differs from Content-Digest` };
}

/** Whether `body` hashes to `claimed` (a digest already taken from a Content-Digest value). */
export function matchesDigest(claimed: Uint8Array, body: Uint8Array, sha256: Sha256Digest): boolean {
  const actual = sha256(body);
  // Not constant-time on purpose: the body and its digest are public, there is no secret to leak.
  return actual.length === claimed.length && actual.every((byte, i) => byte === claimed[i]);
}
