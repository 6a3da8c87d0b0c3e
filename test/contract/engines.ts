/**
 * @module The loop of the contract suites over every store engine: each suite's body runs once per
 * engine — memory, SQLite (temporary files), PostgreSQL (a fresh database per test file, a fresh schema
 * per store) — with the same assertions. PostgreSQL is skipped with a message when no test cluster is
 * configured, and fails instead when `TRUCELINE_REQUIRE_SERVICES=1` (see test/helpers/postgres.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openMemoryStore } from '../../src/adapters/memory/open-memory-store.ts';
import { openPostgresStore } from '../../src/adapters/postgres/open-postgres-store.ts';
import { openSqliteStore } from '../../src/adapters/sqlite/open-sqlite-store.ts';
import type { Clock } from '../../src/core/ports/clock.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { testPostgres, type TestDatabase } from '../helpers/postgres.ts';

export type EngineName = Store['engine'];
export const ENGINES: readonly EngineName[] = ['memory', 'sqlite', 'postgres'];

export interface OpenOptions {
  readonly maxQuarantineBytes?: number;
  /** The store's clock (when each ingest commit was made). */
  readonly clock?: Clock;
}

/** What a suite gets for one engine. */
export interface Engine {
  readonly name: EngineName;
  /** A new, empty store; closed after the suite if the test does not close it. */
  open(options?: OpenOptions): Promise<Store>;
  /**
   * Another store on the same storage as `store` (as a second process would open it: the CLI beside the
   * server, or the server after a restart); undefined for memory, which keeps nothing outside itself.
   */
  readonly openAgain: ((store: Store, options?: OpenOptions) => Promise<Store>) | undefined;
}

/** Runs `body` as one `describe` per engine, titled `<title> [<engine>]`. */
export function describeEachEngine(title: string, body: (engine: Engine) => void): void {
  for (const name of ENGINES) describeEngine(name, `${title} [${name}]`, body);
}

function describeEngine(name: EngineName, title: string, body: (engine: Engine) => void): void {
  if (name === 'postgres') {
    const availability = testPostgres.availability();
    if (availability.status === 'skip') {
      describe(title, { skip: availability.reason }, () => undefined);
      return;
    }
    if (availability.status === 'fail') {
      describe(title, () => {
        it('has a PostgreSQL test cluster', () => assert.fail(availability.reason));
      });
      return;
    }
  }
  describe(title, () => {
    const opened: Store[] = [];
    const where = new WeakMap<Store, string>();
    let scratch: string | undefined;
    let database: TestDatabase | undefined;
    let counter = 0;

    before(async () => {
      if (name === 'sqlite') scratch = mkdtempSync(join(tmpdir(), 'truceline-contract-'));
      if (name === 'postgres') {
        const availability = testPostgres.availability();
        if (availability.status === 'run')
          database = await testPostgres.createDatabase(availability.adminUrl);
      }
    });
    after(async () => {
      for (const store of opened) await store.close();
      if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
      await database?.drop();
    });

    const openAt = async (location: string, options: OpenOptions): Promise<Store> => {
      let store: Store;
      if (name === 'sqlite') store = await openSqliteStore({ path: location, ...options });
      else if (name === 'postgres') {
        if (database === undefined) throw new Error('the test database was not created');
        store = await openPostgresStore({ url: database.url, schema: location, ...options });
      } else store = await openMemoryStore(options);
      opened.push(store);
      where.set(store, location);
      return store;
    };

    const engine: Engine = {
      name,
      open(options: OpenOptions = {}) {
        counter += 1;
        if (name === 'sqlite') {
          if (scratch === undefined) throw new Error('the scratch directory was not created');
          return openAt(join(scratch, `store-${counter}.db`), options);
        }
        return openAt(`store_${counter}`, options);
      },
      openAgain:
        name === 'memory'
          ? undefined
          : (store: Store, options: OpenOptions = {}) => {
              const location = where.get(store);
              if (location === undefined) throw new Error('openAgain needs a store opened by this engine');
              return openAt(location, options);
            },
    };
    body(engine);
  });
}
