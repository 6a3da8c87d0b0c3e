/**
 * @module Stores whose storage a test can change behind their back, for the ledger's audit: a SQLite
 * file a second connection (better-sqlite3) edits, or a PostgreSQL schema a plain pg client edits. The
 * contract loop (engines.ts) does not say where its stores live, so these open their own storage,
 * cleaned up after the suite. Call `tamperableStorage` inside the suite's body (it registers the hooks).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openPostgresStore } from '../../src/adapters/postgres/open-postgres-store.ts';
import { openSqliteStore } from '../../src/adapters/sqlite/open-sqlite-store.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { testPostgres, type TestDatabase } from '../helpers/postgres.ts';
import type { EngineName } from './engines.ts';

/** A store and a way to run SQL on its storage, outside it. */
export interface Tamperable {
  readonly store: Store;
  /** Runs `statement` (with `?` placeholders on SQLite, `$1…` on PostgreSQL) on the store's storage. */
  readonly sql: (statement: string, params?: readonly unknown[]) => Promise<void>;
}

/** Opens tamperable stores of `engine`; undefined for memory, which has no storage outside itself. */
export function tamperableStorage(engine: EngineName): (() => Promise<Tamperable>) | undefined {
  if (engine === 'memory') return undefined;
  const cleanups: (() => Promise<void>)[] = [];
  let scratch: string | undefined;
  let database: TestDatabase | undefined;
  let counter = 0;
  before(async () => {
    if (engine === 'sqlite') scratch = mkdtempSync(join(tmpdir(), 'truceline-ledger-'));
    else {
      const availability = testPostgres.availability();
      if (availability.status === 'run') database = await testPostgres.createDatabase(availability.adminUrl);
    }
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
    await database?.drop();
  });
  return async () => {
    counter += 1;
    if (engine === 'sqlite') {
      if (scratch === undefined) throw new Error('the scratch directory was not created');
      const path = join(scratch, `tampered-${counter}.db`);
      const store = await openSqliteStore({ path });
      cleanups.push(() => store.close());
      return {
        store,
        sql: (statement, params = []) => {
          const db = new Database(path);
          try {
            db.prepare(statement).run(...params);
          } finally {
            db.close();
          }
          return Promise.resolve();
        },
      };
    }
    if (database === undefined) throw new Error('the test database was not created');
    const schema = `tampered_${counter}`;
    const store = await openPostgresStore({ url: database.url, schema });
    cleanups.push(() => store.close());
    const url = database.url;
    return {
      store,
      sql: async (statement, params = []) => {
        const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema},public` });
        await client.connect();
        try {
          await client.query(statement, [...params]);
        } finally {
          await client.end();
        }
      },
    };
  };
}
