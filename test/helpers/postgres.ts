/**
 * @module PostgreSQL for the tests. `TRUCELINE_TEST_DATABASE_URL` is an admin URL to a running cluster
 * on loopback (`eval "$(scripts/start-test-postgres.sh)"` starts a throw-away one); each test file gets
 * a fresh database with PostGIS, dropped afterwards. Without the variable a PostgreSQL suite is skipped
 * with a message — unless `TRUCELINE_REQUIRE_SERVICES=1` (as in CI), where it fails instead: in CI no
 * suite may skip itself.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Whether the PostgreSQL suites run here, and if not, why. */
export type PostgresAvailability =
  | { readonly status: 'run'; readonly adminUrl: string }
  | { readonly status: 'skip'; readonly reason: string }
  | { readonly status: 'fail'; readonly reason: string };

/** A database made for one test file. */
export interface TestDatabase {
  /** Connection URL of the fresh database (same role as the admin URL). */
  readonly url: string;
  /** Drops it (closing any connection still open to it). */
  drop(): Promise<void>;
}

const HOW_TO = 'start one with: eval "$(scripts/start-test-postgres.sh)" (sets TRUCELINE_TEST_DATABASE_URL)';

/** PostgreSQL for tests: whether it is available, and fresh databases on it. */
export const testPostgres = {
  availability(env: NodeJS.ProcessEnv = process.env): PostgresAvailability {
    const adminUrl = env.TRUCELINE_TEST_DATABASE_URL;
    if (adminUrl !== undefined && adminUrl !== '') return { status: 'run', adminUrl };
    if (env.TRUCELINE_REQUIRE_SERVICES === '1')
      return {
        status: 'fail',
        reason: `TRUCELINE_REQUIRE_SERVICES=1 but TRUCELINE_TEST_DATABASE_URL is not set: the PostgreSQL suite must run here; ${HOW_TO}`,
      };
    return {
      status: 'skip',
      reason: `PostgreSQL suite skipped: TRUCELINE_TEST_DATABASE_URL is not set; ${HOW_TO}`,
    };
  },

  /** Creates a database with a unique name and the PostGIS extension. */
  async createDatabase(adminUrl: string): Promise<TestDatabase> {
    const name = `truceline_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    try {
      await withClient(url.toString(), (client) => client.query('CREATE EXTENSION IF NOT EXISTS postgis'));
    } catch (error) {
      await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      throw new Error(`PostGIS is not available on the test cluster (install postgresql-15-postgis-3)`, {
        cause: error,
      });
    }
    return {
      url: url.toString(),
      drop: async () => {
        await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      },
    };
  },
};

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
