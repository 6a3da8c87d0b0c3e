import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { testPostgres, type TestDatabase } from '../helpers/postgres.ts';
import {
  createTokenWithCli,
  keygenWithCli,
  ROOT,
  runCli,
  runCliOk,
  startServer,
  type StoreArgs,
} from '../helpers/cli.ts';

const availability = testPostgres.availability();

describe(
  'truceline on PostgreSQL (--database-url)',
  { skip: availability.status === 'skip' ? availability.reason : false },
  () => {
    let database: TestDatabase;
    let keyDir: string;
    before(async () => {
      if (availability.status === 'fail') assert.fail(availability.reason);
      assert.equal(availability.status, 'run');
      database = await testPostgres.createDatabase(availability.adminUrl);
      // The ledger's key file, which --database-url requires (every command here inherits it).
      keyDir = mkdtempSync(join(tmpdir(), 'truceline-pg-key-'));
      process.env.TRUCELINE_LEDGER_KEY = join(keyDir, 'ledger.key');
    });
    after(async () => {
      delete process.env.TRUCELINE_LEDGER_KEY;
      rmSync(keyDir, { recursive: true, force: true });
      await database.drop();
    });
    const store = (): StoreArgs => ['--database-url', database.url];

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

    test('refuses to touch the store without the ledger key file', async () => {
      const { TRUCELINE_LEDGER_KEY: _key, ...env } = process.env;
      const refused = await runCli(['sources', 'list', '--database-url', database.url], { env });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /--ledger-key FILE is required with --database-url/);
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

    test('a source key and a read token made with the CLI: `truceline post` sends a signed batch to a server on PostgreSQL, the token reads it back', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'truceline-cli-pg-'));
      try {
        const sources = join(dir, 'sources.json');
        writeFileSync(sources, JSON.stringify({ id: 'pg-ac-1', kind: 'acoustic', organisation: 'mission' }));
        await runCliOk(['sources', 'register', sources, ...store()]);
        const keyFile = join(dir, 'pg-ac-1.key');
        await keygenWithCli(store(), 'pg-ac-1', keyFile);
        const token = await createTokenWithCli(store(), { name: 'pg-reader' });
        const file = join(dir, 'batch.ndjson');
        writeFileSync(
          file,
          ['p1', 'p2']
            .map((id) =>
              JSON.stringify({
                id,
                sourceId: 'pg-ac-1',
                kind: 'acoustic',
                observedAt: new Date(Date.now() - 60_000).toISOString(),
                timeUncertaintyMs: 10,
                location: { lat: 48, lon: 38, ceM: 5 },
                payload: { signal: 'impact' },
              }),
            )
            .join('\n'),
        );
        const server = await startServer(store());
        try {
          const sent = await runCli([
            'post',
            file,
            '--key',
            keyFile,
            '--source',
            'pg-ac-1',
            '--url',
            server.address,
            '--json',
          ]);
          assert.equal(sent.code, 0, sent.stderr);
          assert.equal((JSON.parse(sent.stdout) as { accepted: number }).accepted, 2);
          const url = `${server.address}/api/v1/observations?source=pg-ac-1`;
          const read = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
          assert.equal(read.status, 200);
          const items = ((await read.json()) as { items: { record: { id: string } }[] }).items;
          assert.deepEqual(
            items.map((i) => i.record.id),
            ['p1', 'p2'],
          );
          assert.equal((await fetch(url)).status, 401);
        } finally {
          // Ended before the database is dropped, which its connections would block.
          const exited = new Promise((resolve) => server.child.once('exit', resolve));
          server.child.kill('SIGTERM');
          await exited;
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
