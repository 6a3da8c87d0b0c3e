/**
 * @module Inclusion and consistency proofs through the SQLite store on a large log, warm: random
 * (index, size) and (size1, size2) pairs up to the log's size, each proof read from the store and
 * verified (RFC 9162). The roots and leaf hashes a client already holds (from checkpoints and the
 * entries it checks) are fetched before each clock starts; the clock covers the proof and its check.
 */
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/adapters/sqlite/open-sqlite-store.ts';
import { leafHashOf, sha256 } from '../../src/adapters/common/ledger-leaves.ts';
import { verifyConsistency, verifyInclusion } from '../../src/core/ledger/merkle.ts';
import { Prng } from '../lib/prng.ts';
import type { TaskControl } from './task.ts';

export interface LedgerProofsArgs {
  readonly dbPath: string;
  readonly pairs: number;
  readonly warm: number;
  readonly seed: number;
}

export interface LedgerProofsResult {
  readonly size: number;
  readonly inclusionMs: number[];
  readonly consistencyMs: number[];
}

export async function run(args: unknown, _control: TaskControl): Promise<LedgerProofsResult> {
  const input = args as LedgerProofsArgs;
  const store = await openSqliteStore({ path: input.dbPath, mmapBytes: 1024 * 1024 * 1024 });
  const raw = new Database(input.dbPath, { readonly: true });
  const entry = raw.prepare<[number], { type: string; id: Buffer; commitment: Buffer }>(
    'SELECT type, id, commitment FROM ledger_entries WHERE idx = ?',
  );
  try {
    const { size } = await store.ledger.head();
    const prng = new Prng(input.seed);
    const below = (n: number): number => Math.floor(prng.next() * n);
    const inclusionMs: number[] = [];
    const consistencyMs: number[] = [];
    for (let i = 0; i < input.warm + input.pairs; i += 1) {
      const measured = i >= input.warm;
      // Inclusion of a random leaf in a random tree that holds it.
      const treeSize = 1 + below(size);
      const index = below(treeSize);
      const row = entry.get(index);
      if (row === undefined) throw new Error(`no entry ${index}`);
      const leaf = leafHashOf(row.type, row.id, row.commitment);
      const root = await store.ledger.rootAt(treeSize);
      let started = performance.now();
      const path = await store.ledger.inclusionProof(index, treeSize);
      const included = verifyInclusion(sha256, { leafHash: leaf, index, size: treeSize, proof: path, root });
      if (measured) inclusionMs.push(performance.now() - started);
      if (!included) throw new Error(`the inclusion proof of ${index} in ${treeSize} does not verify`);
      // Consistency between two random sizes.
      const b = 1 + below(size);
      const a = 1 + below(b);
      const [rootA, rootB] = [await store.ledger.rootAt(a), await store.ledger.rootAt(b)];
      started = performance.now();
      const proof = await store.ledger.consistencyProof(a, b);
      const consistent = verifyConsistency(sha256, { size1: a, size2: b, root1: rootA, root2: rootB, proof });
      if (measured) consistencyMs.push(performance.now() - started);
      if (!consistent) throw new Error(`the consistency proof ${a} → ${b} does not verify`);
    }
    return { size, inclusionMs, consistencyMs };
  } finally {
    raw.close();
    await store.close();
  }
}
