/**
 * @module The PostgreSQL the `postgres` area runs against: `TRUCELINE_BENCH_DATABASE_URL` or
 * `TRUCELINE_TEST_DATABASE_URL` if set (a role that may create databases), otherwise a throw-away
 * cluster started with scripts/start-test-postgres.sh and stopped at the end. Every run gets fresh
 * databases, dropped after.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { BENCH_DIR } from '../generate-observations.ts';

export interface BenchPostgres {
  /** A URL of a role that may create and drop databases. */
  readonly adminUrl: string;
  /** What server it is, for the report. */
  readonly description: string;
  stop(): void;
}

export async function benchPostgres(log: (message: string) => void): Promise<BenchPostgres> {
  const given = process.env.TRUCELINE_BENCH_DATABASE_URL ?? process.env.TRUCELINE_TEST_DATABASE_URL;
  if (given !== undefined && given !== '')
    return { adminUrl: given, description: await version(given), stop: () => undefined };
  log('postgres: starting a throw-away cluster (scripts/start-test-postgres.sh)');
  const out = execFileSync('sh', [join(BENCH_DIR, '..', 'scripts', 'start-test-postgres.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const vars = new Map<string, string>();
  for (const m of out.matchAll(/^export (\w+)='([^']*)'$/gm)) vars.set(m[1]!, m[2]!);
  const adminUrl = vars.get('TRUCELINE_TEST_DATABASE_URL');
  const dir = vars.get('TRUCELINE_TEST_PG_DIR');
  const bin = vars.get('TRUCELINE_TEST_PG_BIN');
  if (adminUrl === undefined || dir === undefined || bin === undefined)
    throw new Error(`start-test-postgres.sh printed no URL:\n${out}`);
  return {
    adminUrl,
    description: `${await version(adminUrl)} (throw-away cluster, default settings, fsync on)`,
    stop: () => {
      const asPostgres = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
      const command = [
        ...asPostgres,
        join(bin, 'pg_ctl'),
        '-D',
        join(dir, 'data'),
        '-m',
        'fast',
        '-w',
        'stop',
      ];
      spawnSync(command[0]!, command.slice(1), { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function version(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return `PostgreSQL ${rows[0]!.v}`;
  } finally {
    await client.end();
  }
}

/** The URL of database `name` on the server of `adminUrl`. */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates (or, with `drop`, drops) a database. */
export async function createOrDropDatabase(adminUrl: string, name: string, drop = false): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`bad database name ${name}`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(drop ? `DROP DATABASE IF EXISTS ${name} WITH (FORCE)` : `CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
}
