import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { testPostgres, type TestDatabase } from '../helpers/postgres.ts';
import { ROOT, runCli } from '../helpers/cli.ts';

const availability = testPostgres.availability();

describe(
  'truceline on PostgreSQL (--database-url)',
  { skip: availability.status === 'skip' ? availability.reason : false },
  () => {
    let database: TestDatabase;
    before(async () => {
      if (availability.status === 'fail') assert.fail(availability.reason);
      assert.equal(availability.status, 'run');
      database = await testPostgres.createDatabase(availability.adminUrl);
    });
    after(async () => {
      await database.drop();
    });

    test('imports the UCDP GED file with the same counts as on SQLite, then reports duplicates', async () => {
      const file = join(ROOT, 'test/fixtures/ucdp-ged-ukraine-2014-2022.csv');
      const first = await runCli(['ingest', file, '--database-url', database.url, '--json']);
      assert.equal(first.code, 0, first.stderr);
      const summary = JSON.parse(first.stdout) as { accepted: number; rejected: number };
      assert.deepEqual([summary.accepted, summary.rejected], [3074, 3]);
      const again = JSON.parse(
        (await runCli(['ingest', file, '--database-url', database.url, '--json'])).stdout,
      ) as {
        accepted: number;
        duplicates: number;
      };
      assert.deepEqual([again.accepted, again.duplicates], [0, 3074]);
    });

    test('registers an agreement and says that backup belongs to pg_dump', async () => {
      const registered = await runCli([
        'agreement',
        'register',
        'donbas-2015',
        '--database-url',
        database.url,
      ]);
      assert.equal(registered.code, 0, registered.stderr);
      const backup = await runCli([
        'backup',
        '--out',
        '/tmp/never-written.db',
        '--database-url',
        database.url,
      ]);
      assert.equal(backup.code, 1);
      assert.match(backup.stderr, /pg_dump/);
    });
  },
);
