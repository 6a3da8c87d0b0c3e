/**
 * Contract of the Store port as a whole, on every engine: what survives closing and reopening, two
 * stores sharing one storage (the CLI's ingest beside a running server), and the online backup
 * (SQLite) or its refusal with E_UNSUPPORTED (engines with their own tools, or nothing durable).
 */
import assert from 'node:assert/strict';
import { fdatasync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/adapters/sqlite/open-sqlite-store.ts';
import type { SyncFile } from '../../src/adapters/sqlite/wal-sync.ts';
import { DEFAULT_MARKINGS } from '../../src/core/access/markings.ts';
import { ObservationFactory } from '../helpers/observation-factory.ts';
import { describeEachEngine } from './engines.ts';

const scratch = mkdtempSync(join(tmpdir(), 'truceline-backup-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describeEachEngine('Store lifecycle', (engine) => {
  const make = new ObservationFactory();

  // The memory store keeps nothing outside itself: these two apply to durable engines only.
  const { openAgain } = engine;
  if (openAgain !== undefined) {
    it('keeps everything across close and reopen, and the commit sequence carries on', async () => {
      const store = await engine.open({ maxQuarantineBytes: 10 });
      const first = [
        make.valid({ sourceId: 'persist' }),
        make.valid({ sourceId: 'persist', kind: 'heartbeat' }),
      ];
      await store.observations.commitIngest(make.batch(first, [make.reject('12345678')]));
      await store.sources.upsert({
        id: 'persist',
        kind: 'acoustic',
        organisation: 'smm',
        name: 'Persisting array',
        position: null,
        orientationDeg: null,
        capabilities: {},
        keys: [],
        registeredAtMs: 1,
        marking: { tlp: 'RED', releasableTo: ['mission'] },
      });
      await store.agreements.register({ id: 'a', documentJson: '{}', contentSha256: 'h', registeredAtMs: 1 });
      const before = {
        rows: await store.observations.listAfter(0, 10),
        status: await store.sources.listStatus(),
        sources: await store.sources.list(),
        agreements: await store.agreements.list(),
        quarantine: await store.observations.listQuarantine(0, 10),
      };
      await store.close();

      const reopened = await openAgain(store, { maxQuarantineBytes: 10 });
      assert.deepEqual(
        {
          rows: await reopened.observations.listAfter(0, 10),
          status: await reopened.sources.listStatus(),
          sources: await reopened.sources.list(),
          agreements: await reopened.agreements.list(),
          quarantine: await reopened.observations.listQuarantine(0, 10),
        },
        before,
      );
      assert.equal(await reopened.observations.latestSeq(), 2);
      const next = await reopened.observations.commitIngest(
        make.batch([make.valid({ sourceId: 'persist' }), first[0]!], [make.reject('123')]),
      );
      assert.deepEqual(next.outcomes, [
        { status: 'accepted', seq: 3 },
        { status: 'duplicate', seq: 1 },
      ]);
      // The quota is remembered: 8 of 10 bytes were used before the restart.
      const quarantine = await reopened.observations.listQuarantine(1, 10);
      assert.deepEqual(
        quarantine.map((e) => [e.id, e.headKept]),
        [[2, false]],
      );
    });

    it('lets two stores on one storage commit at the same time with one commit sequence', async () => {
      const server = await engine.open();
      const cli = await openAgain(server);
      const contested = make.valid({
        sourceId: 'shared',
        id: 'both-send-this',
        observedAtMs: Date.parse('2026-02-02T00:00:00Z'),
      });
      const batches = Array.from({ length: 8 }, (_, b) => [
        contested,
        ...Array.from({ length: 20 }, (_, i) => make.valid({ sourceId: 'shared', id: `b${b}-${i}` })),
      ]);
      const results = await Promise.all(
        batches.map((observations, b) =>
          (b % 2 === 0 ? server : cli).observations.commitIngest(make.batch(observations)),
        ),
      );
      const accepted = results.flatMap((r) =>
        r.outcomes.filter((o) => o.status === 'accepted').map((o) => o.seq),
      );
      assert.equal(accepted.length, 8 * 20 + 1);
      assert.deepEqual(
        [...accepted].sort((a, b) => a - b),
        Array.from({ length: 161 }, (_, i) => i + 1),
        'every seq used once',
      );
      assert.equal(results.flatMap((r) => r.outcomes).filter((o) => o.status === 'duplicate').length, 7);
      for (const store of [server, cli]) {
        assert.equal(await store.observations.count(), 161);
        assert.equal(await store.observations.latestSeq(), 161);
        assert.equal((await store.observations.listAfter(0, 1000)).length, 161);
      }
    });
  }

  if (engine.name === 'sqlite')
    it('creates a new database file, and its log, readable by their owner only', async () => {
      const path = join(scratch, `private-${Date.now()}.db`);
      const store = await openSqliteStore({ path });
      try {
        await store.observations.commitIngest(make.batch([make.valid({ sourceId: 'private' })]));
        for (const file of [path, `${path}-wal`]) assert.equal(statSync(file).mode & 0o777, 0o600, file);
      } finally {
        await store.close();
      }
      // Through a link to a file not made yet, the file made is private too.
      const target = join(scratch, `private-target-${Date.now()}.db`);
      const link = `${target}.link`;
      symlinkSync(target, link);
      const linked = await openSqliteStore({ path: link });
      await linked.close();
      assert.equal(statSync(target).mode & 0o777, 0o600, 'the link target');
    });

  if (engine.name === 'sqlite')
    it('dates an ingest commit once it holds the write lock, not before', async () => {
      const path = join(scratch, `dated-${Date.now()}.db`);
      // A second connection tells, whenever the store reads its clock, whether the store's commit
      // already holds the write lock: it cannot take the lock itself while the commit holds it.
      const probe = new Database(path, { fileMustExist: false });
      probe.pragma('busy_timeout = 0');
      const heldWhenDated: boolean[] = [];
      const clock = {
        now: () => {
          try {
            probe.exec('BEGIN IMMEDIATE');
            probe.exec('ROLLBACK');
            heldWhenDated.push(false);
          } catch {
            heldWhenDated.push(true);
          }
          return 1_700_000_000_000;
        },
      };
      const store = await openSqliteStore({ path, clock });
      try {
        heldWhenDated.length = 0;
        await store.observations.commitIngest(make.batch([make.valid({ sourceId: 'dated' })]));
        assert.deepEqual(await store.observations.listCommitTimes(0, 10), [
          { lastSeq: 1, committedAtMs: 1_700_000_000_000 },
        ]);
        assert.ok(heldWhenDated.length > 0 && heldWhenDated.every(Boolean), heldWhenDated.join(', '));
      } finally {
        await store.close();
        probe.close();
      }
    });

  if (engine.name === 'sqlite')
    it('once a sync of the log fails, refuses every write and stops copying the log into the file', async () => {
      const path = join(scratch, `failed-sync-${Date.now()}.db`);
      let failing = false;
      const syncLog: SyncFile = (fd, done) => {
        if (failing) done(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
        else fdatasync(fd, done);
      };
      const store = await openSqliteStore({ path, syncLog, checkpoints: 'background' });
      try {
        await store.observations.commitIngest(make.batch([make.valid({ sourceId: 'before' })]));
        for (let turns = 0; store.walCheckpoints?.() !== 'background'; turns++) {
          assert.ok(turns < 1_000, 'the checkpoint thread starts');
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        failing = true;
        await assert.rejects(
          store.observations.commitIngest(make.batch([make.valid({ sourceId: 'lost' })])),
          { code: 'E_STORE' },
        );
        const refused = { code: 'E_STORE', message: /could not be synced to disk earlier/ };
        await assert.rejects(
          async () =>
            store.sources.upsert({
              id: 'after',
              kind: 'radar',
              organisation: 'mission',
              name: 'after',
              position: null,
              orientationDeg: null,
              capabilities: {},
              keys: [],
              registeredAtMs: 1,
              marking: DEFAULT_MARKINGS.source,
            }),
          refused,
        );
        assert.equal(await store.sources.find('after'), undefined);
        for (let turns = 0; store.walCheckpoints?.() !== 'stopped'; turns++) {
          assert.ok(turns < 1_000, 'the checkpoint thread stops');
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        // Reads go on, as far as what was synced.
        assert.equal(await store.observations.durableSeq(), 1);
        assert.equal((await store.observations.listAfter(0, 1)).length, 1);
      } finally {
        const fileBytes = statSync(path).size;
        await store.close();
        // Closing copies nothing more into the database file, and leaves the log for the recovery.
        assert.equal(statSync(path).size, fileBytes, 'the database file as it was');
        assert.ok(statSync(`${path}-wal`).size > 0, 'the log is kept');
      }
    });

  it('writes a consistent backup while commits go on (SQLite), or refuses with E_UNSUPPORTED', async () => {
    const store = await engine.open();
    const target = join(scratch, `backup-${engine.name}-${Date.now()}.db`);
    if (engine.name !== 'sqlite') {
      await assert.rejects(store.backup(target), (error: unknown) => {
        assert.equal((error as { code?: unknown }).code, 'E_UNSUPPORTED');
        if (engine.name === 'postgres') assert.match((error as Error).message, /pg_dump/);
        return true;
      });
      return;
    }
    const acknowledged: string[] = [];
    const commitOne = async (i: number, size: number) => {
      const text = 'x'.repeat(900);
      const batch = Array.from({ length: size }, (_, j) =>
        make.valid({ sourceId: 'busy', id: `w${i}-${j}`, text }),
      );
      await store.observations.commitIngest(make.batch(batch));
      acknowledged.push(...batch.map((o) => o.recordId));
    };
    // Enough data (~15 MB) that a backup in steps would take several, with commits in between.
    for (let i = 0; i < 10; i++) await commitOne(i, 1200);
    const beforeBackup = [...acknowledged];
    // The commits come from another connection, as a running server's do while `truceline backup`
    // copies its file: each one restarts a backup copied in steps, which then never ends.
    if (openAgain === undefined) throw new Error('a durable engine opens its storage again');
    const server = await openAgain(store);
    const serverCommit = async (i: number) => {
      await server.observations.commitIngest(
        make.batch(Array.from({ length: 50 }, (_, j) => make.valid({ sourceId: 'busy', id: `s${i}-${j}` }))),
      );
    };
    let writing = true;
    let commitsDuringBackup = 0;
    const startedMs = Date.now();
    const writer = (async () => {
      // Past 20 s the writer stops, so that a backup that cannot end under commits fails, not hangs.
      for (let i = 0; writing && Date.now() - startedMs < 20_000; i++) {
        await serverCommit(i);
        commitsDuringBackup += 1;
      }
    })();
    await store.backup(target);
    const finishedWhileWriting = writing && Date.now() - startedMs < 20_000;
    writing = false;
    await writer;
    await server.close();
    assert.ok(finishedWhileWriting, 'the backup ended while another connection kept committing');
    assert.ok(commitsDuringBackup > 0, 'the other connection committed while the backup ran');
    assert.equal(statSync(target).mode & 0o777, 0o600, 'the copy is readable by its owner only');
    const copy = await openSqliteStore({ path: target });
    try {
      const count = await copy.observations.count();
      assert.ok(count >= beforeBackup.length, 'everything acknowledged before the backup is in it');
      const rows = await copy.observations.listAfter(0, count + 1);
      assert.equal(rows.length, count);
      assert.deepEqual(
        rows.map((r) => r.seq),
        Array.from({ length: count }, (_, i) => i + 1),
        'a consistent copy: no gap in the commit sequence',
      );
      const ids = new Set(rows.map((r) => r.recordId));
      for (const id of beforeBackup) assert.ok(ids.has(id), `${id} is in the backup`);
      assert.equal(await copy.observations.latestSeq(), count);
    } finally {
      await copy.close();
    }
  });
});
