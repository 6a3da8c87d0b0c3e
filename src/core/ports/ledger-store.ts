/** @module Port: the ledger — the Merkle log every store write appends to, its checkpoints and proofs. */

/** One leaf of the log, as published: nothing in it reveals the record. */
export interface LedgerEntry {
  /** Position in the log, from 0. */
  readonly index: number;
  /** The record type (`observation`, `ruling`, …). */
  readonly type: string;
  /** 128 random bits assigned when the record was ledgered. */
  readonly id: Uint8Array;
  /** SHA-256 of the canonical record followed by its salt. */
  readonly commitment: Uint8Array;
}

/** A leaf with what opens it: the canonical record that was committed and its salt. */
export interface OpenedEntry extends LedgerEntry {
  /** The exact canonical text committed (rebuilt from the row, or kept when a change superseded it). */
  readonly record: string;
  readonly salt: Uint8Array;
  /** The record's row: its table and key (`observations`, `42`). */
  readonly table: string;
  readonly key: number | string;
  /** True when a later change of the row superseded this record (its text comes from the history). */
  readonly superseded: boolean;
}

/** The tree as it stands. */
export interface TreeHead {
  readonly size: number;
  readonly rootHash: Uint8Array;
}

/** A signed checkpoint and the witnesses' co-signatures of it. */
export interface StoredCheckpoint {
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** The signed note: the checkpoint body, a blank line, the log's signature line. */
  readonly note: string;
  readonly signedAtMs: number;
  /** Co-signature lines (`— <witness> <base64>`), one per witness. */
  readonly cosignatures: readonly { readonly witness: string; readonly line: string }[];
}

/** What `audit` found: nothing, or the first problem, naming the row or entry. */
export type AuditOutcome =
  | {
      readonly ok: true;
      readonly size: number;
      readonly rows: number;
      readonly checkpointSize: number | null;
    }
  | {
      readonly ok: false;
      /** Says what is wrong, naming the table and key of the row, or the entry's index. */
      readonly problem: string;
      readonly table?: string;
      readonly key?: number | string;
      readonly index?: number;
    };

export interface LedgerStore {
  /** The current size and root hash (the root of the empty tree when nothing is ledgered). */
  head(): Promise<TreeHead>;
  /** The root hash of the tree when it had `size` leaves (`size` ≤ the current size). */
  rootAt(size: number): Promise<Uint8Array>;
  /** The entries from `fromIndex`, at most `limit`, in order, with their records and salts. */
  entries(fromIndex: number, limit: number): Promise<readonly OpenedEntry[]>;
  /** The entry at `index`, with its record and salt; `undefined` past the end (of what is on disk). */
  entry(index: number): Promise<OpenedEntry | undefined>;
  /** The latest entry of a record (by type and row key), or `undefined`. */
  findEntry(type: string, key: number | string): Promise<LedgerEntry | undefined>;
  /**
   * RFC 9162 audit path of leaf `index` in the tree of `size` leaves. `E_VALIDATION` out of range. The
   * range, and `entry`'s, is what is on disk: a store whose commits are visible before they are synced
   * serves no entry past them (decision 0019).
   */
  inclusionProof(index: number, size: number): Promise<readonly Uint8Array[]>;
  /** RFC 9162 consistency proof from `size1` to `size2` leaves. `E_VALIDATION` out of range. */
  consistencyProof(size1: number, size2: number): Promise<readonly Uint8Array[]>;
  /** Stores a signed checkpoint of the tree at `size` (which must match the stored tree's root). */
  saveCheckpoint(checkpoint: Omit<StoredCheckpoint, 'cosignatures'>): Promise<void>;
  /** The checkpoint with the largest size, with its co-signatures; `undefined` before the first. */
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  /** Every checkpoint, by size, with co-signatures (signed at intervals: hundreds, not millions). */
  listCheckpoints(): Promise<readonly StoredCheckpoint[]>;
  /** The checkpoint of `size`, or `undefined`. */
  findCheckpoint(size: number): Promise<StoredCheckpoint | undefined>;
  /** Adds (or replaces) a witness's co-signature of the checkpoint of `size`; `E_NOT_FOUND` without one. */
  addCosignature(size: number, witness: string, line: string, atMs: number): Promise<void>;
  /**
   * Rebuilds every ledgered row's canonical record and checks it against its leaf's commitment, every
   * leaf against its row (or its superseded record), the stored subtree hashes, and the tree against
   * the latest checkpoint's root. Stops at the first problem.
   */
  audit(onProgress?: (checked: number, total: number) => void): Promise<AuditOutcome>;
}
