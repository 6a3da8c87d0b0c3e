/**
 * @module The ledger in PostgreSQL: appending leaves inside the transactions that write the records
 * (`PostgresLedgerWriter`), and reading the log back — entries, proofs, checkpoints, the audit
 * (`PostgresLedgerStore`). The same semantics as SQLite's (src/adapters/sqlite/sqlite-ledger.ts), and the
 * same canonical records. An appending transaction locks the `ledger_state` row (`FOR UPDATE`), always
 * after any `store_state` lock it takes and after the rows it changes, so appends are serialized across
 * transactions and processes, the lock order is the same everywhere, and the tree never forks.
 * Lookups go by batches (`= ANY($1)`), so proofs and the audit pay few round trips.
 */
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type pg from 'pg';
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
import { checkedSizes } from '../common/ledger-sizes.ts';
import { auditLedger, type AuditEntryRow, type AuditSource } from '../common/ledger-audit.ts';
import {
  frontierBlob,
  frontierFrom,
  grow,
  nodeKey,
  leafHashOf,
  prepareLeaves,
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
import type { PostgresSchema } from './postgres-schema.ts';

/** What the ledger runs its statements on: a pg client or a Kysely transaction (or the pool, to read). */
export interface PgQueries {
  query<R>(text: string, values?: readonly unknown[]): Promise<R[]>;
}

/** Statements on a pg client (or pool): inside the client's open transaction, if it has one. */
export const onClient = (client: pg.ClientBase | pg.Pool): PgQueries => ({
  async query<R>(text: string, values: readonly unknown[] = []): Promise<R[]> {
    return (await client.query(text, [...values])).rows as R[];
  },
});

/** Statements on a Kysely transaction (or the Kysely instance itself, outside any transaction). */
export const onKysely = (db: Kysely<PostgresSchema> | Transaction<PostgresSchema>): PgQueries => ({
  async query<R>(text: string, values: readonly unknown[] = []): Promise<R[]> {
    return (await db.executeQuery(CompiledQuery.raw(text, [...values]))).rows as R[];
  },
});

interface StateRow {
  size: number;
  frontier: Buffer;
  pending_backfill: boolean;
}

interface EntryRow {
  idx: number;
  type: string;
  id: Buffer;
  commitment: Buffer;
  salt: Buffer;
  row_key: string;
}

interface CheckpointRow {
  size: number;
  root: Buffer;
  note: string;
  signed_at: number;
}

/** Leaves and keys per statement: arrays travel as one parameter each, so this only bounds a statement's size. */
const CHUNK = 10_000;

const STATE_SQL = 'SELECT size, frontier, pending_backfill FROM ledger_state WHERE id = 1';

/** A key as `ledger_entries.row_key` keeps it: an integer as its decimal text, text as it is. */
export const storedRowKey = (key: RowKey): string => String(key);

/** A stored `row_key` back as the ledger's key, by the key kind of the entry's table. */
export function rowKeyFromText(type: string, text: string): RowKey {
  let spec: LedgeredTable;
  try {
    spec = ledgeredTable(type);
  } catch {
    return text;
  }
  const [only] = spec.key;
  if (spec.key.length === 1 && only?.kind === 'int') {
    const value = Number(text);
    if (Number.isSafeInteger(value) && String(value) === text) return value;
  }
  return text;
}

const quoted = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const pgType = (kind: 'int' | 'text'): string => (kind === 'int' ? 'bigint' : 'text');

/** The columns the ledger reads of a table: its key, then every column of the record. */
const columnsOf = (spec: LedgeredTable): string[] => [
  ...spec.key.map((k) => k.name),
  ...spec.columns.map((c) => c.name),
];

/** The key columns' values of `keys`, column by column, leaving out keys that cannot be one of the table's. */
function keyArrays(spec: LedgeredTable, keys: readonly RowKey[]): (number | string)[][] {
  const arrays: (number | string)[][] = spec.key.map(() => []);
  for (const key of keys) {
    let values: readonly unknown[];
    try {
      values = keyValues(spec, key);
    } catch {
      continue;
    }
    const fits =
      Array.isArray(values) &&
      values.length === spec.key.length &&
      spec.key.every((column, i) =>
        column.kind === 'int' ? Number.isSafeInteger(values[i]) : typeof values[i] === 'string',
      );
    if (!fits) continue;
    spec.key.forEach((_, i) => arrays[i]?.push(values[i] as number | string));
  }
  return arrays;
}

/** `SELECT` of the rows of `spec` under the keys in the array parameters $1… (one per key column). */
function rowsSql(spec: LedgeredTable, forUpdate: boolean): string {
  const list = columnsOf(spec)
    .map((name) => `t.${quoted(name)}`)
    .join(', ');
  const lock = forUpdate ? ' FOR UPDATE OF t' : '';
  if (spec.key.length === 1) {
    const [only] = spec.key;
    if (only === undefined) throw new Error(`${spec.table} has no key`);
    return `SELECT ${list} FROM ${quoted(spec.table)} AS t WHERE t.${quoted(only.name)} = ANY($1::${pgType(only.kind)}[])${lock}`;
  }
  const names = spec.key.map((k) => quoted(k.name));
  const arrays = spec.key.map((k, i) => `$${i + 1}::${pgType(k.kind)}[]`).join(', ');
  const on = names.map((name) => `t.${name} = k.${name}`).join(' AND ');
  return `SELECT ${list} FROM ${quoted(spec.table)} AS t JOIN unnest(${arrays}) AS k(${names.join(', ')}) ON ${on}${lock}`;
}

/** The rows of `spec` under `keys`, by `String(key)`, in batches. */
async function readRows(
  db: PgQueries,
  spec: LedgeredTable,
  keys: readonly RowKey[],
  forUpdate = false,
): Promise<Map<string, RawRow>> {
  const found = new Map<string, RawRow>();
  const text = rowsSql(spec, forUpdate);
  for (let i = 0; i < keys.length; i += CHUNK) {
    const arrays = keyArrays(spec, keys.slice(i, i + CHUNK));
    if ((arrays[0]?.length ?? 0) === 0) continue;
    for (const row of await db.query<RawRow>(text, arrays)) found.set(String(rowKeyOf(spec, row)), row);
  }
  return found;
}

/** Appends to the ledger inside the caller's open transaction; never opens one itself (but `backfill`). */
export class PostgresLedgerWriter {
  /**
   * Ledgers `items` in order. Call inside the transaction that wrote their rows, after any store_state
   * lock it takes: this locks the ledger_state row until the transaction ends.
   */
  async append(db: PgQueries, items: readonly (LedgerItem | PrecomputedItem)[]): Promise<void> {
    if (items.length === 0) return;
    const [state] = await db.query<StateRow>(`${STATE_SQL} FOR UPDATE`);
    if (state === undefined) throw new Error('the ledger_state row is missing');
    const leaves = prepareLeaves(items);
    const grown = grow(frontierFrom(state.size, state.frontier), leaves);
    for (let i = 0; i < leaves.length; i += CHUNK) {
      const chunk = leaves.slice(i, i + CHUNK);
      await db.query(
        `INSERT INTO ledger_entries (idx, type, id, commitment, salt, row_key)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::bytea[], $4::bytea[], $5::bytea[], $6::text[])`,
        [
          chunk.map((_, j) => state.size + i + j),
          chunk.map((leaf) => leaf.type),
          chunk.map((leaf) => leaf.id),
          chunk.map((leaf) => leaf.commitment),
          chunk.map((leaf) => leaf.salt),
          chunk.map((leaf) => storedRowKey(leaf.key)),
        ],
      );
    }
    for (let i = 0; i < grown.nodes.length; i += CHUNK) {
      const chunk = grown.nodes.slice(i, i + CHUNK);
      await db.query(
        'INSERT INTO ledger_nodes (node, hash) SELECT * FROM unnest($1::bigint[], $2::bytea[])',
        [
          chunk.map((node) => node.key),
          chunk.map((node) => Buffer.from(node.hash.buffer, node.hash.byteOffset, node.hash.byteLength)),
        ],
      );
    }
    await db.query('UPDATE ledger_state SET size = $1, frontier = $2 WHERE id = 1', [
      grown.frontier.size,
      frontierBlob(grown.frontier),
    ]);
  }

  /** The rows of `type` under `keys` as stored, by `String(key)`. */
  readRows(db: PgQueries, type: string, keys: readonly RowKey[]): Promise<Map<string, RawRow>> {
    return readRows(db, ledgeredTable(type), keys);
  }

  /** The ledger items of rows just written, read back so each record is exactly what is stored. */
  async itemsOf(db: PgQueries, type: string, keys: readonly RowKey[]): Promise<LedgerItem[]> {
    if (keys.length === 0) return [];
    const spec = ledgeredTable(type);
    const rows = await readRows(db, spec, keys);
    return keys.map((key) => {
      const row = rows.get(String(key));
      if (row === undefined) throw new Error(`${describeRow(spec, key)} was not written`);
      return { type, key, record: canonicalRecord(spec, row) };
    });
  }

  /** Ledgers rows just written, reading each back. */
  async recordRows(db: PgQueries, type: string, keys: readonly RowKey[]): Promise<void> {
    await this.append(db, await this.itemsOf(db, type, keys));
  }

  /**
   * Runs `change` on the rows of `type` under `keys` (locked first, `FOR UPDATE`, so changes of one row
   * are serialized) and ledgers each row that it changed as it is afterwards; the record its last leaf
   * committed to is kept in the history, so that leaf can still be opened. A row that did not exist
   * before is ledgered as new. Returns what `change` returned.
   */
  async changeRows<T>(
    db: PgQueries,
    type: string,
    keys: readonly RowKey[],
    change: () => Promise<T>,
  ): Promise<T> {
    const spec = ledgeredTable(type);
    const before = await readRows(db, spec, keys, true);
    const result = await change();
    const after = await readRows(db, spec, keys);
    const items: LedgerItem[] = [];
    const superseded = new Map<string, string>();
    for (const key of keys) {
      const row = after.get(String(key));
      if (row === undefined) throw new Error(`${describeRow(spec, key)} vanished in its change`);
      const record = canonicalRecord(spec, row);
      const old = before.get(String(key));
      if (old !== undefined) {
        const previous = canonicalRecord(spec, old);
        if (previous === record) continue;
        superseded.set(storedRowKey(key), previous);
      }
      items.push({ type, key, record });
    }
    if (superseded.size > 0) {
      const latest = await db.query<{ row_key: string; idx: number }>(
        `SELECT DISTINCT ON (row_key) row_key, idx FROM ledger_entries
         WHERE type = $1 AND row_key = ANY($2::text[]) ORDER BY row_key, idx DESC`,
        [type, [...superseded.keys()]],
      );
      if (latest.length > 0)
        await db.query(
          'INSERT INTO ledger_history (idx, record) SELECT * FROM unnest($1::bigint[], $2::text[])',
          [latest.map((row) => row.idx), latest.map((row) => superseded.get(row.row_key) ?? '')],
        );
    }
    await this.append(db, items);
    return result;
  }

  /** `changeRows` of one row. */
  changeRow<T>(db: PgQueries, type: string, key: RowKey, change: () => Promise<T>): Promise<T> {
    return this.changeRows(db, type, [key], change);
  }

  /** Whether rows written before the ledger existed still wait to be ledgered. */
  async backfillPending(db: PgQueries): Promise<boolean> {
    const [state] = await db.query<StateRow>(STATE_SQL);
    return state?.pending_backfill === true;
  }

  /**
   * Ledgers every row written before the ledger existed (a store made by an earlier version), table by
   * table in key order, then clears the flag; one transaction, holding the ledger_state lock from the
   * start, so a second process opening the store at the same time waits and then finds nothing to do.
   */
  async backfill(pool: pg.Pool): Promise<number> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const db = onClient(client);
      const [state] = await db.query<StateRow>(`${STATE_SQL} FOR UPDATE`);
      if (state === undefined) throw new Error('the ledger_state row is missing');
      let count = 0;
      if (state.pending_backfill) {
        for (const spec of LEDGERED_TABLES) {
          const columns = columnsOf(spec)
            .map((name) => quoted(name))
            .join(', ');
          const keys = spec.key.map((k) => quoted(k.name));
          const order = keys.join(', ');
          let after: readonly unknown[] | undefined;
          for (;;) {
            const where =
              after === undefined
                ? ''
                : `WHERE (${order}) > (${spec.key.map((k, i) => `$${i + 1}::${pgType(k.kind)}`).join(', ')})`;
            const rows = await db.query<RawRow>(
              `SELECT ${columns} FROM ${quoted(spec.table)} ${where} ORDER BY ${order} LIMIT ${CHUNK}`,
              after ?? [],
            );
            await this.append(
              db,
              rows.map((row) => ({
                type: spec.type,
                key: rowKeyOf(spec, row),
                record: canonicalRecord(spec, row),
              })),
            );
            count += rows.length;
            const last = rows[rows.length - 1];
            if (rows.length < CHUNK || last === undefined) break;
            after = spec.key.map((k) => last[k.name]);
          }
        }
        await db.query('UPDATE ledger_state SET pending_backfill = FALSE WHERE id = 1');
      }
      await client.query('COMMIT');
      return count;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

const toEntry = (row: EntryRow): LedgerEntry => ({
  index: row.idx,
  type: row.type,
  id: new Uint8Array(row.id),
  commitment: new Uint8Array(row.commitment),
});

const ENTRY_COLUMNS = 'idx, type, id, commitment, salt, row_key';

/** The read side of the ledger in PostgreSQL. */
export class PostgresLedgerStore implements LedgerStore {
  readonly #pool: pg.Pool;
  readonly #db: PgQueries;

  /** @param pool the store's pool (reads take any connection; the audit takes one for its snapshot) */
  constructor(pool: pg.Pool) {
    this.#pool = pool;
    this.#db = onClient(pool);
  }

  async #state(db: PgQueries = this.#db): Promise<StateRow> {
    const [state] = await db.query<StateRow>(STATE_SQL);
    if (state === undefined) throw new TrucelineError('E_STORE', 'the ledger_state row is missing');
    return state;
  }

  async head(): Promise<TreeHead> {
    const state = await this.#state();
    return { size: state.size, rootHash: frontierRoot(sha256, frontierFrom(state.size, state.frontier)) };
  }

  /** Hashes of the complete subtrees `nodes`: leaves from their entries, the rest from ledger_nodes. */
  async #lookup(nodes: readonly NodeId[]): Promise<(node: NodeId) => Uint8Array> {
    const leaves = nodes.filter((node) => node.level === 0).map((node) => node.index);
    const inner = nodes.filter((node) => node.level > 0).map((node) => nodeKey(node.level, node.index));
    const [leafRows, innerRows] = await Promise.all([
      leaves.length === 0
        ? []
        : this.#db.query<EntryRow>(
            'SELECT idx, type, id, commitment FROM ledger_entries WHERE idx = ANY($1::bigint[])',
            [leaves],
          ),
      inner.length === 0
        ? []
        : this.#db.query<{ node: number; hash: Buffer }>(
            'SELECT node, hash FROM ledger_nodes WHERE node = ANY($1::bigint[])',
            [inner],
          ),
    ]);
    const found = new Map<string, Uint8Array>();
    for (const row of leafRows) found.set(`0/${row.idx}`, leafHashOf(row.type, row.id, row.commitment));
    const byKey = new Map(innerRows.map((row) => [row.node, row.hash]));
    for (const node of nodes) {
      if (node.level === 0) {
        if (!found.has(`0/${node.index}`))
          throw new TrucelineError('E_STORE', `the ledger lacks the subtree at level 0, index ${node.index}`);
        continue;
      }
      const hash = byKey.get(nodeKey(node.level, node.index));
      if (hash === undefined)
        throw new TrucelineError(
          'E_STORE',
          `the ledger lacks the subtree at level ${node.level}, index ${node.index}`,
        );
      found.set(`${node.level}/${node.index}`, hash);
    }
    return (node) => {
      const value = found.get(`${node.level}/${node.index}`);
      if (value === undefined) throw new Error(`subtree ${node.level}/${node.index} was not fetched`);
      return value;
    };
  }

  async rootAt(size: number): Promise<Uint8Array> {
    checkedSizes(['size'], [size], (await this.#state()).size);
    if (size === 0) return emptyRoot(sha256);
    const plan = [{ start: 0, end: size }];
    const [root] = assembleProof(sha256, plan, await this.#lookup(nodesOf(plan)));
    if (root === undefined) throw new Error('no root');
    return root;
  }

  async inclusionProof(index: number, size: number): Promise<readonly Uint8Array[]> {
    checkedSizes(['index', 'size'], [index, size], (await this.#state()).size);
    if (index >= size)
      throw validationError('the proof request is invalid', [
        { path: 'index', reason: `must be less than size (${size})` },
      ]);
    const plan = inclusionPlan(index, size);
    return assembleProof(sha256, plan, await this.#lookup(nodesOf(plan)));
  }

  async consistencyProof(size1: number, size2: number): Promise<readonly Uint8Array[]> {
    checkedSizes(['from', 'to'], [size1, size2], (await this.#state()).size);
    const plan = consistencyPlan(size1, size2);
    return assembleProof(sha256, plan, await this.#lookup(nodesOf(plan)));
  }

  /** The entries `rows` opened: superseded records from the history, the rest rebuilt from their rows. */
  async #open(rows: readonly EntryRow[]): Promise<OpenedEntry[]> {
    if (rows.length === 0) return [];
    const history = new Map(
      (
        await this.#db.query<{ idx: number; record: string }>(
          'SELECT idx, record FROM ledger_history WHERE idx = ANY($1::bigint[])',
          [rows.map((row) => row.idx)],
        )
      ).map((row) => [row.idx, row.record]),
    );
    const wanted = new Map<string, RowKey[]>();
    for (const row of rows) {
      if (history.has(row.idx)) continue;
      const keys = wanted.get(row.type) ?? [];
      keys.push(rowKeyFromText(row.type, row.row_key));
      wanted.set(row.type, keys);
    }
    const stored = new Map<string, Map<string, RawRow>>();
    for (const [type, keys] of wanted) stored.set(type, await readRows(this.#db, ledgeredTable(type), keys));
    return rows.map((row) => {
      const spec = ledgeredTable(row.type);
      const key = rowKeyFromText(row.type, row.row_key);
      let record = history.get(row.idx);
      const superseded = record !== undefined;
      if (record === undefined) {
        const found = stored.get(row.type)?.get(String(key));
        if (found === undefined)
          throw new TrucelineError(
            'E_LEDGER_AUDIT',
            `entry ${row.idx}: ${describeRow(spec, key)} is missing`,
            {
              details: { index: row.idx, table: spec.table, key },
            },
          );
        record = canonicalRecord(spec, found);
      }
      return {
        ...toEntry(row),
        record,
        salt: new Uint8Array(row.salt),
        table: spec.table,
        key,
        superseded,
      };
    });
  }

  async entries(fromIndex: number, limit: number): Promise<readonly OpenedEntry[]> {
    const rows = await this.#db.query<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM ledger_entries WHERE idx >= $1 ORDER BY idx LIMIT $2`,
      [fromIndex, limit],
    );
    return this.#open(rows);
  }

  async entry(index: number): Promise<OpenedEntry | undefined> {
    if (!Number.isSafeInteger(index)) return undefined;
    const rows = await this.#db.query<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM ledger_entries WHERE idx = $1`,
      [index],
    );
    return (await this.#open(rows))[0];
  }

  async findEntry(type: string, key: number | string): Promise<LedgerEntry | undefined> {
    const [row] = await this.#db.query<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM ledger_entries WHERE type = $1 AND row_key = $2
       ORDER BY idx DESC LIMIT 1`,
      [type, storedRowKey(key)],
    );
    return row && toEntry(row);
  }

  async saveCheckpoint(checkpoint: Omit<StoredCheckpoint, 'cosignatures'>): Promise<void> {
    const root = await this.rootAt(checkpoint.size);
    if (Buffer.compare(Buffer.from(root), Buffer.from(checkpoint.rootHash)) !== 0)
      throw new TrucelineError(
        'E_CONFLICT',
        `the checkpoint's root is not the tree's root at size ${checkpoint.size}`,
      );
    await this.#db.query(
      `INSERT INTO ledger_checkpoints (size, root, note, signed_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (size) DO NOTHING`,
      [checkpoint.size, Buffer.from(checkpoint.rootHash), checkpoint.note, checkpoint.signedAtMs],
    );
  }

  async #checkpoint(row: CheckpointRow | undefined): Promise<StoredCheckpoint | undefined> {
    if (row === undefined) return undefined;
    const cosignatures = await this.#db.query<{ witness: string; line: string }>(
      'SELECT witness, line FROM ledger_cosignatures WHERE size = $1 ORDER BY witness',
      [row.size],
    );
    return {
      size: row.size,
      rootHash: new Uint8Array(row.root),
      note: row.note,
      signedAtMs: row.signed_at,
      cosignatures: cosignatures.map(({ witness, line }) => ({ witness, line })),
    };
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    const [row] = await this.#db.query<CheckpointRow>(
      'SELECT size, root, note, signed_at FROM ledger_checkpoints ORDER BY size DESC LIMIT 1',
    );
    return this.#checkpoint(row);
  }

  async listCheckpoints(): Promise<readonly StoredCheckpoint[]> {
    const [rows, cosignatures] = await Promise.all([
      this.#db.query<CheckpointRow>(
        'SELECT size, root, note, signed_at FROM ledger_checkpoints ORDER BY size',
      ),
      this.#db.query<{ size: number; witness: string; line: string }>(
        'SELECT size, witness, line FROM ledger_cosignatures ORDER BY size, witness',
      ),
    ]);
    const bySize = new Map<number, { witness: string; line: string }[]>();
    for (const { size, witness, line } of cosignatures) {
      const list = bySize.get(size);
      if (list === undefined) bySize.set(size, [{ witness, line }]);
      else list.push({ witness, line });
    }
    return rows.map((row) => ({
      size: row.size,
      rootHash: new Uint8Array(row.root),
      note: row.note,
      signedAtMs: row.signed_at,
      cosignatures: bySize.get(row.size) ?? [],
    }));
  }

  async findCheckpoint(size: number): Promise<StoredCheckpoint | undefined> {
    if (!Number.isSafeInteger(size)) return undefined;
    const [row] = await this.#db.query<CheckpointRow>(
      'SELECT size, root, note, signed_at FROM ledger_checkpoints WHERE size = $1',
      [size],
    );
    return this.#checkpoint(row);
  }

  async addCosignature(size: number, witness: string, line: string, atMs: number): Promise<void> {
    if ((await this.findCheckpoint(size)) === undefined)
      throw new TrucelineError('E_NOT_FOUND', `there is no checkpoint of size ${size}`);
    await this.#db.query(
      `INSERT INTO ledger_cosignatures (size, witness, line, received_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (size, witness) DO UPDATE SET line = EXCLUDED.line, received_at = EXCLUDED.received_at`,
      [size, witness, line, atMs],
    );
  }

  /** The audit, on one connection in one REPEATABLE READ snapshot: appends going on do not disturb it. */
  async audit(onProgress?: (checked: number, total: number) => void): Promise<AuditOutcome> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const db = onClient(client);
      const outcome = await auditLedger(this.#auditSource(db), onProgress);
      await client.query('COMMIT');
      return outcome;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  #auditSource(db: PgQueries): AuditSource {
    return {
      size: async () => (await this.#state(db)).size,
      entryPage: async (fromIndex, limit) =>
        (
          await db.query<EntryRow>(
            `SELECT ${ENTRY_COLUMNS} FROM ledger_entries WHERE idx >= $1 ORDER BY idx LIMIT $2`,
            [fromIndex, limit],
          )
        ).map((row): AuditEntryRow => ({
          idx: row.idx,
          type: row.type,
          id: row.id,
          commitment: row.commitment,
          salt: row.salt,
          row_key: rowKeyFromText(row.type, row.row_key),
        })),
      history: async (indexes) =>
        new Map(
          indexes.length === 0
            ? []
            : (
                await db.query<{ idx: number; record: string }>(
                  'SELECT idx, record FROM ledger_history WHERE idx = ANY($1::bigint[])',
                  [indexes],
                )
              ).map((row) => [row.idx, row.record]),
        ),
      rows: async (spec, keys) => readRows(db, spec, keys),
      // Pages follow the key, whatever its columns: the cursor is the last row's key values.
      rowPage: async (spec, after, limit) => {
        const columns = columnsOf(spec)
          .map((name) => quoted(name))
          .join(', ');
        const order = spec.key.map((k) => quoted(k.name)).join(', ');
        const values = Array.isArray(after) ? (after as unknown[]) : undefined;
        const where =
          values === undefined
            ? ''
            : `WHERE (${order}) > (${spec.key.map((k, i) => `$${i + 1}::${pgType(k.kind)}`).join(', ')})`;
        const rows = await db.query<RawRow>(
          `SELECT ${columns} FROM ${quoted(spec.table)} ${where} ORDER BY ${order} LIMIT ${Math.max(0, Math.floor(limit))}`,
          values ?? [],
        );
        const last = rows[rows.length - 1];
        return { rows, next: last === undefined ? after : spec.key.map((k) => last[k.name]) };
      },
      count: async (spec) =>
        (await db.query<{ n: number }>(`SELECT count(*) AS n FROM ${quoted(spec.table)}`))[0]?.n ?? 0,
      nodes: async (keys) =>
        new Map(
          keys.length === 0
            ? []
            : (
                await db.query<{ node: number; hash: Buffer }>(
                  'SELECT node, hash FROM ledger_nodes WHERE node = ANY($1::bigint[])',
                  [keys],
                )
              ).map((row) => [row.node, row.hash]),
        ),
      entryCount: async () =>
        (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_entries'))[0]?.n ?? 0,
      nodeCount: async () =>
        (await db.query<{ n: number }>('SELECT count(*) AS n FROM ledger_nodes'))[0]?.n ?? 0,
      frontier: async () => {
        const state = await this.#state(db);
        return frontierFrom(state.size, state.frontier);
      },
      checkpoint: async () => {
        const [row] = await db.query<CheckpointRow>(
          'SELECT size, root FROM ledger_checkpoints ORDER BY size DESC LIMIT 1',
        );
        return row && { size: row.size, rootHash: new Uint8Array(row.root) };
      },
    };
  }
}
