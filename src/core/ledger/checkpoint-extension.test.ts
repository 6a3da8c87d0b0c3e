import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { isTrucelineError } from '../errors.ts';
import type { Checkpoint } from './checkpoint.ts';
import { checkExtension } from './checkpoint-extension.ts';
import type { Sha256 } from './hash.ts';
import {
  appendLeaves,
  consistencyProof,
  EMPTY_FRONTIER,
  frontierRoot,
  leafHash,
  type MerkleNode,
  type NodeId,
} from './merkle.ts';

const sha: Sha256 = (data) => new Uint8Array(createHash('sha256').update(data).digest());
const ORIGIN = 'truceline.example/ledger';

/** A log held in memory: its leaf hashes and node table, as an adapter would keep them. */
function log(leaves: readonly string[]) {
  const hashes = leaves.map((leaf) => leafHash(sha, new TextEncoder().encode(leaf)));
  const { nodes } = appendLeaves(sha, EMPTY_FRONTIER, hashes);
  const table = new Map<string, Uint8Array>(nodes.map((n: MerkleNode) => [`${n.level}:${n.index}`, n.hash]));
  hashes.forEach((hash, i) => table.set(`0:${i}`, hash));
  const lookup = (node: NodeId) => table.get(`${node.level}:${node.index}`);
  const checkpoint = (size: number, origin = ORIGIN): Checkpoint => ({
    origin,
    size,
    rootHash: frontierRoot(sha, appendLeaves(sha, EMPTY_FRONTIER, hashes.slice(0, size)).frontier),
    extensions: [],
  });
  return { checkpoint, proof: (size1: number, size2: number) => consistencyProof(sha, size1, size2, lookup) };
}

const LEAVES = Array.from({ length: 30 }, (_, i) => `record ${i}`);
const refused = (code: string) => (error: unknown) => isTrucelineError(error) && error.code === code;

describe('checkExtension', () => {
  it('accepts every later checkpoint of the same log, with its proof', () => {
    const { checkpoint, proof } = log(LEAVES);
    for (let size1 = 0; size1 <= 30; size1++)
      for (let size2 = size1; size2 <= 30; size2++)
        checkExtension(sha, {
          previous: checkpoint(size1),
          next: checkpoint(size2),
          proof: proof(size1, size2),
        });
  });

  it('refuses a tree that shrank', () => {
    const { checkpoint } = log(LEAVES);
    assert.throws(
      () => checkExtension(sha, { previous: checkpoint(10), next: checkpoint(9), proof: [] }),
      refused('E_INCONSISTENT_CHECKPOINT'),
    );
  });

  it('refuses a split view: another tree at the same size, or a later tree with a changed entry', () => {
    const honest = log(LEAVES);
    const forked = log(LEAVES.map((leaf, i) => (i === 6 ? 'record 6, rewritten' : leaf)));
    assert.throws(
      () => checkExtension(sha, { previous: honest.checkpoint(10), next: forked.checkpoint(10), proof: [] }),
      refused('E_INCONSISTENT_CHECKPOINT'),
    );
    for (const size2 of [11, 16, 30])
      assert.throws(
        () =>
          checkExtension(sha, {
            previous: honest.checkpoint(10),
            next: forked.checkpoint(size2),
            proof: forked.proof(10, size2),
          }),
        refused('E_INCONSISTENT_CHECKPOINT'),
        `to ${size2}`,
      );
    // The fork is after the co-signed tree: an extension, so it is accepted.
    checkExtension(sha, {
      previous: honest.checkpoint(5),
      next: forked.checkpoint(20),
      proof: forked.proof(5, 20),
    });
  });

  it('refuses a wrong proof and a checkpoint of another log', () => {
    const { checkpoint, proof } = log(LEAVES);
    assert.throws(
      () => checkExtension(sha, { previous: checkpoint(7), next: checkpoint(20), proof: proof(8, 20) }),
      refused('E_INCONSISTENT_CHECKPOINT'),
    );
    assert.throws(
      () =>
        checkExtension(sha, {
          previous: checkpoint(7),
          next: checkpoint(20, 'other.example/log'),
          proof: proof(7, 20),
        }),
      refused('E_VALIDATION'),
    );
  });
});
