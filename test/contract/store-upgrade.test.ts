/**
 * Upgrading a store made before access control (migrations 0001–0002 only), on SQLite and PostgreSQL:
 * the rows already there read with the default markings, keys stored without a compromise time read
 * as not compromised, and the store carries on. Upgrading a store made before the ledger (0001–0003):
 * password hashes move out of the users table. Either way the rows already there are ledgered when the
 * store opens (the backfill, once), both engines commit to the same records, and the audit passes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
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
import type { OpenedEntry } from '../../src/core/ports/ledger-store.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { spatialGrid } from '../../src/adapters/common/spatial-grid.ts';
import { crowdedSummary } from '../helpers/set-aside.ts';
import { ObservationFactory } from '../helpers/observation-factory.ts';
import { testPostgres, type TestDatabase } from '../helpers/postgres.ts';

const BEFORE_ACCESS = ['0001-observations-sources-agreements', '0002-fusion-events-violations'];
const BEFORE_LEDGER = [...BEFORE_ACCESS, '0003-access-markings-submissions'];

/** Runs only the migrations `names` (by default those made before access control). */
async function migrateBeforeAccess(
  db: Kysely<unknown>,
  all: Record<string, Migration>,
  schema?: string,
  names: readonly string[] = BEFORE_ACCESS,
) {
  const only = Object.fromEntries(names.map((name) => [name, all[name]!]));
  const { error } = await new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(only) },
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  }).migrateToLatest();
  assert.equal(error, undefined);
}

/** A SQLite file as an earlier version left it: migrated by `names` only, then filled by `fill`. */
async function sqliteStoreBefore(
  path: string,
  names: readonly string[],
  fill: (db: Kysely<unknown>) => Promise<void>,
): Promise<void> {
  const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(path) }) });
  try {
    await migrateBeforeAccess(kysely, sqliteMigrations, undefined, names);
    await fill(kysely);
  } finally {
    await kysely.destroy();
  }
}

/** A schema of its own in the test database as an earlier version left it: migrated by `names`, filled by `fill`. */
async function postgresStoreBefore(
  url: string,
  schema: string,
  names: readonly string[],
  fill: (db: Kysely<unknown>) => Promise<void>,
): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, options: `-c search_path=${schema},public` });
  const kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(kysely);
    await migrateBeforeAccess(kysely, postgresMigrations, schema, names);
    await fill(kysely);
  } finally {
    await kysely.destroy();
  }
}

const OLD_KEY = {
  keyId: 'old-key',
  algorithm: 'ed25519',
  publicKey: 'MCowBQYDK2VwAyEAold',
  createdAtMs: 1,
  revokedAtMs: null,
};

/** The grid keys SQLite's ingest always wrote beside each located row (PostgreSQL has none). */
async function withGridKeys(db: Kysely<unknown>): Promise<void> {
  const rows = await sql<{ seq: number; lat: number; lon: number; observed_at: number }>`
    SELECT seq, lat, lon, observed_at FROM observations WHERE lat IS NOT NULL`.execute(db);
  for (const row of rows.rows)
    await sql`UPDATE observations SET grid_key = ${spatialGrid.keyOf(row.lat, row.lon, row.observed_at)}
      WHERE seq = ${row.seq}`.execute(db);
}

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

type Engine = 'sqlite' | 'postgres';

/** The records each engine's backfill committed to, by scenario: both must be the same. */
const BACKFILLED = new Map<string, Map<Engine, readonly string[]>>();

const keep = (scenario: string, engine: Engine, entries: readonly OpenedEntry[]) => {
  const byEngine = BACKFILLED.get(scenario) ?? new Map<Engine, readonly string[]>();
  byEngine.set(
    engine,
    entries.map((e) => e.record),
  );
  BACKFILLED.set(scenario, byEngine);
};

/** Every entry opens: its record under its salt is its commitment. */
function checkOpens(entries: readonly OpenedEntry[]): void {
  for (const entry of entries) {
    const commitment = createHash('sha256').update(entry.record, 'utf8').update(entry.salt).digest();
    assert.ok(commitment.equals(entry.commitment), `entry ${entry.index} opens`);
  }
}

/** What every upgraded store must answer. */
async function checkUpgraded(store: Store, engine: Engine): Promise<void> {
  // The rows written before the ledger are ledgered, table by table in key order, and audit.
  const backfilled = await store.ledger.entries(0, 100);
  assert.deepEqual(
    backfilled.map((e) => [e.type, e.key, e.superseded]),
    [
      ['observation', 1, false],
      ['source', 'array-1', false],
      ['event-revision', 2, false],
      ['violation-revision', 3, false],
    ],
  );
  checkOpens(backfilled);
  keep('before access', engine, backfilled);
  assert.deepEqual(await store.ledger.audit(), { ok: true, size: 4, rows: 4, checkpointSize: null });
  assert.deepEqual((await store.observations.findBySeq(1))?.marking, DEFAULT_MARKINGS.observation);
  // The old row is found by its window (on SQLite, through the span of observed times the upgrade
  // reads from the index it then drops).
  for (const window of [{ fromMs: 1000, toMs: 1001 }, { fromMs: 0 }, { toMs: 1001 }])
    assert.deepEqual(
      (await store.observations.query({ ...window, limit: 10 })).map((o) => o.seq),
      [1],
      JSON.stringify(window),
    );
  assert.deepEqual(await store.observations.query({ fromMs: 1001, limit: 10 }), []);
  // What was stored before commit times were kept has none, as one entry up to the last sequence.
  assert.deepEqual(await store.observations.listCommitTimes(0, 10), [{ lastSeq: 3, committedAtMs: null }]);
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
  // The revocation changed a backfilled row: a new leaf, the backfilled record kept.
  const entries = await store.ledger.entries(0, 100);
  assert.deepEqual(
    entries.slice(4).map((e) => [e.type, e.key]),
    [
      ['source', 'array-1'],
      ['observation', 4],
    ],
  );
  assert.equal(entries[1]?.superseded, true);
  checkOpens(entries);
  assert.deepEqual(await store.ledger.audit(), { ok: true, size: 6, rows: 5, checkpointSize: null });
}

/** Opened again, an upgraded store is not backfilled twice. */
async function checkReopened(store: Store, size: number): Promise<void> {
  assert.equal((await store.ledger.head()).size, size);
  assert.deepEqual((await store.ledger.audit()).ok, true);
}

const HASH = '$argon2id$v=19$m=65536,t=3,p=4$ana';

/**
 * Rows as the stores of 0001–0003 wrote them: organisations and users (one with a password hash), a
 * signed submission and a quarantined record (binary columns, a boolean), a marked observation.
 */
async function rowsBeforeLedger(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const bool = (value: boolean) => (engine === 'sqlite' ? Number(value) : value);
  await sql`INSERT INTO observations (seq, source_id, record_id, kind, observed_at, time_uncertainty_ms,
    received_at, lat, lon, ce_m, weapon_class, batch_id, content_sha256, content, tlp, releasable_to)
    VALUES (1, 'array-1', 'r-1', 'acoustic', 1000, 250.5, 2000, -0.5, 37.8, NULL, 'mortar', 'b-1', 'h',
      '{"ü":1}', 'AMBER', '["mission","party-ua"]')`.execute(db);
  await sql`INSERT INTO quarantine (id, received_at, origin, position, source_id, record_id, field, reason,
    sha256, size_bytes, head, head_kept)
    VALUES (1, 2000, 'test', 3, NULL, 'r-9', '(root)', 'not JSON', 'abc', 4,
      ${Buffer.from([0, 1, 2, 255])}, ${bool(true)}),
      (2, 2000, 'test', 4, 'array-1', NULL, '(root)', 'not JSON', 'def', 9,
      ${Buffer.alloc(0)}, ${bool(false)})`.execute(db);
  await sql`INSERT INTO submissions (source_id, batch_id, key_id, signed_at, received_at, method, target,
    content_type, content_digest, signature_input, signature, body, body_encoding, flagged_at, flag_reason)
    VALUES ('array-1', 'b-1', 'old-key', 1500, 2000, 'POST', '/api/v1/observations', 'application/json',
      'sha-256=:x:', 'sig1=()', 'sig1=:y:', ${Buffer.from('[{"id":"r-1"}]')}, 'identity', 3000, 'flagged')`.execute(
    db,
  );
  await sql`INSERT INTO sources (id, kind, organisation, name, lat, lon, altitude_m, orientation_deg,
    capabilities, keys, registered_at)
    VALUES ('array-1', 'acoustic', 'mission', 'Array 1', 48.25, 37.5, 180, 45, '{"rangeKm":20}',
      ${JSON.stringify([OLD_KEY])}, 1)`.execute(db);
  await sql`INSERT INTO agreements (id, revision, document_json, content_sha256, registered_at)
    VALUES ('paris', 1, '{}', 'h1', 10), ('paris', 2, '{"v":2}', 'h2', 20)`.execute(db);
  await sql`INSERT INTO organisations (id, kind, name, created_at)
    VALUES ('mission', 'mission', 'Mission', 5), ('party-ua', 'party', 'Ukraine', 6)`.execute(db);
  await sql`INSERT INTO users (id, name, org_id, role, password_hash, oidc_identity, created_at, disabled_at)
    VALUES ('u-ana', 'ana', 'mission', 'analyst', ${HASH}, NULL, 7, NULL),
      ('u-oleh', 'oleh', 'party-ua', 'party-liaison', NULL, 'iss|oleh', 8, 9)`.execute(db);
  await sql`UPDATE store_state SET last_seq = 1, observation_count = 1, last_quarantine_id = 2 WHERE id = 1`.execute(
    db,
  );
}

/** More rows than the backfill reads at a time: 25,001 observations, 12,001 submissions of three sources. */
const MANY = { observations: 25_001, submissions: 12_001 };

async function manyRowsBeforeLedger(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const numbers = (n: number) =>
    engine === 'sqlite'
      ? sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${n}) SELECT i FROM n`
      : sql`SELECT generate_series(1, ${n}) AS i`;
  const bytes = engine === 'sqlite' ? sql`X'5b5d'` : sql`'\\x5b5d'::bytea`;
  await sql`INSERT INTO observations (seq, source_id, record_id, kind, observed_at, time_uncertainty_ms,
    received_at, lat, lon, ce_m, weapon_class, batch_id, content_sha256, content, tlp, releasable_to)
    SELECT i, 'array-1', 'r-' || i, 'acoustic', 1000 + i, 250, 2000 + i, 48.0, 37.8, NULL, NULL, 'b-1', 'h',
      '{}', 'AMBER', '["mission"]' FROM (${numbers(MANY.observations)}) AS n`.execute(db);
  await sql`INSERT INTO submissions (source_id, batch_id, key_id, signed_at, received_at, method, target,
    content_type, content_digest, signature_input, signature, body, body_encoding, flagged_at, flag_reason)
    SELECT 'array-' || (i % 3), 'b-' || i, 'old-key', 1500, 2000, 'POST', '/api/v1/observations',
      'application/json', 'sha-256=:x:', 'sig1=()', 'sig1=:y:', ${bytes}, 'identity', NULL, NULL
    FROM (${numbers(MANY.submissions)}) AS n`.execute(db);
  await sql`UPDATE store_state SET last_seq = ${MANY.observations}, observation_count = ${MANY.observations} WHERE id = 1`.execute(
    db,
  );
}

/** Every one of the many rows is ledgered once, in key order, across the backfill's pages. */
async function checkManyRowsUpgrade(store: Store): Promise<void> {
  const size = MANY.observations + MANY.submissions;
  assert.deepEqual(await store.ledger.audit(), { ok: true, size, rows: size, checkpointSize: null });
  const around = await store.ledger.entries(9_998, 4);
  assert.deepEqual(
    around.map((e) => [e.type, e.key]),
    [9_999, 10_000, 10_001, 10_002].map((seq) => ['observation', seq]),
  );
  const submissions = await store.ledger.entries(MANY.observations, MANY.submissions);
  const keys = submissions.map((e) => JSON.parse(String(e.key)) as [string, string]);
  assert.equal(new Set(keys.map((k) => k.join('/'))).size, MANY.submissions);
  const sorted = [...keys].sort(([a, b], [c, d]) => (a < c ? -1 : a > c ? 1 : b < d ? -1 : b > d ? 1 : 0));
  assert.deepEqual(keys, sorted);
}

/** What a store upgraded from 0001–0003 must answer. */
async function checkLedgerUpgrade(store: Store, engine: Engine): Promise<void> {
  assert.equal((await store.access.findUserById('u-ana'))?.passwordHash, HASH);
  assert.equal((await store.access.findUserByName('oleh'))?.passwordHash, null);
  assert.deepEqual(
    (await store.access.listUsers()).map((u) => [u.id, u.passwordHash]),
    [
      ['u-ana', HASH],
      ['u-oleh', null],
    ],
  );
  const entries = await store.ledger.entries(0, 100);
  assert.deepEqual(
    entries.map((e) => [e.type, e.key]),
    [
      ['observation', 1],
      ['quarantine', 1],
      ['quarantine', 2],
      ['submission', '["array-1","b-1"]'],
      ['source', 'array-1'],
      ['agreement', '["paris",1]'],
      ['agreement', '["paris",2]'],
      ['organisation', 'mission'],
      ['organisation', 'party-ua'],
      ['user', 'u-ana'],
      ['user', 'u-oleh'],
    ],
  );
  checkOpens(entries);
  // The ledgered user row holds no password hash.
  for (const entry of entries.filter((e) => e.type === 'user'))
    assert.equal('password_hash' in (JSON.parse(entry.record) as object), false);
  assert.deepEqual(
    (JSON.parse(entries[1]?.record ?? '{}') as { head?: unknown }).head,
    Buffer.from([0, 1, 2, 255]).toString('base64'),
  );
  keep('before ledger', engine, entries);
  assert.deepEqual(await store.ledger.audit(), { ok: true, size: 11, rows: 11, checkpointSize: null });
  // The store carries on: a new user, a change of a backfilled row.
  await store.access.createUser({
    id: 'u-new',
    name: 'new',
    orgId: 'mission',
    role: 'analyst',
    passwordHash: null,
    oidcIdentity: null,
    createdAtMs: 11,
    disabledAtMs: null,
  });
  await store.access.linkOidcIdentity('u-ana', 'iss|ana');
  assert.equal((await store.access.findUserById('u-ana'))?.passwordHash, HASH);
  assert.deepEqual(await store.ledger.audit(), { ok: true, size: 13, rows: 12, checkpointSize: null });
}

describe('A SQLite store made before access control', () => {
  it('upgrades: old rows read with the default markings, old keys as not compromised', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'truceline-access-upgrade-'));
    try {
      const path = join(scratch, 'old.db');
      await sqliteStoreBefore(path, BEFORE_ACCESS, async (db) => {
        await oldRows(db);
        await withGridKeys(db);
      });
      const store = await openSqliteStore({ path });
      try {
        await checkUpgraded(store, 'sqlite');
      } finally {
        await store.close();
      }
      const reopened = await openSqliteStore({ path });
      try {
        await checkReopened(reopened, 6);
      } finally {
        await reopened.close();
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('A SQLite store made before the ledger', () => {
  it('upgrades: password hashes move out of the users table, every row is ledgered, the audit passes', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'truceline-ledger-upgrade-'));
    try {
      const path = join(scratch, 'old.db');
      await sqliteStoreBefore(path, BEFORE_LEDGER, async (db) => {
        await rowsBeforeLedger(db, 'sqlite');
        await withGridKeys(db);
      });
      const store = await openSqliteStore({ path });
      try {
        await checkLedgerUpgrade(store, 'sqlite');
      } finally {
        await store.close();
      }
      const reopened = await openSqliteStore({ path });
      try {
        await checkReopened(reopened, 13);
      } finally {
        await reopened.close();
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('ledgers more rows than it reads at a time, each once, in key order', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'truceline-ledger-upgrade-'));
    try {
      const path = join(scratch, 'many.db');
      await sqliteStoreBefore(path, BEFORE_LEDGER, async (db) => {
        await manyRowsBeforeLedger(db, 'sqlite');
        await withGridKeys(db);
      });
      const store = await openSqliteStore({ path });
      try {
        await checkManyRowsUpgrade(store);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

const availability = testPostgres.availability();
/** Set-aside rows as 0010 kept them, before the per-source count (0011). */
async function setAsideRowsBeforeCount(db: Kysely<unknown>): Promise<void> {
  await sql`INSERT INTO fusion_set_aside (seq, source_id, observed_at, reason)
    VALUES (1, 'ac-2', 5000, 'crowded'), (2, 'ac-1', 3000, 'crowded'), (3, 'ac-2', 1000, 'crowded')`.execute(
    db,
  );
}

/**
 * As an interim build left a store: its 0010 made the per-source table too (with no index on the
 * rows), and its count may be behind the rows.
 */
async function setAsideCountedByInterimBuild(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX fusion_set_aside_source`.execute(db);
  await sql`CREATE TABLE fusion_set_aside_sources (
    source_id TEXT NOT NULL, reason TEXT NOT NULL, arrivals BIGINT NOT NULL,
    first_ms BIGINT NOT NULL, last_ms BIGINT NOT NULL, PRIMARY KEY (source_id, reason))`.execute(db);
  await setAsideRowsBeforeCount(db);
  await sql`INSERT INTO fusion_set_aside_sources VALUES ('ac-2', 'crowded', 1, 5000, 5000)`.execute(db);
}

/** After 0011: the count made from the old rows, and kept up by the next commit. */
async function checkSetAsideCounted(store: Store): Promise<void> {
  const summary = crowdedSummary;
  assert.deepEqual(await store.fusion.setAside(), [
    summary('ac-1', 1, 3000, 3000),
    summary('ac-2', 2, 1000, 5000),
  ]);
  await store.fusion.commit({
    events: [],
    violations: [],
    setAside: [
      { seq: 3, sourceId: 'ac-2', timeMs: 1000, reason: 'crowded' },
      { seq: 4, sourceId: 'ac-2', timeMs: 9000, reason: 'crowded' },
    ],
    cursorSeq: 0,
    committedAtMs: 1,
  });
  assert.deepEqual(await store.fusion.setAside(['ac-2']), [summary('ac-2', 3, 1000, 9000)]);
}

const BEFORE_SET_ASIDE_COUNT = (all: Record<string, Migration>) =>
  Object.keys(all).filter((name) => name < '0011');

describe('A SQLite store made before set-aside arrivals were counted per source', () => {
  for (const [made, fill] of [
    ['by 0010', setAsideRowsBeforeCount],
    ['by an interim build whose 0010 also made the count', setAsideCountedByInterimBuild],
  ] as const)
    it(`upgrades (${made}): counts the rows it kept, then keeps counting`, async () => {
      const scratch = mkdtempSync(join(tmpdir(), 'truceline-set-aside-upgrade-'));
      try {
        const path = join(scratch, 'old.db');
        await sqliteStoreBefore(path, BEFORE_SET_ASIDE_COUNT(sqliteMigrations), fill);
        const store = await openSqliteStore({ path });
        try {
          await checkSetAsideCounted(store);
        } finally {
          await store.close();
        }
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    });
});

describe(
  'A PostgreSQL store made by an earlier version (before access control, before the ledger)',
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
      await postgresStoreBefore(database.url, schema, BEFORE_ACCESS, (db) => oldRows(db));
      const store = await openPostgresStore({ url: database.url, schema });
      try {
        await checkUpgraded(store, 'postgres');
      } finally {
        await store.close();
      }
      const reopened = await openPostgresStore({ url: database.url, schema });
      try {
        await checkReopened(reopened, 6);
      } finally {
        await reopened.close();
      }
    });

    for (const [made, schema, fill] of [
      ['by 0010', 'before_set_aside_count', setAsideRowsBeforeCount],
      ['by an interim build', 'interim_set_aside_count', setAsideCountedByInterimBuild],
    ] as const)
      it(`upgrades from before set-aside arrivals were counted per source (${made}): counts them, then keeps counting`, async () => {
        if (availability.status === 'fail') assert.fail(availability.reason);
        if (database === undefined) throw new Error('the test database was not created');
        await postgresStoreBefore(database.url, schema, BEFORE_SET_ASIDE_COUNT(postgresMigrations), fill);
        const store = await openPostgresStore({ url: database.url, schema });
        try {
          await checkSetAsideCounted(store);
        } finally {
          await store.close();
        }
      });

    it('upgrades from before the ledger: password hashes move out, every row is ledgered, once', async () => {
      if (availability.status === 'fail') assert.fail(availability.reason);
      if (database === undefined) throw new Error('the test database was not created');
      const schema = 'before_ledger';
      await postgresStoreBefore(database.url, schema, BEFORE_LEDGER, (db) =>
        rowsBeforeLedger(db, 'postgres'),
      );
      // Two stores open it at once (a server and a CLI): the rows are ledgered once.
      const [store, other] = await Promise.all([
        openPostgresStore({ url: database.url, schema }),
        openPostgresStore({ url: database.url, schema }),
      ]);
      try {
        await checkLedgerUpgrade(store, 'postgres');
        await checkReopened(other, 13);
      } finally {
        await store.close();
        await other.close();
      }
    });

    it('ledgers more rows than it reads at a time, each once, in key order', async () => {
      if (availability.status === 'fail') assert.fail(availability.reason);
      if (database === undefined) throw new Error('the test database was not created');
      const schema = 'many_rows';
      await postgresStoreBefore(database.url, schema, BEFORE_LEDGER, (db) =>
        manyRowsBeforeLedger(db, 'postgres'),
      );
      const store = await openPostgresStore({ url: database.url, schema });
      try {
        await checkManyRowsUpgrade(store);
      } finally {
        await store.close();
      }
    });
  },
);

describe('Both engines backfill the same records', () => {
  it('commits SQLite and PostgreSQL to the same canonical records of the same old rows', () => {
    for (const [scenario, byEngine] of BACKFILLED) {
      const sqlite = byEngine.get('sqlite');
      const postgres = byEngine.get('postgres');
      if (sqlite !== undefined && postgres !== undefined) assert.deepEqual(postgres, sqlite, scenario);
    }
  });
});
