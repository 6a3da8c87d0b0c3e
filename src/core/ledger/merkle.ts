/**
 * @module The RFC 9162 (section 2.1) Merkle tree of the ledger: leaf and node hashes, the audit
 * path and consistency proof as plans of leaf ranges, their assembly from stored complete
 * subtrees, the two verifiers, and the frontier (compact range) that appends leaves in O(1)
 * amortised hashes. Pure: the hash is injected and the node table is read through a lookup.
 */
import { TrucelineError } from '../errors.ts';
import { bytesEqual, concatBytes, type Sha256 } from './hash.ts';

/**
 * A complete, aligned subtree: at `level` L it covers the 2^L leaves
 * [index·2^L, (index+1)·2^L). Level 0 is a leaf hash. Complete subtrees never change once
 * complete, so they are what a node table stores and what proofs are built from.
 */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** A complete subtree with its hash, as an adapter stores it. */
export interface MerkleNode extends NodeId {
  readonly hash: Uint8Array;
}

/** The leaves [start, end) of the tree: one element of a proof is the MTH of such a range. */
export interface LeafRange {
  readonly start: number;
  readonly end: number;
}

/** Reads the hash of a complete subtree from wherever it is stored (a node table, a tile, memory). */
export type NodeLookup = (node: NodeId) => Uint8Array | undefined;

/**
 * The compact range [0, size): the hashes of the complete subtrees of the left decomposition of
 * the tree, largest (leftmost) first — one per set bit of `size`. It is all a log needs to keep
 * in memory to append leaves and compute the root.
 */
export interface MerkleFrontier {
  readonly size: number;
  readonly hashes: readonly Uint8Array[];
}

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

/** The frontier of the empty tree. */
export const EMPTY_FRONTIER: MerkleFrontier = Object.freeze({ size: 0, hashes: Object.freeze([]) });

/** RFC 9162 leaf hash SHA-256(0x00 ‖ leaf): the prefix stops a leaf from posing as a node. */
export function leafHash(sha: Sha256, leafBytes: Uint8Array): Uint8Array {
  return sha(concatBytes(LEAF_PREFIX, leafBytes));
}

/**
 * The input of a node hash of two 32-byte children, reused: allocating a small typed array costs
 * about as much as hashing it, and a log hashes one node per leaf. The injected hash reads its
 * input and returns a new digest; it never keeps the input, so reuse is safe.
 */
const NODE_INPUT = new Uint8Array(65);
NODE_INPUT[0] = 0x01;

/** RFC 9162 interior node hash SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(sha: Sha256, left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== 32 || right.length !== 32) return sha(concatBytes(NODE_PREFIX, left, right));
  NODE_INPUT.set(left, 1);
  NODE_INPUT.set(right, 33);
  return sha(NODE_INPUT);
}

/** The root of the empty tree, SHA-256 of the empty string (RFC 9162 section 2.1.1). */
export function emptyRoot(sha: Sha256): Uint8Array {
  return sha(new Uint8Array(0));
}

const invalid = (message: string, path: string, reason: string): TrucelineError =>
  new TrucelineError('E_VALIDATION', message, { issues: [{ path, reason }] });

function checkCount(value: number, path: string): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw invalid(`${path} must be a non-negative safe integer, not ${String(value)}`, path, 'not a count');
}

const isCount = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;

/** The largest power of two ≤ n (n ≥ 1). Arithmetic, not bit operations: sizes pass 2^32. */
function powerOfTwoAtMost(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

/** RFC 9162's k: the largest power of two smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  return powerOfTwoAtMost(n - 1);
}

const isPowerOfTwo = (n: number): boolean => n >= 1 && powerOfTwoAtMost(n) === n;

/**
 * The complete aligned subtrees whose concatenation is [start, end), left to right, as RFC 9162's
 * recursion splits it: the range must start on a multiple of the largest power of two ≤ its
 * length — a subtree of the tree, possibly cut at the right edge, which is what every proof
 * element is. Their hashes, folded by {@link hashRange}, give MTH(D[start:end]).
 *
 * @throws TrucelineError E_VALIDATION for an empty, reversed or unaligned range.
 */
export function rangeNodes(start: number, end: number): NodeId[] {
  checkCount(start, 'start');
  checkCount(end, 'end');
  if (end <= start) throw invalid(`Leaf range [${start}, ${end}) is empty`, 'end', 'not after start');
  const length = end - start;
  let size = powerOfTwoAtMost(length);
  if (start % size !== 0)
    throw invalid(
      `Leaf range [${start}, ${end}) is not a subtree: ${start} is not a multiple of ${size}`,
      'start',
      'not aligned',
    );
  let level = 0;
  for (let p = size; p > 1; p /= 2) level += 1;
  const nodes: NodeId[] = [];
  let position = start;
  for (; size >= 1; size /= 2, level -= 1)
    if (end - position >= size) {
      nodes.push({ level, index: position / size });
      position += size;
    }
  return nodes;
}

/**
 * MTH of a range from the hashes of its {@link rangeNodes}, folded from the right: the right edge
 * is combined first, as RFC 9162 builds a tree whose size is not a power of two.
 *
 * @throws TrucelineError E_VALIDATION if there are no hashes (an empty range has no subtree hash).
 */
export function hashRange(sha: Sha256, hashes: readonly Uint8Array[]): Uint8Array {
  let root: Uint8Array | undefined;
  for (let i = hashes.length - 1; i >= 0; i--) {
    const hash = hashes[i] as Uint8Array;
    root = root === undefined ? hash : nodeHash(sha, hash, root);
  }
  if (root === undefined) throw invalid('A range needs at least one node hash', 'hashes', 'empty');
  return root;
}

/**
 * The ranges whose MTH values form the audit path PATH(index, D[size]) of RFC 9162 section
 * 2.1.3.1, in the RFC's order (the leaf's sibling first, the root's child last).
 *
 * @throws TrucelineError E_VALIDATION unless 0 ≤ index < size.
 */
export function inclusionPlan(index: number, size: number): LeafRange[] {
  checkCount(index, 'index');
  checkCount(size, 'size');
  if (index >= size)
    throw invalid(`Leaf ${index} is not in a tree of ${size} leaves`, 'index', 'not below the tree size');
  const topDown: LeafRange[] = [];
  let offset = 0;
  let n = size;
  let m = index;
  while (n > 1) {
    const k = splitPoint(n);
    if (m < k) {
      topDown.push({ start: offset + k, end: offset + n });
      n = k;
    } else {
      topDown.push({ start: offset, end: offset + k });
      offset += k;
      m -= k;
      n -= k;
    }
  }
  return topDown.reverse();
}

/**
 * The ranges whose MTH values form the consistency proof PROOF(size1, D[size2]) of RFC 9162
 * section 2.1.4.1 (SUBPROOF), in the RFC's order. Empty when size1 is 0 or equals size2: there is
 * nothing to prove, and {@link verifyConsistency} then wants an empty proof.
 *
 * @throws TrucelineError E_VALIDATION unless 0 ≤ size1 ≤ size2.
 */
export function consistencyPlan(size1: number, size2: number): LeafRange[] {
  checkCount(size1, 'size1');
  checkCount(size2, 'size2');
  if (size1 > size2)
    throw invalid(`Tree size ${size1} is larger than ${size2}`, 'size1', 'larger than size2');
  if (size1 === 0 || size1 === size2) return [];
  const topDown: LeafRange[] = [];
  let offset = 0;
  let n = size2;
  let m = size1;
  let isOldRoot = true; // the RFC's b: whether D[0:m] so far is the whole old tree
  while (m !== n) {
    const k = splitPoint(n);
    if (m <= k) {
      topDown.push({ start: offset + k, end: offset + n });
      n = k;
    } else {
      topDown.push({ start: offset, end: offset + k });
      offset += k;
      m -= k;
      n -= k;
      isOldRoot = false;
    }
  }
  const innermost: LeafRange[] = isOldRoot ? [] : [{ start: offset, end: offset + n }];
  return [...innermost, ...topDown.reverse()];
}

const nodeKey = (node: NodeId): string => `${node.level}:${node.index}`;

/**
 * Every complete subtree a plan needs, each once, in order of first use: what an adapter fetches
 * in one query before calling {@link assembleProof}.
 */
export function nodesOf(plan: readonly LeafRange[]): NodeId[] {
  const seen = new Set<string>();
  const nodes: NodeId[] = [];
  for (const range of plan)
    for (const node of rangeNodes(range.start, range.end)) {
      const key = nodeKey(node);
      if (!seen.has(key)) {
        seen.add(key);
        nodes.push(node);
      }
    }
  return nodes;
}

/**
 * The proof hashes of a plan, from stored complete subtrees: each range's nodes are looked up and
 * folded with {@link hashRange}. Nothing is re-hashed but the right edges of partial subtrees.
 *
 * @throws TrucelineError E_LEDGER_AUDIT if the lookup lacks a node (the node table is incomplete).
 */
export function assembleProof(sha: Sha256, plan: readonly LeafRange[], lookup: NodeLookup): Uint8Array[] {
  return plan.map((range) =>
    hashRange(
      sha,
      rangeNodes(range.start, range.end).map((node) => {
        const hash = lookup(node);
        if (hash === undefined)
          throw new TrucelineError(
            'E_LEDGER_AUDIT',
            `The Merkle node at level ${node.level}, index ${node.index} is missing`,
            { details: { level: node.level, index: node.index } },
          );
        return hash;
      }),
    ),
  );
}

/** The audit path of leaf `index` in the tree of `size` leaves, from a synchronous node lookup. */
export function inclusionProof(sha: Sha256, index: number, size: number, lookup: NodeLookup): Uint8Array[] {
  return assembleProof(sha, inclusionPlan(index, size), lookup);
}

/** The consistency proof from tree size `size1` to `size2`, from a synchronous node lookup. */
export function consistencyProof(
  sha: Sha256,
  size1: number,
  size2: number,
  lookup: NodeLookup,
): Uint8Array[] {
  return assembleProof(sha, consistencyPlan(size1, size2), lookup);
}

/** What {@link verifyInclusion} checks: that `leafHash` is leaf `index` of the tree with `root`. */
export interface InclusionClaim {
  readonly leafHash: Uint8Array;
  readonly index: number;
  readonly size: number;
  readonly proof: readonly Uint8Array[];
  readonly root: Uint8Array;
}

const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/**
 * Verifies an audit path exactly as RFC 9162 section 2.1.3.2 says. False for any malformed input
 * (an index outside the tree, a proof too long or too short) as well as for a wrong root.
 */
export function verifyInclusion(sha: Sha256, claim: InclusionClaim): boolean {
  const { index, size, proof, root } = claim;
  if (!isCount(index) || !isCount(size) || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = claim.leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(sha, p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(sha, r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && bytesEqual(r, root);
}

/** What {@link verifyConsistency} checks: that the tree (size2, root2) extends (size1, root1). */
export interface ConsistencyClaim {
  readonly size1: number;
  readonly size2: number;
  readonly root1: Uint8Array;
  readonly root2: Uint8Array;
  readonly proof: readonly Uint8Array[];
}

/**
 * Verifies a consistency proof exactly as RFC 9162 section 2.1.4.2 says, plus the two cases the
 * RFC's PROOF(m, D[n]) (0 < m < n) leaves out: equal sizes need an empty proof and equal roots;
 * an empty old tree needs an empty proof and the empty-tree root as `root1`. False, never an
 * error, for anything that does not verify.
 */
export function verifyConsistency(sha: Sha256, claim: ConsistencyClaim): boolean {
  const { size1, size2, root1, root2, proof } = claim;
  if (!isCount(size1) || !isCount(size2) || size1 > size2) return false;
  if (size1 === size2) return proof.length === 0 && bytesEqual(root1, root2);
  if (size1 === 0) return proof.length === 0 && bytesEqual(root1, emptyRoot(sha));
  // 1. An empty consistency path fails.
  if (proof.length === 0) return false;
  // 2. If size1 is an exact power of 2, root1 is the first node of the path.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  // 3.–4.
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // 5.
  const [first, ...rest] = path;
  if (first === undefined) return false;
  let fr = first;
  let sr = first;
  // 6.
  for (const c of rest) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(sha, c, fr);
      sr = nodeHash(sha, c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sha, sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // 7.
  return sn === 0 && bytesEqual(fr, root1) && bytesEqual(sr, root2);
}

/**
 * The complete subtrees that make up the frontier of a tree of `size` leaves, largest first — so
 * an adapter can rebuild a {@link MerkleFrontier} from its node table (level-0 members are leaf
 * hashes).
 */
export function frontierNodes(size: number): NodeId[] {
  checkCount(size, 'size');
  return size === 0 ? [] : rangeNodes(0, size);
}

/**
 * A frontier from stored hashes, checked against its size: one hash per set bit of `size`, in
 * the order of {@link frontierNodes}.
 *
 * @throws TrucelineError E_VALIDATION if the count of hashes does not fit the size.
 */
export function makeFrontier(size: number, hashes: readonly Uint8Array[]): MerkleFrontier {
  const frontier = { size, hashes: Object.freeze([...hashes]) };
  checkFrontier(frontier);
  return Object.freeze(frontier);
}

function checkFrontier({ size, hashes }: MerkleFrontier): void {
  const expected = frontierNodes(size).length;
  if (hashes.length !== expected)
    throw invalid(
      `A frontier of ${size} leaves has ${expected} hashes, not ${hashes.length}`,
      'hashes',
      `not ${expected} hashes`,
    );
}

/** The frontier after an append, and every subtree of level ≥ 1 that the append completed. */
export interface AppendResult {
  readonly frontier: MerkleFrontier;
  readonly nodes: readonly MerkleNode[];
}

/**
 * Appends leaf hashes to a frontier. Each leaf costs exactly the node hashes it completes (n − 1
 * for n leaves from empty) and a push and pop on one working stack; `nodes` lists the completed
 * subtrees in the order they were made, so an adapter can store them in the same transaction.
 * The input frontier is not changed.
 *
 * @throws TrucelineError E_VALIDATION if the frontier's hashes do not fit its size.
 */
export function appendLeaves(
  sha: Sha256,
  frontier: MerkleFrontier,
  leafHashes: Iterable<Uint8Array>,
): AppendResult {
  checkFrontier(frontier);
  const stack = [...frontier.hashes];
  const nodes: MerkleNode[] = [];
  let size = frontier.size;
  for (const leaf of leafHashes) {
    let hash = leaf;
    let index = size;
    let level = 0;
    while (isOdd(index)) {
      // checkFrontier made the stack hold one hash per set bit of `size`: one per odd step here.
      hash = nodeHash(sha, stack.pop() as Uint8Array, hash);
      level += 1;
      index = (index - 1) / 2;
      nodes.push({ level, index, hash });
    }
    stack.push(hash);
    size += 1;
  }
  return { frontier: Object.freeze({ size, hashes: Object.freeze(stack) }), nodes };
}

/** The root hash of the tree a frontier stands for; the empty tree's root if it has no leaves. */
export function frontierRoot(sha: Sha256, frontier: MerkleFrontier): Uint8Array {
  return frontier.hashes.length === 0 ? emptyRoot(sha) : hashRange(sha, frontier.hashes);
}
