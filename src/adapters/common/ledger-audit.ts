/**
 * @module The ledger audit both SQL stores run: every leaf against its row (or the superseded record
 * the history keeps), every ledgered row against a leaf, the stored subtree hashes and frontier against
 * the tree rebuilt from the leaves, and that tree against the latest checkpoint. It reads in pages, so
 * its memory does not grow with the log, and stops at the first problem, naming the row or entry.
 */
import { spatialGrid } from './spatial-grid.ts';
import type { AuditOutcome } from '../../core/ports/ledger-store.ts';
import { appendLeaves, frontierRoot, type MerkleFrontier } from '../../core/ledger/merkle.ts';
import { commitmentOf, leafHashOf, nodeKey, sha256 } from './ledger-leaves.ts';
import {
  LEDGERED_TABLES,
  canonicalRecord,
  describeRow,
  ledgeredTable,
  rowKeyOf,
  type LedgeredTable,
  type RawRow,
  type RowKey,
} from './ledger-records.ts';

/** A stored entry as the audit reads it. */
export interface AuditEntryRow {
  readonly idx: number;
  readonly type: string;
  readonly id: Uint8Array;
  readonly commitment: Uint8Array;
  readonly salt: Uint8Array;
  readonly row_key: RowKey;
}

/** What the audit reads, in pages and batches (so PostgreSQL pays few round trips). */
export interface AuditSource {
  size(): Promise<number>;
  /** Entries from `fromIndex` in index order, at most `limit`. */
  entryPage(fromIndex: number, limit: number): Promise<readonly AuditEntryRow[]>;
  /** The superseded records among `indexes`, by index. */
  history(indexes: readonly number[]): Promise<ReadonlyMap<number, string>>;
  /** The rows of `spec` under `keys`, by `String(key)`. */
  rows(spec: LedgeredTable, keys: readonly RowKey[]): Promise<ReadonlyMap<string, RawRow>>;
  /** A page of `spec`'s rows after the cursor (undefined: from the start); the cursor of the next page. */
  rowPage(
    spec: LedgeredTable,
    after: unknown,
    limit: number,
  ): Promise<{ rows: readonly RawRow[]; next: unknown }>;
  count(spec: LedgeredTable): Promise<number>;
  /** The stored hashes of the complete subtrees `keys` (see nodeKey), by key. */
  nodes(keys: readonly number[]): Promise<ReadonlyMap<number, Uint8Array>>;
  nodeCount(): Promise<number>;
  /** The rows of ledger_entries (more than the size: entries appended outside Truceline). */
  entryCount(): Promise<number>;
  frontier(): Promise<MerkleFrontier>;
  /** The latest checkpoint's size and root, or undefined. */
  checkpoint(): Promise<{ size: number; rootHash: Uint8Array } | undefined>;
}

const PAGE = 4096;

const same = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length &&
  Buffer.compare(
    Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  ) === 0;

/** The keys of rows that have a current (not superseded) leaf, per table: a bitmap for integer keys. */
class SeenKeys {
  #bits = new Uint8Array(1024);
  readonly #text = new Set<string>();
  count = 0;

  /** Marks `key`; false if it was marked before. */
  add(key: RowKey): boolean {
    if (typeof key === 'number' && Number.isSafeInteger(key) && key >= 0 && key < 2 ** 36) {
      const byte = Math.floor(key / 8);
      if (byte >= this.#bits.length) {
        const grown = new Uint8Array(Math.max(byte + 1, this.#bits.length * 2));
        grown.set(this.#bits);
        this.#bits = grown;
      }
      const bit = 1 << (key % 8);
      if (((this.#bits[byte] ?? 0) & bit) !== 0) return false;
      this.#bits[byte] = (this.#bits[byte] ?? 0) | bit;
    } else {
      const text = typeof key === 'number' ? `n${key}` : `s${key}`;
      if (this.#text.has(text)) return false;
      this.#text.add(text);
    }
    this.count += 1;
    return true;
  }

  has(key: RowKey): boolean {
    if (typeof key === 'number' && Number.isSafeInteger(key) && key >= 0 && key < 2 ** 36) {
      const byte = Math.floor(key / 8);
      return byte < this.#bits.length && ((this.#bits[byte] ?? 0) & (1 << (key % 8))) !== 0;
    }
    return this.#text.has(typeof key === 'number' ? `n${key}` : `s${key}`);
  }
}

type Problem = Extract<AuditOutcome, { ok: false }>;

/**
 * Whether an observation row's grid key (SQLite's index key, derived from its place and time, so in
 * no record) is the one its place and time give; true for a store without one (PostgreSQL derives
 * its point itself).
 */
function gridKeyHolds(row: RawRow): boolean {
  if (!('grid_key' in row)) return true;
  const { lat, lon, observed_at: observedAt, grid_key: gridKey } = row as Record<string, unknown>;
  const expected =
    typeof lat === 'number' && typeof lon === 'number'
      ? spatialGrid.keyOf(lat, lon, Number(observedAt))
      : null;
  return (gridKey === null ? null : Number(gridKey)) === expected;
}

const entryProblem = (index: number, problem: string, spec?: LedgeredTable, key?: RowKey): Problem => ({
  ok: false,
  problem,
  index,
  ...(spec === undefined ? {} : { table: spec.table }),
  ...(key === undefined ? {} : { key }),
});

/** Runs the audit over `source`. */
export async function auditLedger(
  source: AuditSource,
  onProgress?: (checked: number, total: number) => void,
): Promise<AuditOutcome> {
  const size = await source.size();
  const checkpoint = await source.checkpoint();
  if (checkpoint !== undefined && checkpoint.size > size)
    return {
      ok: false,
      problem: `the latest checkpoint has ${checkpoint.size} entries but the log holds ${size}: entries were deleted`,
      index: size,
    };
  const seen = new Map<string, SeenKeys>();
  /**
   * Rows whose latest entry so far is superseded, by row, with that entry's index: a change always
   * appends the row's new entry after the one it supersedes, so each must meet a later one. Without
   * this, a record copied into ledger_history let its row be deleted unseen.
   */
  const awaitingSuccessor = new Map<string, number>();
  let frontier: MerkleFrontier = { size: 0, hashes: [] };
  let expectedNodes = 0;
  let next = 0;
  let rows = 0;
  while (next < size) {
    // A page stops at the checkpoint's size, so the tree's root can be compared there.
    const stop = checkpoint !== undefined && next < checkpoint.size ? checkpoint.size : size;
    const page = await source.entryPage(next, Math.min(PAGE, stop - next));
    if (page.length === 0) return entryProblem(next, `entry ${next} is missing from ledger_entries`);
    const superseded = await source.history(page.map((entry) => entry.idx));
    // The rows the page's current entries commit to, fetched per table in one batch.
    const wanted = new Map<string, RowKey[]>();
    for (const entry of page) {
      if (superseded.has(entry.idx)) continue;
      let spec: LedgeredTable;
      try {
        spec = ledgeredTable(entry.type);
      } catch {
        return entryProblem(
          entry.idx,
          `entry ${entry.idx} has the unknown record type ${JSON.stringify(entry.type)}`,
        );
      }
      const keys = wanted.get(spec.type) ?? [];
      keys.push(entry.row_key);
      wanted.set(spec.type, keys);
    }
    const fetched = new Map<string, ReadonlyMap<string, RawRow>>();
    for (const [type, keys] of wanted) fetched.set(type, await source.rows(ledgeredTable(type), keys));
    const leafHashes: Uint8Array[] = [];
    for (const entry of page) {
      if (entry.idx !== next + leafHashes.length)
        return entryProblem(
          next + leafHashes.length,
          `entry ${next + leafHashes.length} is missing from ledger_entries`,
        );
      const spec = ledgeredTable(entry.type);
      const old = superseded.get(entry.idx);
      const rowId = `${spec.type}\u0000${typeof entry.row_key}\u0000${String(entry.row_key)}`;
      // A later entry of the row, superseded or current, is what an earlier superseded one awaits.
      awaitingSuccessor.delete(rowId);
      if (old !== undefined) {
        if (!spec.mutable)
          return entryProblem(
            entry.idx,
            `entry ${entry.idx}: ${spec.table} rows never change, but ledger_history holds a superseded record of ${describeRow(spec, entry.row_key)}`,
            spec,
            entry.row_key,
          );
        awaitingSuccessor.set(rowId, entry.idx);
        if (!same(commitmentOf(old, entry.salt), entry.commitment))
          return entryProblem(
            entry.idx,
            `entry ${entry.idx}: the superseded record of ${describeRow(spec, entry.row_key)} kept in ledger_history does not match its commitment`,
            spec,
            entry.row_key,
          );
      } else {
        const row = fetched.get(spec.type)?.get(String(entry.row_key));
        if (row === undefined)
          return entryProblem(
            entry.idx,
            `entry ${entry.idx}: ${describeRow(spec, entry.row_key)} is missing (deleted, or its key changed)`,
            spec,
            entry.row_key,
          );
        let record: string;
        try {
          record = canonicalRecord(spec, row);
        } catch (error) {
          return entryProblem(
            entry.idx,
            `${describeRow(spec, entry.row_key)}: ${error instanceof Error ? error.message : String(error)}`,
            spec,
            entry.row_key,
          );
        }
        if (!same(commitmentOf(record, entry.salt), entry.commitment))
          return entryProblem(
            entry.idx,
            `${describeRow(spec, entry.row_key)} differs from what entry ${entry.idx} committed to (the row was changed)`,
            spec,
            entry.row_key,
          );
        if (spec.type === 'observation' && !gridKeyHolds(row))
          return entryProblem(
            entry.idx,
            `${describeRow(spec, entry.row_key)}: its grid key is not that of its place and time (the row is hidden from queries by area and time)`,
            spec,
            entry.row_key,
          );
        let keys = seen.get(spec.type);
        if (keys === undefined) {
          keys = new SeenKeys();
          seen.set(spec.type, keys);
        }
        if (!keys.add(entry.row_key))
          return entryProblem(
            entry.idx,
            `entry ${entry.idx}: ${describeRow(spec, entry.row_key)} already has a current entry; an earlier one lost its superseded record`,
            spec,
            entry.row_key,
          );
        rows += 1;
      }
      leafHashes.push(leafHashOf(entry.type, entry.id, entry.commitment));
    }
    const grown = appendLeaves(sha256, frontier, leafHashes);
    frontier = grown.frontier;
    const stored = await source.nodes(grown.nodes.map((node) => nodeKey(node.level, node.index)));
    for (const node of grown.nodes) {
      const hash = stored.get(nodeKey(node.level, node.index));
      if (hash === undefined || !same(hash, node.hash))
        return {
          ok: false,
          problem: `ledger_nodes: the subtree hash at level ${node.level}, index ${node.index} ${hash === undefined ? 'is missing' : 'was changed'}`,
          index: node.index * 2 ** node.level,
        };
    }
    expectedNodes += grown.nodes.length;
    next += page.length;
    if (
      checkpoint !== undefined &&
      next === checkpoint.size &&
      !same(frontierRoot(sha256, frontier), checkpoint.rootHash)
    )
      return {
        ok: false,
        problem: `the tree of the first ${checkpoint.size} entries does not match the latest signed checkpoint: an entry before it was changed, added or removed`,
        index: checkpoint.size - 1,
      };
    onProgress?.(next, size);
  }
  for (const [rowId, index] of awaitingSuccessor) {
    const [type = '', , key = ''] = rowId.split('\u0000');
    const spec = ledgeredTable(type);
    return entryProblem(
      index,
      `entry ${index}: ledger_history holds the record of ${describeRow(spec, key)} as superseded, but no later entry supersedes it (the row was deleted, its history forged)`,
      spec,
      key,
    );
  }
  const storedFrontier = await source.frontier();
  if (
    storedFrontier.size !== frontier.size ||
    storedFrontier.hashes.some((h, i) => !same(h, frontier.hashes[i] ?? new Uint8Array()))
  )
    return {
      ok: false,
      problem: 'ledger_state: the stored frontier does not match the tree rebuilt from the entries',
      index: size,
    };
  const entries = await source.entryCount();
  if (entries !== size)
    return {
      ok: false,
      problem: `ledger_entries holds ${entries} rows but the log's size is ${size}: entries were added or removed outside Truceline`,
      index: size,
    };
  if ((await source.nodeCount()) !== expectedNodes)
    return {
      ok: false,
      problem: 'ledger_nodes holds subtree hashes that no tree of this size has',
      index: size,
    };
  // Every ledgered row must be one an entry committed to.
  for (const spec of LEDGERED_TABLES) {
    const keys = seen.get(spec.type) ?? new SeenKeys();
    if ((await source.count(spec)) === keys.count) continue;
    let after: unknown = undefined;
    for (;;) {
      const page = await source.rowPage(spec, after, PAGE);
      for (const row of page.rows) {
        const key = rowKeyOf(spec, row);
        if (!keys.has(key))
          return {
            ok: false,
            problem: `${describeRow(spec, key)} has no ledger entry (a row inserted outside Truceline)`,
            table: spec.table,
            key,
          };
      }
      if (page.rows.length < PAGE) break;
      after = page.next;
    }
    return {
      ok: false,
      problem: `${spec.table}: the count of rows does not match the ledger's entries`,
      table: spec.table,
    };
  }
  return { ok: true, size, rows, checkpointSize: checkpoint?.size ?? null };
}
