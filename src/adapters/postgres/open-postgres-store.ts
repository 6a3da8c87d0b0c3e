/**
 * @module The PostgreSQL/PostGIS store, for when one machine is not enough: the same port, the same
 * answers as SQLite (a contract suite runs both), migrations run on open.
 */
import type { Clock } from '../../core/ports/clock.ts';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { TrucelineError } from '../../core/errors.ts';
import type { Store } from '../../core/ports/store.ts';
import { CASE_TABLES, VERIFICATION_TABLES } from '../common/action-log-rows.ts';
import { DEFAULT_MAX_QUARANTINE_BYTES } from '../common/quarantine-row.ts';
import { PostgresAccessStore } from './postgres-access-store.ts';
import { PostgresActionLog } from './postgres-action-log.ts';
import { PostgresAgreementStore } from './postgres-agreement-store.ts';
import { PostgresAttachmentStore } from './postgres-attachment-store.ts';
import { PostgresFusionStore } from './postgres-fusion-store.ts';
import { PostgresLedgerStore, PostgresLedgerWriter, onClient } from './postgres-ledger.ts';
import { postgresMigrations } from './postgres-migrations.ts';
import { PostgresObservationStore } from './postgres-observation-store.ts';
import type { PostgresSchema } from './postgres-schema.ts';
import { PostgresSourceStore } from './postgres-source-store.ts';

export interface PostgresStoreOptions {
  /** A connection URL, e.g. `postgres://user@host:5432/truceline`. */
  readonly url: string;
  /** Quota of rejected-record bytes the quarantine keeps (default 1 GiB); past it rows keep no bytes. */
  readonly maxQuarantineBytes?: number;
  /**
   * The schema the store's tables live in (created if missing; default: the connection's own search
   * path, normally `public`). Lets several stores share one database, as the tests do. PostGIS must be
   * installed in, or installable into, a schema on the search path.
   */
  readonly schema?: string;
  /** Most connections the store opens (default 10). */
  readonly maxConnections?: number;
  /** When each ingest commit was made (`listCommitTimes`); the system clock unless given. */
  readonly clock?: Clock;
}

/** The advisory lock (per database) under which one opener at a time runs the migrations. */
const MIGRATION_LOCK = 'truceline:migrations';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** bigint columns (seq, times in ms) come back as numbers: every value we store is below 2^53. */
const types: pg.CustomTypesConfig = {
  getTypeParser: (id, format) =>
    id === pg.types.builtins.INT8 && format !== 'binary'
      ? (value: string) => Number(value)
      : (pg.types.getTypeParser(id, format) as unknown),
};

/**
 * Opens (and creates or migrates) the store in a PostgreSQL database with PostGIS.
 *
 * @example
 * const store = await openPostgresStore({ url: process.env.DATABASE_URL ?? '' });
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const schema = options.schema;
  if (schema !== undefined && !SCHEMA_NAME.test(schema))
    throw new TrucelineError(
      'E_UNSUPPORTED',
      `schema must be a lower-case SQL identifier, not ${JSON.stringify(schema)}`,
    );
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    types,
  });
  // Set on every new connection, whatever the server's, the database's or the URL's own settings:
  // floats written and read back exactly (the ledger's records commit to them), and transactions that
  // read what committed before each statement (the writers' locks assume it; repeatable read fails
  // them). As statements, not startup options: a pooler such as PgBouncer refuses those, and an
  // `options` in the URL would replace them. Queued before anything the pool hands the client out for.
  const session = [
    'SET extra_float_digits = 3',
    "SET default_transaction_isolation = 'read committed'",
    ...(schema === undefined ? [] : [`SET search_path = ${schema}, public`]),
  ].join('; ');
  pool.on('connect', (client) => {
    client.query(session).catch(() => undefined);
  });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const kysely = new Kysely<PostgresSchema>({ dialect: new PostgresDialect({ pool }) });
  const ledger = new PostgresLedgerWriter();
  try {
    if (schema !== undefined) await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(kysely);
    const migrator = new Migrator({
      db: kysely,
      provider: { getMigrations: () => Promise.resolve(postgresMigrations) },
      ...(schema === undefined ? {} : { migrationTableSchema: schema }),
    });
    // Kysely's own migration lock is taken after it looks the catalogue over (every column of every
    // table); a second process opening at the same moment could read a column the first was dropping
    // ("column … does not exist"). A session lock held around the whole run lets one migrate at a time.
    const lock = await pool.connect();
    let migrated: Awaited<ReturnType<typeof migrator.migrateToLatest>>;
    try {
      await lock.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [MIGRATION_LOCK]);
      try {
        migrated = await migrator.migrateToLatest();
      } finally {
        await lock.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [MIGRATION_LOCK]);
      }
    } finally {
      lock.release();
    }
    const { error } = migrated;
    if (error !== undefined) throw error instanceof Error ? error : new Error('the migrations failed');
    // Rows an earlier version wrote are ledgered once, before this store can write (another process
    // opening at the same time waits on the ledger_state lock, then finds nothing left to do).
    if (await ledger.backfillPending(onClient(pool))) await ledger.backfill(pool);
  } catch (error) {
    await kysely.destroy().catch(() => undefined);
    throw new TrucelineError('E_STORE', `cannot prepare the PostgreSQL store: ${describe(error)}`, {
      cause: error,
    });
  }
  const observations = new PostgresObservationStore(
    pool,
    kysely,
    ledger,
    options.maxQuarantineBytes ?? DEFAULT_MAX_QUARANTINE_BYTES,
    options.clock,
  );
  let closed = false;
  return {
    engine: 'postgres',
    observations,
    sources: new PostgresSourceStore(kysely, ledger),
    agreements: new PostgresAgreementStore(kysely, ledger),
    fusion: new PostgresFusionStore(pool, kysely, ledger),
    access: new PostgresAccessStore(kysely, ledger),
    verification: new PostgresActionLog(kysely, ledger, VERIFICATION_TABLES),
    cases: new PostgresActionLog(kysely, ledger, CASE_TABLES),
    attachments: new PostgresAttachmentStore(kysely, ledger),
    ledger: new PostgresLedgerStore(pool),
    backup(): Promise<void> {
      return Promise.reject(
        new TrucelineError(
          'E_UNSUPPORTED',
          'the PostgreSQL store is backed up with PostgreSQL tools: use pg_dump (or continuous archiving)',
        ),
      );
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await observations.close();
      await kysely.destroy();
    },
  };
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
