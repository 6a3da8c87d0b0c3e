/**
 * @module Making leaves for the stores: each record gets a random id and salt, its commitment
 * `SHA-256(record ‖ salt)` and its leaf hash; then the tree's frontier grows by them, giving the complete
 * subtree hashes to store. What both SQL stores do inside their write transactions, in one place.
 */
import { hash, randomFillSync } from 'node:crypto';
import {
  HASH_BYTES,
  LEAF_ID_BYTES,
  PRECOMPUTED_LEAF_BYTES,
  SALT_BYTES,
  leafBytes,
} from '../../core/ledger/leaf.ts';
import { appendLeaves, type MerkleFrontier } from '../../core/ledger/merkle.ts';
import type { RowKey } from './ledger-records.ts';

/**
 * SHA-256 of `data` written into `target` at `offset`. node:crypto is asked for the digest as 'binary'
 * (latin1) text, whose char codes are its bytes: making a short string costs a third of making a Buffer
 * (0.35 against 1.05 µs a hash, measured), and a log hashes three times per record.
 */
export function digestInto(data: Uint8Array, target: Uint8Array, offset: number): void {
  const digest = hash('sha256', data, 'binary');
  for (let i = 0; i < HASH_BYTES; i += 1) target[offset + i] = digest.charCodeAt(i);
}

/** SHA-256 of `data` as a new Buffer, made the cheap way (`digestInto`). */
export function digest(data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HASH_BYTES);
  digestInto(data, out, 0);
  return out;
}

/** SHA-256 of bytes, as the core's injected hash. */
export const sha256 = (data: Uint8Array): Uint8Array => digest(data);

/** One record to ledger: its type, the key of its row, and its canonical text. */
export interface LedgerItem {
  readonly type: string;
  readonly key: RowKey;
  readonly record: string;
}

/**
 * One record to ledger whose leaf was made ahead (`precomputeLeaves`): its type, the key of its row, and
 * the leaf's bytes — id ‖ salt ‖ commitment ‖ leaf hash. Whoever passes it vouches that the leaf was made
 * for the row exactly as written.
 */
export interface PrecomputedItem {
  readonly type: string;
  readonly key: RowKey;
  readonly precomputed: Uint8Array;
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
  const out = Buffer.allocUnsafe(HASH_BYTES);
  commitInto(record, salt, out, 0);
  return out;
}

function commitInto(record: string, salt: Uint8Array, target: Uint8Array, offset: number): void {
  // Room for the worst case (3 UTF-8 bytes per UTF-16 unit) saves a pass to count the bytes.
  const buffer = scratchOf(3 * record.length + salt.length);
  const written = buffer.write(record, 0, 'utf8');
  buffer.set(salt, written);
  digestInto(buffer.subarray(0, written + salt.length), target, offset);
}

/** Each record type's leaf-hash input up to its id: 0x00 (RFC 9162's leaf prefix), then `leafBytes`' head. */
const leafHeads = new Map<string, Uint8Array>();

function leafHeadOf(type: string): Uint8Array {
  let head = leafHeads.get(type);
  if (head === undefined) {
    // leafBytes checks the type; a leaf of zeros gives its head.
    const bytes = leafBytes({
      type,
      id: new Uint8Array(LEAF_ID_BYTES),
      commitment: new Uint8Array(HASH_BYTES),
    });
    head = Uint8Array.of(0x00, ...bytes.subarray(0, bytes.length - LEAF_ID_BYTES - HASH_BYTES));
    leafHeads.set(type, head);
  }
  return head;
}

/**
 * The RFC 9162 leaf hash of a leaf, `SHA-256(0x00 ‖ leafBytes(leaf))`, written into the scratch
 * space instead of new arrays (the same bytes as core's leafHash of leafBytes; a test holds it).
 */
export function leafHashOf(type: string, id: Uint8Array, commitment: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HASH_BYTES);
  leafHashInto(type, id, commitment, out, 0);
  return out;
}

function leafHashInto(
  type: string,
  id: Uint8Array,
  commitment: Uint8Array,
  target: Uint8Array,
  offset: number,
): void {
  if (id.length !== LEAF_ID_BYTES) throw new Error(`a leaf id has ${LEAF_ID_BYTES} bytes, not ${id.length}`);
  if (commitment.length !== HASH_BYTES)
    throw new Error(`a commitment has ${HASH_BYTES} bytes, not ${commitment.length}`);
  const head = leafHeadOf(type);
  const buffer = scratchOf(head.length + LEAF_ID_BYTES + HASH_BYTES);
  buffer.set(head, 0);
  buffer.set(id, head.length);
  buffer.set(commitment, head.length + LEAF_ID_BYTES);
  digestInto(buffer.subarray(0, head.length + LEAF_ID_BYTES + HASH_BYTES), target, offset);
}

/**
 * Leaves for `items`, made by one `LeafMaker`: ids and salts drawn from the CSPRNG many at a time; a
 * precomputed item's leaf is taken as it is.
 */
export function prepareLeaves(items: readonly (LedgerItem | PrecomputedItem)[]): PreparedLeaf[] {
  const maker = new LeafMaker();
  return items.map((item) => maker.leafOf(item));
}

/** Leaves made one at a time, their ids and salts drawn from the CSPRNG `LEAVES_PER_DRAW` at a time. */
export class LeafMaker {
  #random = Buffer.alloc(0);
  #used = 0;

  /** The leaf of `item`: made here, or taken as it is if it was precomputed. */
  leafOf(item: LedgerItem | PrecomputedItem): PreparedLeaf {
    if ('precomputed' in item) return precomputedLeaf(item);
    if (this.#used * (LEAF_ID_BYTES + SALT_BYTES) === this.#random.length) {
      this.#random = randomFillSync(Buffer.allocUnsafe((LEAF_ID_BYTES + SALT_BYTES) * LEAVES_PER_DRAW));
      this.#used = 0;
    }
    const leaf = prepareLeaf(item, this.#random, this.#used);
    this.#used += 1;
    return leaf;
  }
}

const LEAVES_PER_DRAW = 256;

/**
 * The leaf of `item`; unless precomputed, its id and salt are the `at`-th id ‖ salt of `random` (random
 * bytes, `LEAF_ID_BYTES + SALT_BYTES` per leaf).
 */
function prepareLeaf(item: LedgerItem | PrecomputedItem, random: Buffer, at: number): PreparedLeaf {
  if ('precomputed' in item) return precomputedLeaf(item);
  const per = LEAF_ID_BYTES + SALT_BYTES;
  const id = random.subarray(at * per, at * per + LEAF_ID_BYTES);
  const salt = random.subarray(at * per + LEAF_ID_BYTES, (at + 1) * per);
  const commitment = commitmentOf(item.record, salt);
  return {
    type: item.type,
    key: item.key,
    id,
    salt,
    commitment,
    leafHash: leafHashOf(item.type, id, commitment),
  };
}

/**
 * Completes a precomputed leaf for `record` of `type` in `bytes` (`PRECOMPUTED_LEAF_BYTES`, its id and
 * salt already random): writes the commitment, then the leaf hash, after them.
 */
export function completeLeaf(type: string, record: string, bytes: Uint8Array): void {
  if (bytes.length !== PRECOMPUTED_LEAF_BYTES)
    throw new Error(`a precomputed leaf has ${PRECOMPUTED_LEAF_BYTES} bytes, not ${bytes.length}`);
  const at = LEAF_ID_BYTES + SALT_BYTES;
  commitInto(record, bytes.subarray(LEAF_ID_BYTES, at), bytes, at);
  leafHashInto(
    type,
    bytes.subarray(0, LEAF_ID_BYTES),
    bytes.subarray(at, at + HASH_BYTES),
    bytes,
    at + HASH_BYTES,
  );
}

function precomputedLeaf(item: PrecomputedItem): PreparedLeaf {
  const bytes = item.precomputed;
  if (bytes.length !== PRECOMPUTED_LEAF_BYTES)
    throw new Error(`a precomputed leaf has ${PRECOMPUTED_LEAF_BYTES} bytes, not ${bytes.length}`);
  const view = (from: number, length: number) => Buffer.from(bytes.buffer, bytes.byteOffset + from, length);
  return {
    type: item.type,
    key: item.key,
    id: view(0, LEAF_ID_BYTES),
    salt: view(LEAF_ID_BYTES, SALT_BYTES),
    commitment: view(LEAF_ID_BYTES + SALT_BYTES, HASH_BYTES),
    leafHash: view(LEAF_ID_BYTES + SALT_BYTES + HASH_BYTES, HASH_BYTES),
  };
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
  return growBy(
    frontier,
    leaves.map((leaf) => leaf.leafHash),
  );
}

/** The frontier grown by leaves of these hashes, and the new complete subtrees (level ≥ 1) to store. */
export function growBy(
  frontier: MerkleFrontier,
  leafHashes: readonly Uint8Array[],
): { frontier: MerkleFrontier; nodes: readonly { key: number; hash: Uint8Array }[] } {
  const grown = appendLeaves(sha256, frontier, leafHashes);
  return {
    frontier: grown.frontier,
    nodes: grown.nodes.map((node) => ({ key: nodeKey(node.level, node.index), hash: node.hash })),
  };
}
