/**
 * @module Making leaves for the stores: each record gets a random id and salt, its commitment
 * `SHA-256(record ‖ salt)` and its leaf hash; then the tree's frontier grows by them, giving the complete
 * subtree hashes to store. What both SQL stores do inside their write transactions, in one place.
 */
import { hash, randomFillSync } from 'node:crypto';
import { HASH_BYTES, LEAF_ID_BYTES, SALT_BYTES, leafBytes } from '../../core/ledger/leaf.ts';
import { appendLeaves, type MerkleFrontier } from '../../core/ledger/merkle.ts';
import type { RowKey } from './ledger-records.ts';

/** SHA-256 of bytes, as the core's injected hash. */
export const sha256 = (data: Uint8Array): Uint8Array => hash('sha256', data, 'buffer');

/** One record to ledger: its type, the key of its row, and its canonical text. */
export interface LedgerItem {
  readonly type: string;
  readonly key: RowKey;
  readonly record: string;
}

/** A record's leaf, ready to store. */
export interface PreparedLeaf {
  readonly type: string;
  readonly key: RowKey;
  readonly id: Buffer;
  readonly salt: Buffer;
  readonly commitment: Buffer;
  readonly leafHash: Uint8Array;
}

/** Scratch space for the hash inputs: reused, so committing a record allocates only its hash. */
let scratch = Buffer.allocUnsafe(64 * 1024);

function scratchOf(bytes: number): Buffer {
  if (scratch.length < bytes) scratch = Buffer.allocUnsafe(Math.max(bytes, scratch.length * 2));
  return scratch;
}

/** The commitment to `record` under `salt`: SHA-256 of the record's UTF-8 bytes, then the salt. */
export function commitmentOf(record: string, salt: Uint8Array): Buffer {
  const buffer = scratchOf(Buffer.byteLength(record, 'utf8') + salt.length);
  const written = buffer.write(record, 0, 'utf8');
  buffer.set(salt, written);
  return hash('sha256', buffer.subarray(0, written + salt.length), 'buffer');
}

/**
 * The RFC 9162 leaf hash of a leaf, `SHA-256(0x00 ‖ leafBytes(leaf))`, written into the scratch
 * space instead of two new arrays (the same bytes as core's leafHash of leafBytes; a test holds it).
 */
export function leafHashOf(type: string, id: Uint8Array, commitment: Uint8Array): Buffer {
  const bytes = leafBytes({ type, id, commitment });
  const buffer = scratchOf(1 + bytes.length);
  buffer[0] = 0x00;
  buffer.set(bytes, 1);
  return hash('sha256', buffer.subarray(0, 1 + bytes.length), 'buffer');
}

/** Leaves for `items`: the ids and salts of all of them come from one call of the system's CSPRNG. */
export function prepareLeaves(items: readonly LedgerItem[]): PreparedLeaf[] {
  const per = LEAF_ID_BYTES + SALT_BYTES;
  const random = randomFillSync(Buffer.allocUnsafe(per * items.length));
  return items.map((item, i) => {
    const id = random.subarray(i * per, i * per + LEAF_ID_BYTES);
    const salt = random.subarray(i * per + LEAF_ID_BYTES, (i + 1) * per);
    const commitment = commitmentOf(item.record, salt);
    return {
      type: item.type,
      key: item.key,
      id,
      salt,
      commitment,
      leafHash: leafHashOf(item.type, id, commitment),
    };
  });
}

/** Bytes of a frontier as `ledger_state.frontier` keeps it: its hashes, largest subtree first. */
export function frontierBlob(frontier: MerkleFrontier): Buffer {
  return Buffer.concat(frontier.hashes.map((h) => Buffer.from(h.buffer, h.byteOffset, h.byteLength)));
}

/** The frontier of a tree of `size` leaves from its stored bytes; throws when they do not fit. */
export function frontierFrom(size: number, blob: Uint8Array): MerkleFrontier {
  let expected = 0;
  for (let rest = size; rest > 0; rest &= rest - 1) expected += 1;
  if (blob.length !== expected * HASH_BYTES)
    throw new Error(
      `the ledger frontier holds ${blob.length} bytes; a tree of ${size} needs ${expected * HASH_BYTES}`,
    );
  const hashes: Uint8Array[] = [];
  for (let i = 0; i < expected; i += 1)
    hashes.push(Uint8Array.from(blob.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES)));
  return { size, hashes };
}

/** Stored key of a complete subtree above the leaves: level × 2^40 + index. */
export const NODE_LEVEL_FACTOR = 2 ** 40;
export const nodeKey = (level: number, index: number): number => level * NODE_LEVEL_FACTOR + index;

/** The frontier grown by `leaves`, and the new complete subtrees (level ≥ 1) to store. */
export function grow(
  frontier: MerkleFrontier,
  leaves: readonly PreparedLeaf[],
): { frontier: MerkleFrontier; nodes: readonly { key: number; hash: Uint8Array }[] } {
  const grown = appendLeaves(
    sha256,
    frontier,
    leaves.map((leaf) => leaf.leafHash),
  );
  return {
    frontier: grown.frontier,
    nodes: grown.nodes.map((node) => ({ key: nodeKey(node.level, node.index), hash: node.hash })),
  };
}
