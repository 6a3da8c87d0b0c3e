/**
 * @module The PostgreSQL limit: COPY of the rows the whole path stored into a second fresh database
 * with the same schema and indexes (made by the adapter's migrations), one COPY per table in one
 * transaction. The rows are exported from the filled database first (not timed) in COPY's text form;
 * only the COPY … FROM STDIN statements and the COMMIT are timed.
 *
 * Which tables: those the ingest wrote to — not tables the migrations or an extension fill (PostGIS's
 * spatial_ref_sys), not generated columns; sources are registered before the clock starts.
 */
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { openPostgresStore } from '../../src/adapters/postgres/open-postgres-store.ts';
import { registerBenchSources } from '../lib/deps.ts';
import type { TaskControl } from './task.ts';

export interface PostgresCopyLimitArgs {
  /** The database the whole path filled. */
  readonly sourceUrl: string;
  /** A fresh, empty database. */
  readonly url: string;
  readonly sourcesFile: string;
  /** Where to put the exported rows. */
  readonly scratchPrefix: string;
}

export interface PostgresCopyLimitResult {
  readonly seconds: number;
  readonly rows: Readonly<Record<string, number>>;
}

const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;

interface Table {
  readonly schema: string;
  readonly name: string;
  readonly qualified: string;
}

async function userTables(client: pg.Client): Promise<Table[]> {
  const { rows } = await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'topology', 'tiger')
        AND n.nspname NOT LIKE 'pg_toast%'
      ORDER BY c.oid`,
  );
  return rows.map((r) => ({ ...r, qualified: `${ident(r.schema)}.${ident(r.name)}` }));
}

async function countRows(client: pg.Client, table: Table): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table.qualified}`);
  return Number(rows[0]!.n);
}

async function copyColumns(client: pg.Client, table: Table): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_attribute a
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      ORDER BY a.attnum`,
    [table.qualified],
  );
  return rows.map((r) => r.name);
}

async function primaryKey(client: pg.Client, table: Table): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_index i
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
      WHERE i.indrelid = $1::regclass AND i.indisprimary
      ORDER BY array_position(i.indkey::int[], a.attnum::int)`,
    [table.qualified],
  );
  return rows.map((r) => r.name);
}

export async function run(args: unknown, _control: TaskControl): Promise<PostgresCopyLimitResult> {
  const a = args as PostgresCopyLimitArgs;
  const store = await openPostgresStore({ url: a.url });
  await registerBenchSources(store, a.sourcesFile);
  await store.close();

  const source = new pg.Client({ connectionString: a.sourceUrl });
  const target = new pg.Client({ connectionString: a.url });
  await source.connect();
  await target.connect();
  try {
    const copies: { table: Table; columns: string; file: string; rows: number }[] = [];
    for (const table of await userTables(target)) {
      if ((await countRows(target, table)) > 0) continue; // filled by the migrations, an extension or the sources
      const rows = await countRows(source, table);
      if (rows === 0) continue;
      const columns = (await copyColumns(target, table)).map(ident).join(', ');
      const key = await primaryKey(source, table);
      const order = key.length > 0 ? ` ORDER BY ${key.map(ident).join(', ')}` : '';
      const file = `${a.scratchPrefix}-${table.schema}.${table.name}.copy`;
      await pipeline(
        source.query(copyTo(`COPY (SELECT ${columns} FROM ${table.qualified}${order}) TO STDOUT`)),
        createWriteStream(file),
      );
      copies.push({ table, columns, file, rows });
    }
    if (copies.length === 0) throw new Error('the whole path stored nothing to copy');

    const started = performance.now();
    await target.query('BEGIN');
    for (const c of copies)
      await pipeline(
        createReadStream(c.file, { highWaterMark: 1 << 20 }),
        target.query(copyFrom(`COPY ${c.table.qualified} (${c.columns}) FROM STDIN`)),
      );
    await target.query('COMMIT');
    const seconds = (performance.now() - started) / 1000;

    const rows: Record<string, number> = {};
    for (const c of copies) {
      rmSync(c.file, { force: true });
      const n = await countRows(target, c.table);
      if (n !== c.rows) throw new Error(`COPY loaded ${n} of ${c.rows} rows of ${c.table.qualified}`);
      rows[`${c.table.schema}.${c.table.name}`] = n;
    }
    return { seconds, rows };
  } finally {
    await source.end();
    await target.end();
  }
}
