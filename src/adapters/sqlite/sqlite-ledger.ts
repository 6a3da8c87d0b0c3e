/**
 * @module The ledger in SQLite: appending leaves inside the transactions that write the records
 * (`SqliteLedgerWriter`), and reading the log back — entries, proofs, checkpoints, the audit
 * (`SqliteLedgerStore`). The frontier lives in `ledger_state` and is read inside every appending
 * transaction, so a CLI and a server appending to one file never fork the tree.
 */
import type { WalSync } from './wal-sync.ts';
import Database from 'better-sqlite3';
import { TrucelineError, validationError } from '../../core/errors.ts';
import {
  assembleProof,
  consistencyPlan,
  emptyRoot,
  frontierRoot,
  inclusionPlan,
  nodesOf,
  type NodeId,
} from '../../core/ledger/merkle.ts';
import type {
  AuditOutcome,
  LedgerEntry,
  LedgerStore,
  OpenedEntry,
  StoredCheckpoint,
  TreeHead,
} from '../../core/ports/ledger-store.ts';
import {
  frontierBlob,
  frontierFrom,
  growBy,
  nodeKey,
  leafHashOf,
  LeafMaker,
  sha256,
  type LedgerItem,
  type PrecomputedItem,
} from '../common/ledger-leaves.ts';
import {
  LEDGERED_TABLES,
  canonicalRecord,
  describeRow,
  keyValues,
  ledgeredTable,
  rowKeyOf,
  type LedgeredTable,
  type RawRow,
  type RowKey,
} from '../common/ledger-records.ts';
import { auditLedger, type AuditSource } from '../common/ledger-audit.ts';
import { checkedSizes } from '../common/ledger-sizes.ts';

interface StateRow {
  size: number;
  frontier: Buffer;
  pending_backfill: number;
}

interface EntryRow {
  idx: number;
  type: string;
  id: Buffer;
  commitment: Buffer;
  salt: Buffer;
  row_key: number | string;
}

/** Rows of a table read and ledgered at a time by the backfill. */
const BACKFILL_PAGE = 10_000;

/** A row key as SQLite should store it: integers as INTEGER (a JS number would bind as REAL). */
const sqlKey = (key: RowKey): bigint | string => (typeof key === 'number' ? BigInt(key) : key);

const ROWS_SQL = (spec: LedgeredTable): string =>
  `SELECT * FROM ${spec.table} WHERE ${spec.key.map((k) => `${k.name} = ?`).join(' AND ')}`;

/** Appends to the ledger inside the caller's open transaction; never opens one itself. */
export class SqliteLedgerWriter {
  readonly #db: Database.Database;
  readonly #readState;
  readonly #writeState;
  readonly #insertEntry;
  readonly #insertNode;
  readonly #latest;
  readonly #insertHistory;
  readonly #rowStatements = new Map<string, Database.Statement<unknown[], RawRow>>();

  constructor(db: Database.Database) {
    this.#db = db;
    this.#readState = db.prepare<[], StateRow>(
      'SELECT size, frontier, pending_backfill FROM ledger_state WHERE id = 1',
    );
    this.#writeState = db.prepare<[number, Buffer]>(
      'UPDATE ledger_state SET size = ?, frontier = ? WHERE id = 1',
    );
    this.#insertEntry = db.prepare<[number, string, Buffer, Buffer, Buffer, bigint | string]>(
      'INSERT INTO ledger_entries (idx, type, id, commitment, salt, row_key) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#insertNode = db.prepare<[number, Uint8Array]>(
      'INSERT INTO ledger_nodes (node, hash) VALUES (?, ?)',
    );
    this.#latest = db.prepare<[string, RowKey], { idx: number }>(
      'SELECT idx FROM ledger_entries WHERE type = ? AND row_key = ? ORDER BY idx DESC LIMIT 1',
    );
    this.#insertHistory = db.prepare<[number, string]>(
      'INSERT INTO ledger_history (idx, record) VALUES (?, ?)',
    );
  }

  /** How many entries the ledger holds (as this connection sees it: committed, or this transaction's). */
  size(): number {
    return this.#readState.get()?.size ?? 0;
  }

  /** Ledgers `items` in order. Call inside the transaction that wrote their rows. */
  append(items: readonly (LedgerItem | PrecomputedItem)[]): void {
    if (items.length === 0) return;
    const appender = this.appender();
    for (const item of items) appender.add(item);
    appender.finish();
  }

  /**
   * Appends one item at a time inside the caller's transaction, for a caller that writes many rows:
   * each `add` inserts its entry at once, so nothing of it is held but its leaf hash, and `finish`
   * stores the complete subtrees the new leaves make and the new frontier. Nothing else may append to
   * the ledger between the first `add` and `finish`.
   */
  appender(): { add(item: LedgerItem | PrecomputedItem): void; finish(): void } {
    const state = this.#readState.get();
    if (state === undefined) throw new Error('the ledger_state row is missing');
    const leafHashes: Uint8Array[] = [];
    const leaves = new LeafMaker();
    return {
      add: (item) => {
        const leaf = leaves.leafOf(item);
        // A JS number binds as REAL: integer keys go in as integers (8 bytes less, and index order).
        this.#insertEntry.run(
          state.size + leafHashes.length,
          leaf.type,
          leaf.id,
          leaf.commitment,
          leaf.salt,
          sqlKey(leaf.key),
        );
        leafHashes.push(leaf.leafHash);
      },
      finish: () => {
        if (leafHashes.length === 0) return;
        const grown = growBy(frontierFrom(state.size, state.frontier), leafHashes);
        for (const node of grown.nodes) this.#insertNode.run(node.key, node.hash);
        this.#writeState.run(grown.frontier.size, frontierBlob(grown.frontier));
      },
    };
  }

  /** The row of `type` under `key` as stored, or `undefined`. */
  readRow(type: string, key: RowKey): RawRow | undefined {
    const spec = ledgeredTable(type);
    let statement = this.#rowStatements.get(type);
    if (statement === undefined) {
      statement = this.#db.prepare<unknown[], RawRow>(ROWS_SQL(spec));
      this.#rowStatements.set(type, statement);
    }
    return statement.get(...keyValues(spec, key));
  }

  /** Ledgers rows just written, reading each back so the record is exactly what is stored. */
  recordRows(type: string, keys: readonly RowKey[]): void {
    this.append(this.itemsOf(type, keys));
  }

  /** The ledger items of rows just written, read back; for a caller that appends several tables at once. */
  itemsOf(type: string, keys: readonly RowKey[]): LedgerItem[] {
    const spec = ledgeredTable(type);
    return keys.map((key) => {
      const row = this.readRow(type, key);
      if (row === undefined) throw new Error(`${describeRow(spec, key)} was not written`);
      return { type, key, record: canonicalRecord(spec, row) };
    });
  }

  /**
   * Runs `change` on the row of `type` under `key` and ledgers the row as it is afterwards; the record
   * its last leaf committed to is kept in the history, so that leaf can still be opened.
   * Returns what `change` returned.
   */
  changeRow<T>(type: string, key: RowKey, change: () => T): T {
    const spec = ledgeredTable(type);
    const before = this.readRow(type, key);
    const result = change();
    const after = this.readRow(type, key);
    if (after === undefined) throw new Error(`${describeRow(spec, key)} vanished in its change`);
    const record = canonicalRecord(spec, after);
    if (before !== undefined) {
      const previous = canonicalRecord(spec, before);
      if (previous === record) return result;
      const latest = this.#latest.get(type, key);
      if (latest !== undefined) this.#insertHistory.run(latest.idx, previous);
    }
    this.append([{ type, key, record }]);
    return result;
  }

  /** Whether rows written before the ledger existed still wait to be ledgered. */
  backfillPending(): boolean {
    return this.#readState.get()?.pending_backfill === 1;
  }

  /**
   * Ledgers every row written before the ledger existed (a store made by an earlier version), table by
   * table in key order, then clears the flag; one IMMEDIATE transaction. Rows are read a page at a
   * time after the last key read: no statement stays open while the ledger writes.
   */
  backfill(): number {
    return this.#db
      .transaction(() => {
        if (!this.backfillPending()) return 0;
        let count = 0;
        for (const spec of LEDGERED_TABLES) {
          const keys = spec.key.map((k) => k.name);
          const order = keys.join(', ');
          const first = this.#db.prepare<[], RawRow>(
            `SELECT * FROM ${spec.table} ORDER BY ${order} LIMIT ${BACKFILL_PAGE}`,
          );
          const next = this.#db.prepare<unknown[], RawRow>(
            `SELECT * FROM ${spec.table} WHERE (${order}) > (${keys.map(() => '?').join(', ')}) ORDER BY ${order} LIMIT ${BACKFILL_PAGE}`,
          );
          for (let rows = first.all(); rows.length > 0;) {
            this.append(
              rows.map((row) => ({
                type: spec.type,
                key: rowKeyOf(spec, row),
                record: canonicalRecord(spec, row),
              })),
            );
            count += rows.length;
            const last = rows.at(-1);
            rows =
              rows.length < BACKFILL_PAGE || last === undefined
                ? []
                : next.all(...keys.map((name) => last[name]));
          }
        }
        this.#db.prepare('UPDATE ledger_state SET pending_backfill = 0 WHERE id = 1').run();
        return count;
      })
      .immediate();
  }
}

interface CheckpointRow {
  size: number;
  root: Buffer;
  note: string;
  signed_at: number;
}

const toEntry = (row: EntryRow): LedgerEntry => ({
  index: row.idx,
  type: row.type,
  id: new Uint8Array(row.id),
  commitment: new Uint8Array(row.commitment),
});

/** The read side of the ledger in SQLite. */
export class SqliteLedgerStore implements LedgerStore {
  readonly #db: Database.Database;
  readonly #writer: SqliteLedgerWriter;
  readonly #wal: WalSync | undefined;

  readonly #leafRow: Database.Statement<[number], EntryRow>;
  readonly #nodeRow: Database.Statement<[number], { hash: Buffer }>;

  /** @param wal the log ingest's and fusion's commits sync after they are made (decision 0019) */
  constructor(db: Database.Database, writer: SqliteLedgerWriter, wal?: WalSync) {
    this.#db = db;
    this.#writer = writer;
    this.#wal = wal;
    // Prepared once: a proof reads a few dozen rows, and preparing costs as much as reading them.
    this.#leafRow = db.prepare('SELECT type, id, commitment FROM ledger_entries WHERE idx = ?');
    this.#nodeRow = db.prepare('SELECT hash FROM ledger_nodes WHERE node = ?');
  }

  #state(): StateRow {
    const state = this.#db
      .prepare<[], StateRow>('SELECT size, frontier, pending_backfill FROM ledger_state WHERE id = 1')
      .get();
    if (state === undefined) throw new TrucelineError('E_STORE', 'the ledger_state row is missing');
    return state;
  }

  /**
   * How many entries may be served: those on disk. Ingest and fusion append entries in commits that are
   * visible before their sync ends; an entry or proof served from such a commit could be taken back by
   * a power cut and its index given to another record.
   */
  async #servedSize(): Promise<number> {
    const size = this.#state().size;
    return this.#wal === undefined ? size : this.#wal.durableLedgerSize(size);
  }

  async head(): Promise<TreeHead> {
    const state = this.#state();
    const frontier = frontierFrom(state.size, state.frontier);
    return { size: state.size, rootHash: frontierRoot(sha256, frontier) };
  }

  /** Hashes of the complete subtrees `nodes`, read in one pass over the two tables. */
  #lookup(nodes: readonly NodeId[]): (node: NodeId) => Uint8Array {
    const found = new Map<string, Uint8Array>();
    const leaves = this.#leafRow;
    const inner = this.#nodeRow;
    for (const node of nodes) {
      let value: Uint8Array | undefined;
      if (node.level === 0) {
        const row = leaves.get(node.index);
        value = row && leafHashOf(row.type, row.id, row.commitment);
      } else value = inner.get(nodeKey(node.level, node.index))?.hash;
      if (value === undefined)
        throw new TrucelineError(
          'E_STORE',
          `the ledger lacks the subtree at level ${node.level}, index ${node.index}`,
        );
      found.set(`${node.level}/${node.index}`, value);
    }
    return (node) => {
      const value = found.get(`${node.level}/${node.index}`);
      if (value === undefined) throw new Error(`subtree ${node.level}/${node.index} was not fetched`);
      return value;
    };
  }

  async rootAt(size: number): Promise<Uint8Array> {
    checkedSizes(['size'], [size], this.#state().size);
    if (size === 0) return emptyRoot(sha256);
    const plan = [{ start: 0, end: size }];
    const [root] = assembleProof(sha256, plan, this.#lookup(nodesOf(plan)));
    if (root === undefined) throw new Error('no root');
    return root;
  }

  async inclusionProof(index: number, size: number): Promise<readonly Uint8Array[]> {
    checkedSizes(['index', 'size'], [index, size], await this.#servedSize());
    if (index >= size)
      throw validationError('the proof request is invalid', [
        { path: 'index', reason: `must be less than size (${size})` },
      ]);
    const plan = inclusionPlan(index, size);
    return assembleProof(sha256, plan, this.#lookup(nodesOf(plan)));
  }

  async consistencyProof(size1: number, size2: number): Promise<readonly Uint8Array[]> {
    checkedSizes(['from', 'to'], [size1, size2], await this.#servedSize());
    const plan = consistencyPlan(size1, size2);
    return assembleProof(sha256, plan, this.#lookup(nodesOf(plan)));
  }

  #open(row: EntryRow): OpenedEntry {
    const spec = ledgeredTable(row.type);
    const history = this.#db
      .prepare<[number], { record: string }>('SELECT record FROM ledger_history WHERE idx = ?')
      .get(row.idx);
    let record = history?.record;
    if (record === undefined) {
      const stored = this.#writer.readRow(row.type, row.row_key);
      if (stored === undefined)
        throw new TrucelineError(
          'E_LEDGER_AUDIT',
          `entry ${row.idx}: ${describeRow(spec, row.row_key)} is missing`,
          {
            details: { index: row.idx, table: spec.table, key: row.row_key },
          },
        );
      record = canonicalRecord(spec, stored);
    }
    return {
      ...toEntry(row),
      record,
      salt: new Uint8Array(row.salt),
      table: spec.table,
      key: row.row_key,
      superseded: history !== undefined,
    };
  }

  async entries(fromIndex: number, limit: number): Promise<readonly OpenedEntry[]> {
    const rows = this.#db
      .prepare<[number, number], EntryRow>('SELECT * FROM ledger_entries WHERE idx >= ? ORDER BY idx LIMIT ?')
      .all(fromIndex, limit);
    return rows.map((row) => this.#open(row));
  }

  async entry(index: number): Promise<OpenedEntry | undefined> {
    if (!(index < (await this.#servedSize()))) return undefined;
    const row = this.#db.prepare<[number], EntryRow>('SELECT * FROM ledger_entries WHERE idx = ?').get(index);
    return row && this.#open(row);
  }

  async findEntry(type: string, key: number | string): Promise<LedgerEntry | undefined> {
    const row = this.#db
      .prepare<[string, RowKey], EntryRow>(
        'SELECT * FROM ledger_entries WHERE type = ? AND row_key = ? ORDER BY idx DESC LIMIT 1',
      )
      .get(type, key);
    return row && toEntry(row);
  }

  async saveCheckpoint(checkpoint: Omit<StoredCheckpoint, 'cosignatures'>): Promise<void> {
    const root = await this.rootAt(checkpoint.size);
    if (Buffer.compare(Buffer.from(root), Buffer.from(checkpoint.rootHash)) !== 0)
      throw new TrucelineError(
        'E_CONFLICT',
        `the checkpoint's root is not the tree's root at size ${checkpoint.size}`,
      );
    this.#db
      .prepare<[number, Uint8Array, string, number]>(
        `INSERT INTO ledger_checkpoints (size, root, note, signed_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (size) DO NOTHING`,
      )
      .run(checkpoint.size, checkpoint.rootHash, checkpoint.note, checkpoint.signedAtMs);
  }

  #checkpoint(row: CheckpointRow | undefined): StoredCheckpoint | undefined {
    if (row === undefined) return undefined;
    const cosignatures = this.#db
      .prepare<[number], { witness: string; line: string }>(
        'SELECT witness, line FROM ledger_cosignatures WHERE size = ? ORDER BY witness',
      )
      .all(row.size);
    return {
      size: row.size,
      rootHash: new Uint8Array(row.root),
      note: row.note,
      signedAtMs: row.signed_at,
      cosignatures,
    };
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return this.#checkpoint(
      this.#db
        .prepare<[], CheckpointRow>('SELECT * FROM ledger_checkpoints ORDER BY size DESC LIMIT 1')
        .get(),
    );
  }

  async listCheckpoints(): Promise<readonly StoredCheckpoint[]> {
    return this.#db
      .prepare<[], CheckpointRow>('SELECT * FROM ledger_checkpoints ORDER BY size')
      .all()
      .flatMap((row) => this.#checkpoint(row) ?? []);
  }

  async findCheckpoint(size: number): Promise<StoredCheckpoint | undefined> {
    return this.#checkpoint(
      this.#db.prepare<[number], CheckpointRow>('SELECT * FROM ledger_checkpoints WHERE size = ?').get(size),
    );
  }

  async addCosignature(size: number, witness: string, line: string, atMs: number): Promise<void> {
    if ((await this.findCheckpoint(size)) === undefined)
      throw new TrucelineError('E_NOT_FOUND', `there is no checkpoint of size ${size}`);
    this.#db
      .prepare<[number, string, string, number]>(
        `INSERT INTO ledger_cosignatures (size, witness, line, received_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (size, witness) DO UPDATE SET line = excluded.line, received_at = excluded.received_at`,
      )
      .run(size, witness, line, atMs);
  }

  /**
   * The audit reads one snapshot: a read-only connection of its own inside one read transaction, so
   * writers (this process's, or another's) can go on without the audit seeing half of a commit.
   */
  async audit(onProgress?: (checked: number, total: number) => void): Promise<AuditOutcome> {
    const db = new Database(this.#db.name, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 10000');
      db.prepare('BEGIN').run();
      // The first read fixes the snapshot.
      db.prepare('SELECT size FROM ledger_state WHERE id = 1').get();
      return await this.#auditOn(db, onProgress);
    } finally {
      if (db.inTransaction) db.prepare('COMMIT').run();
      db.close();
    }
  }

  async #auditOn(
    db: Database.Database,
    onProgress?: (checked: number, total: number) => void,
  ): Promise<AuditOutcome> {
    const reader = new SqliteLedgerWriter(db);
    const state = (): StateRow => {
      const row = db
        .prepare<[], StateRow>('SELECT size, frontier, pending_backfill FROM ledger_state WHERE id = 1')
        .get();
      if (row === undefined) throw new TrucelineError('E_STORE', 'the ledger_state row is missing');
      return row;
    };
    const source: AuditSource = {
      size: async () => state().size,
      entryPage: async (fromIndex, limit) =>
        db
          .prepare<[number, number], EntryRow>(
            'SELECT * FROM ledger_entries WHERE idx >= ? ORDER BY idx LIMIT ?',
          )
          .all(fromIndex, limit),
      history: async (indexes) => {
        const found = new Map<number, string>();
        const statement = db.prepare<[number], { record: string }>(
          'SELECT record FROM ledger_history WHERE idx = ?',
        );
        for (const index of indexes) {
          const row = statement.get(index);
          if (row !== undefined) found.set(index, row.record);
        }
        return found;
      },
      rows: async (spec, keys) => {
        const found = new Map<string, RawRow>();
        for (const key of keys) {
          const row = reader.readRow(spec.type, key);
          if (row !== undefined) found.set(String(key), row);
        }
        return found;
      },
      // Every table has a rowid: pages follow it, whatever the table's key.
      rowPage: async (spec, after, limit) => {
        const rows = db
          .prepare<[number, number], RawRow & { _rowid: number }>(
            `SELECT rowid AS _rowid, * FROM ${spec.table} WHERE rowid > ? ORDER BY rowid LIMIT ?`,
          )
          .all(typeof after === 'number' ? after : -1, limit);
        return { rows, next: rows[rows.length - 1]?._rowid };
      },
      count: async (spec) =>
        db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${spec.table}`).get()?.n ?? 0,
      nodes: async (keys) => {
        const found = new Map<number, Uint8Array>();
        const statement = db.prepare<[number], { hash: Buffer }>(
          'SELECT hash FROM ledger_nodes WHERE node = ?',
        );
        for (const key of keys) {
          const row = statement.get(key);
          if (row !== undefined) found.set(key, row.hash);
        }
        return found;
      },
      entryCount: async () =>
        db.prepare<[], { n: number }>('SELECT count(*) AS n FROM ledger_entries').get()?.n ?? 0,
      nodeCount: async () =>
        db.prepare<[], { n: number }>('SELECT count(*) AS n FROM ledger_nodes').get()?.n ?? 0,
      frontier: async () => {
        const head = state();
        return frontierFrom(head.size, head.frontier);
      },
      checkpoint: async () => {
        const row = db
          .prepare<[], CheckpointRow>('SELECT * FROM ledger_checkpoints ORDER BY size DESC LIMIT 1')
          .get();
        return row && { size: row.size, rootHash: new Uint8Array(row.root) };
      },
    };
    return auditLedger(source, onProgress);
  }
}
