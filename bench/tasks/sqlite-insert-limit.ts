/**
 * @module The SQLite ingest limit: prepared INSERTs of the very column values the whole path stored,
 * into a second fresh file with the same schema, indexes and pragmas, in as many transactions as the
 * whole path committed. The rows are read back from the database the whole path filled (so they are
 * the same values, content hashes and all); only the INSERTs and COMMITs are timed.
 *
 * Which tables: every table the ingest wrote to — not the migrations' own, not those filled by a
 * trigger (the trigger fires here too), not the shadow tables of R*Tree indexes; sources are
 * registered before the clock starts, as in the whole path. The ledger's rows count too: the entries
 * and subtree hashes the ingest appended (those of the source registration are in both files), and the
 * head (`ledger_state`) rewritten once per transaction, as the ledger does.
 */
import Database from 'better-sqlite3';
import { registerBenchSources } from '../lib/deps.ts';
import { applyPragmas, openRecordingPragmas } from '../lib/sqlite-pragmas.ts';
import { BULK_SQLITE_OPTIONS } from '../../src/main.ts';
import { startBackgroundCheckpoints } from '../../src/adapters/sqlite/background-checkpoints.ts';
import type { SqliteStoreOptions } from '../../src/adapters/sqlite/open-sqlite-store.ts';
import type { TaskControl } from './task.ts';

export interface SqliteInsertLimitArgs {
  /** The database the whole path filled. */
  readonly sourceDb: string;
  /** A fresh path for the limit's database. */
  readonly dbPath: string;
  readonly sourcesFile: string;
  /** The whole path's batch size and the file's line count: the same number of transactions. */
  readonly batchSize: number;
  readonly lines: number;
}

export interface SqliteInsertLimitResult {
  readonly seconds: number;
  readonly transactions: number;
  readonly rows: Readonly<Record<string, number>>;
  readonly pragmas: Readonly<Record<string, unknown>>;
}

const SHADOW = /^(.*)_(node|rowid|parent)$/;
const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** Tables the limit copies, given the fresh database (schema only) and the filled one. */
export function tablesToCopy(fresh: Database.Database, filled: Database.Database): string[] {
  const objects = fresh
    .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
    .all() as { type: string; name: string; sql: string | null }[];
  const virtual = new Set(
    objects
      .filter((o) => o.type === 'table' && /^CREATE VIRTUAL TABLE/i.test(o.sql ?? ''))
      .map((o) => o.name),
  );
  const triggerTargets = new Set<string>();
  for (const o of objects.filter((x) => x.type === 'trigger'))
    for (const m of (o.sql ?? '').matchAll(/INSERT\s+(?:OR\s+\w+\s+)?INTO\s+["`[]?([\w]+)/gi))
      triggerTargets.add(m[1]!);
  const count = (db: Database.Database, table: string): number =>
    (db.prepare(`SELECT count(*) AS n FROM ${quote(table)}`).get() as { n: number }).n;
  return objects
    .filter((o) => o.type === 'table')
    .map((o) => o.name)
    .filter((name) => {
      const shadowOf = SHADOW.exec(name)?.[1];
      if (shadowOf !== undefined && virtual.has(shadowOf)) return false;
      if (triggerTargets.has(name)) return false;
      // The ledger's rows: the fresh file holds those of the source registration; the rest are copied.
      if (name in LEDGER_KEYS) return count(filled, name) > count(fresh, name);
      if (count(fresh, name) > 0) return false; // filled by the migrations or the source registration
      return count(filled, name) > 0;
    });
}

/** The ledger's append-only tables and their keys: only the rows the fresh file lacks are copied. */
const LEDGER_KEYS: Readonly<Record<string, string>> = { ledger_entries: 'idx', ledger_nodes: 'node' };

function columnsOf(db: Database.Database, table: string): string[] {
  return (db.prepare(`PRAGMA table_xinfo(${quote(table)})`).all() as { name: string; hidden: number }[])
    .filter((c) => c.hidden === 0)
    .map((c) => c.name);
}

export async function run(args: unknown, _control: TaskControl): Promise<SqliteInsertLimitResult> {
  const a = args as SqliteInsertLimitArgs;
  // The schema, indexes and file-level settings exactly as the adapter creates them.
  // The pragmas `truceline ingest` opens with (a bulk command's page cache among them).
  const { store, pragmas: recorded } = await openRecordingPragmas({ path: a.dbPath, ...BULK_SQLITE_OPTIONS });
  await registerBenchSources(store, a.sourcesFile);
  await store.close();

  const db = new Database(a.dbPath);
  const pragmas = applyPragmas(db, recorded);
  // Checkpoints where the whole path has them: on their own thread when ingest opens the store so.
  const checkpoints =
    (BULK_SQLITE_OPTIONS.checkpoints as SqliteStoreOptions['checkpoints']) === 'background'
      ? startBackgroundCheckpoints(db, { synchronous: pragmas['synchronous'] === 1 ? 'NORMAL' : 'FULL' })
      : undefined;
  const filled = new Database(a.sourceDb, { readonly: true });
  const tables = tablesToCopy(db, filled);
  filled.close();
  if (tables.length === 0) throw new Error('the whole path stored nothing to copy');

  const transactions = Math.max(1, Math.ceil(a.lines / a.batchSize));
  const copies = tables.map((table) => {
    const columns = columnsOf(db, table);
    const list = columns.map(quote).join(', ');
    // One reading connection per table: better-sqlite3 allows one open iterator per connection.
    const reader = new Database(a.sourceDb, { readonly: true });
    const key = LEDGER_KEYS[table];
    const present = new Set<unknown>(
      key === undefined
        ? []
        : db
            .prepare(`SELECT ${key} FROM ${quote(table)}`)
            .pluck()
            .all(),
    );
    const keyAt = key === undefined ? -1 : columns.indexOf(key);
    const total =
      (reader.prepare(`SELECT count(*) AS n FROM ${quote(table)}`).get() as { n: number }).n - present.size;
    const all = reader
      .prepare(`SELECT ${list} FROM ${quote(table)} ORDER BY rowid`)
      .raw(true)
      .iterate() as IterableIterator<unknown[]>;
    const rows = (function* () {
      for (const row of all) if (keyAt < 0 || !present.has(row[keyAt])) yield row;
    })();
    const insert = db.prepare(
      `INSERT INTO ${quote(table)} (${list}) VALUES (${columns.map(() => '?').join(', ')})`,
    );
    return {
      table,
      reader,
      rows,
      insert,
      total,
      present: present.size,
      perTransaction: Math.ceil(total / transactions),
    };
  });

  // The ledger's head, rewritten in every transaction as the ledger does (a frontier of 20 hashes).
  const writeHead = db.prepare('UPDATE ledger_state SET size = ?, frontier = ? WHERE id = 1');
  const frontier = Buffer.alloc(32 * 20);
  let elapsed = 0;
  for (let t = 0; t < transactions; t += 1) {
    // Read this transaction's rows (not timed), then insert and commit them (timed).
    const chunks = copies.map((c) => {
      const chunk: unknown[][] = [];
      for (let i = 0; i < c.perTransaction; i += 1) {
        const next = c.rows.next();
        if (next.done === true) break;
        chunk.push(next.value);
      }
      return chunk;
    });
    const started = performance.now();
    db.transaction(() => {
      copies.forEach((c, i) => {
        for (const row of chunks[i]!) c.insert.run(...row);
      });
      writeHead.run(t, frontier);
    })();
    elapsed += performance.now() - started;
  }

  const rows: Record<string, number> = {};
  for (const c of copies) {
    c.rows.return?.();
    c.reader.close();
    const n =
      (db.prepare(`SELECT count(*) AS n FROM ${quote(c.table)}`).get() as { n: number }).n - c.present;
    if (n !== c.total) throw new Error(`the limit copied ${n} of ${c.total} rows of ${c.table}`);
    rows[c.table] = n;
  }
  await checkpoints?.stop();
  db.close();
  return { seconds: elapsed / 1000, transactions, rows, pragmas };
}
