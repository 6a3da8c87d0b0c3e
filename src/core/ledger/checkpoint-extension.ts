/**
 * @module The witness's decision before it co-signs: does the new checkpoint extend the one it
 * co-signed last? A tree that shrank, changed at the same size, or cannot be proven an
 * append-only extension is a split view, and is refused.
 */
import { TrucelineError } from '../errors.ts';
import type { Checkpoint } from './checkpoint.ts';
import type { Sha256 } from './hash.ts';
import { verifyConsistency } from './merkle.ts';

/** The last checkpoint a witness co-signed, the one it is asked to co-sign, and the proof between. */
export interface CheckpointExtension {
  readonly previous: Checkpoint;
  readonly next: Checkpoint;
  /** The RFC 9162 consistency proof from previous.size to next.size (empty if the sizes are equal). */
  readonly proof: readonly Uint8Array[];
}

/**
 * Checks that `next` is an append-only extension of `previous` (the same log, the same leaves
 * and more), so a witness never co-signs two views of one log.
 *
 * @throws TrucelineError E_VALIDATION if the two checkpoints name different logs;
 *   E_INCONSISTENT_CHECKPOINT if the tree shrank, or the proof does not show `next` extends `previous`.
 */
export function checkExtension(sha: Sha256, { previous, next, proof }: CheckpointExtension): void {
  if (previous.origin !== next.origin)
    throw new TrucelineError(
      'E_VALIDATION',
      `The checkpoint is of log ${JSON.stringify(next.origin)}, not ${JSON.stringify(previous.origin)}`,
      { issues: [{ path: 'next.origin', reason: 'not the origin of the previous checkpoint' }] },
    );
  const details = { origin: next.origin, previousSize: previous.size, nextSize: next.size };
  if (next.size < previous.size)
    throw new TrucelineError(
      'E_INCONSISTENT_CHECKPOINT',
      `The checkpoint of ${JSON.stringify(next.origin)} has ${next.size} leaves, fewer than the ${previous.size} co-signed before`,
      { details },
    );
  const consistent = verifyConsistency(sha, {
    size1: previous.size,
    size2: next.size,
    root1: previous.rootHash,
    root2: next.rootHash,
    proof,
  });
  if (!consistent)
    throw new TrucelineError(
      'E_INCONSISTENT_CHECKPOINT',
      `The checkpoint of ${JSON.stringify(next.origin)} at ${next.size} leaves is not shown to extend the one co-signed at ${previous.size}`,
      { details },
    );
}
