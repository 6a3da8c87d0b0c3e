/**
 * Upgrading a store made before access control (migrations 0001–0002 only), on SQLite and PostgreSQL:
 * the rows already there read with the default markings, keys stored without a compromise time read
 * as not compromised, and the store carries on.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration } from 'kysely';
import pg from 'pg';
import { openPostgresStore } from '../../src/adapters/postgres/open-postgres-store.ts';
import { postgresMigrations } from '../../src/adapters/postgres/postgres-migrations.ts';
import { openSqliteStore } from '../../src/adapters/sqlite/open-sqlite-store.ts';
import { sqliteMigrations } from '../../src/adapters/sqlite/sqlite-migrations.ts';
import { DEFAULT_MARKINGS } from '../../src/core/access/markings.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { ObservationFactory } from '../helpers/observation-factory.ts';
import { testPostgres, type TestDatabase } from '../helpers/postgres.ts';

const BEFORE_ACCESS = ['0001-observations-sources-agreements', '0002-fusion-events-violations'];

/** Runs only the migrations made before access control. */
async function migrateBeforeAccess(db: Kysely<unknown>, all: Record<string, Migration>, schema?: string) {
  const only = Object.fromEntries(BEFORE_ACCESS.map((name) => [name, all[name]!]));
  const { error } = await new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(only) },
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  }).migrateToLatest();
  assert.equal(error, undefined);
}

const OLD_KEY = {
  keyId: 'old-key',
  algorithm: 'ed25519',
  publicKey: 'MCowBQYDK2VwAyEAold',
  createdAtMs: 1,
  revokedAtMs: null,
};

/** Rows as the stores of 0001–0002 wrote them (the same SQL on both engines). */
async function oldRows(db: Kysely<unknown>): Promise<void> {
  await sql`INSERT INTO observations (seq, source_id, record_id, kind, observed_at, time_uncertainty_ms,
    received_at, lat, lon, ce_m, weapon_class, batch_id, content_sha256, content)
    VALUES (1, 'array-1', 'r-1', 'acoustic', 1000, 250, 2000, 48.0, 37.8, 150, NULL, 'b-1', 'h', '{}')`.execute(
    db,
  );
  await sql`INSERT INTO sources (id, kind, organisation, name, lat, lon, altitude_m, orientation_deg,
    capabilities, keys, registered_at)
    VALUES ('array-1', 'acoustic', 'mission', 'Array 1', NULL, NULL, NULL, NULL, '{}',
      ${JSON.stringify([OLD_KEY])}, 1)`.execute(db);
  await sql`INSERT INTO event_revisions (seq, id, revision, type, time_ms, lat, lon, committed_at, value)
    VALUES (2, 'ev-1', 1, 'explosion', 1000, 48.0, 37.8, 3000, '{"id":"ev-1","revision":1}')`.execute(db);
  await sql`INSERT INTO event_heads (id, seq, revision, type, time_ms, lat, lon)
    VALUES ('ev-1', 2, 1, 'explosion', 1000, 48.0, 37.8)`.execute(db);
  await sql`INSERT INTO violation_revisions (seq, id, revision, event_id, event_type, time_ms, lat, lon, party,
    clause, committed_at, value)
    VALUES (3, 'v-1', 1, 'ev-1', 'explosion', 1000, 48.0, 37.8, NULL, 'no-fire', 3000,
      '{"id":"v-1","revision":1}')`.execute(db);
  await sql`INSERT INTO violation_heads (id, seq, revision, event_type, time_ms, lat, lon, party, clause)
    VALUES ('v-1', 3, 1, 'explosion', 1000, 48.0, 37.8, NULL, 'no-fire')`.execute(db);
  await sql`UPDATE store_state SET last_seq = 3, observation_count = 1 WHERE id = 1`.execute(db);
}

/** What every upgraded store must answer. */
async function checkUpgraded(store: Store): Promise<void> {
  assert.deepEqual((await store.observations.findBySeq(1))?.marking, DEFAULT_MARKINGS.observation);
  const source = await store.sources.get('array-1');
  assert.deepEqual(source.marking, DEFAULT_MARKINGS.source);
  assert.deepEqual(source.keys, [{ ...OLD_KEY, compromisedAtMs: null }]);
  assert.deepEqual((await store.sources.findKey('old-key'))?.key.compromisedAtMs, null);
  assert.deepEqual((await store.fusion.listEvents({ limit: 10 }))[0]?.marking, DEFAULT_MARKINGS.event);
  assert.deepEqual(
    (await store.fusion.listViolations({ limit: 10 }))[0]?.marking,
    DEFAULT_MARKINGS.violation,
  );
  assert.deepEqual(await store.access.listOrganisations(), []);
  // The store carries on: the commit sequence, a revocation of the old key, a signed batch.
  await store.sources.revokeKey('array-1', 'old-key', 5, 4);
  assert.deepEqual((await store.sources.get('array-1')).keys, [
    { ...OLD_KEY, revokedAtMs: 5, compromisedAtMs: 4 },
  ]);
  const make = new ObservationFactory();
  const result = await store.observations.commitIngest(make.batch([make.valid({ sourceId: 'array-1' })]));
  assert.deepEqual(result.outcomes, [{ status: 'accepted', seq: 4 }]);
}

describe('A SQLite store made before access control', () => {
  it('upgrades: old rows read with the default markings, old keys as not compromised', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'truceline-access-upgrade-'));
    try {
      const path = join(scratch, 'old.db');
      const db = new Database(path);
      const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database: db }) });
      await migrateBeforeAccess(kysely, sqliteMigrations);
      await oldRows(kysely);
      await kysely.destroy();
      const store = await openSqliteStore({ path });
      try {
        await checkUpgraded(store);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

const availability = testPostgres.availability();
describe(
  'A PostgreSQL store made before access control',
  availability.status === 'skip' ? { skip: availability.reason } : {},
  () => {
    let database: TestDatabase | undefined;
    before(async () => {
      if (availability.status === 'run') database = await testPostgres.createDatabase(availability.adminUrl);
    });
    after(async () => {
      await database?.drop();
    });

    it('upgrades: old rows read with the default markings, old keys as not compromised', async () => {
      if (availability.status === 'fail') assert.fail(availability.reason);
      if (database === undefined) throw new Error('the test database was not created');
      const schema = 'before_access';
      const pool = new pg.Pool({
        connectionString: database.url,
        options: `-c search_path=${schema},public`,
      });
      const kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
      try {
        await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(kysely);
        await migrateBeforeAccess(kysely, postgresMigrations, schema);
        await oldRows(kysely);
      } finally {
        await kysely.destroy();
      }
      const store = await openPostgresStore({ url: database.url, schema });
      try {
        await checkUpgraded(store);
      } finally {
        await store.close();
      }
    });
  },
);
