/**
 * @module A ledger leaf: the bytes the Merkle tree hashes for one record (docs/ledger-format.md). A leaf
 * names the record's type, carries an opaque id and commits to the record without revealing it.
 */

/** The leaf format's version byte; a new format gets a new byte, never a new meaning for this one. */
export const LEAF_VERSION = 1;
/** Bytes of a leaf's opaque id: 128 random bits, assigned by the server. */
export const LEAF_ID_BYTES = 16;
/** Bytes of the random salt a commitment hashes after the record. */
export const SALT_BYTES = 32;
/** Bytes of a SHA-256 hash. */
export const HASH_BYTES = 32;

/**
 * A record's leaf made before its row is written — by a validation thread, off the thread that commits:
 * id ‖ salt ‖ commitment ‖ leaf hash (`PRECOMPUTED_LEAF_BYTES`), for the row as it would be stored if
 * received at `receivedAtMs` with its defaults. The store that writes the row uses it only when the row
 * is exactly that one, and otherwise makes the leaf itself.
 */
export interface PrecomputedLeaf {
  /** The row it was made for: received at this time, under this batch id (with the default marking). */
  readonly receivedAtMs: number;
  readonly batchId: string | null;
  readonly bytes: Uint8Array;
}

/** Bytes of a precomputed leaf: id, salt, commitment and leaf hash. */
export const PRECOMPUTED_LEAF_BYTES = LEAF_ID_BYTES + SALT_BYTES + 2 * HASH_BYTES;

/** Record types are short ASCII names: lower-case letters, digits and hyphens. */
const TYPE_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

export interface Leaf {
  readonly type: string;
  readonly id: Uint8Array;
  readonly commitment: Uint8Array;
}

/**
 * The leaf's bytes: version (1 byte) ‖ length of the type (1 byte) ‖ the type in ASCII ‖ id (16 bytes) ‖
 * commitment (32 bytes). The tree hashes these as RFC 9162's leaf input (`SHA-256(0x00 ‖ bytes)`).
 */
export function leafBytes(leaf: Leaf): Uint8Array {
  if (!TYPE_PATTERN.test(leaf.type))
    throw new Error(`the record type ${JSON.stringify(leaf.type)} is not valid`);
  if (leaf.id.length !== LEAF_ID_BYTES)
    throw new Error(`a leaf id has ${LEAF_ID_BYTES} bytes, not ${leaf.id.length}`);
  if (leaf.commitment.length !== HASH_BYTES)
    throw new Error(`a commitment has ${HASH_BYTES} bytes, not ${leaf.commitment.length}`);
  const bytes = new Uint8Array(2 + leaf.type.length + LEAF_ID_BYTES + HASH_BYTES);
  bytes[0] = LEAF_VERSION;
  bytes[1] = leaf.type.length;
  for (let i = 0; i < leaf.type.length; i += 1) bytes[2 + i] = leaf.type.charCodeAt(i);
  bytes.set(leaf.id, 2 + leaf.type.length);
  bytes.set(leaf.commitment, 2 + leaf.type.length + LEAF_ID_BYTES);
  return bytes;
}

/** Whether `type` can name a record type in a leaf. */
export const isRecordType = (type: string): boolean => TYPE_PATTERN.test(type);
