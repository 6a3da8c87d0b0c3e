/**
 * @module Port: the record, kept with the ledger's key and never in the database, of the largest tree
 * the key signed — what a checkpoint may only extend.
 */

/** A tree's size and root hash. */
export interface SignedTree {
  readonly size: number;
  readonly rootHash: Uint8Array;
}

/** The record, kept beside the log's key, of the largest tree it signed. */
export interface SignedTrees {
  /** The largest tree recorded, or undefined when none is. */
  last(): SignedTree | undefined;
  /** Records a tree just signed (kept when larger than the one recorded). */
  record(tree: SignedTree): void;
  /** Where the record is kept (a file), for messages. */
  readonly location: string;
}
