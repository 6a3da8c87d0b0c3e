import assert from 'node:assert/strict';
import { fdatasync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { commitUnsynced, WalSync, type SyncFile } from './wal-sync.ts';

/** A real log file, and the real fdatasync watched: each sync ends only when the test lets it. */
function watched(): {
  wal: WalSync;
  started: number[];
  finish: (error?: NodeJS.ErrnoException) => void;
  cleanUp: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'truceline-wal-sync-'));
  const path = join(dir, 'test.db-wal');
  writeFileSync(path, 'log');
  const started: number[] = [];
  const pending: ((error: NodeJS.ErrnoException | null) => void)[] = [];
  const sync: SyncFile = (fd, done) => {
    started.push(fd);
    pending.push(done);
  };
  return {
    wal: new WalSync(path, sync),
    started,
    finish: (error) => {
      const done = pending.shift();
      assert.ok(done, 'a sync is running');
      if (error !== undefined) done(error);
      else fdatasync(started.at(-1) ?? -1, done);
    },
    cleanUp: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const settledState = async (promise: Promise<unknown>): Promise<'pending' | 'resolved' | 'rejected'> => {
  const marker = Symbol('pending');
  const outcome = await Promise.race([
    promise.then(
      () => 'resolved' as const,
      () => 'rejected' as const,
    ),
    new Promise<typeof marker>((resolve) => setImmediate(() => resolve(marker))),
  ]);
  return outcome === marker ? 'pending' : outcome;
};

type Watched = ReturnType<typeof watched>;

/** Runs `body` with a watched log, then waits for its syncs, closes it and removes its directory. */
async function withWatched(body: (watch: Watched) => Promise<void>): Promise<void> {
  const watch = watched();
  try {
    await body(watch);
    await watch.wal.close();
  } finally {
    watch.cleanUp();
  }
}

/** Runs `body` with a fresh SQLite file in WAL mode at FULL holding one table `t (n)`. */
async function withWalDatabase(
  body: (db: Database.Database, dir: string) => Promise<void> | void,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'truceline-wal-sync-'));
  const db = new Database(join(dir, 'test.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE t (n INTEGER)');
    await body(db, dir);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const eio = (): NodeJS.ErrnoException =>
  Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });

test('a commit with no sync running starts one and is answered only when it ends', async () => {
  await withWatched(async ({ wal, started, finish }) => {
    const synced = wal.afterCommit();
    assert.equal(started.length, 1);
    assert.equal(await settledState(synced), 'pending');
    finish();
    await synced;
  });
});

test('commits made while a sync runs wait for the next one, which they share', async () => {
  await withWatched(async ({ wal, started, finish }) => {
    const first = wal.afterCommit();
    // These two committed after the running sync began: it may not hold their pages.
    const second = wal.afterCommit();
    const third = wal.afterCommit();
    assert.equal(started.length, 1);
    finish();
    await first;
    assert.equal(await settledState(second), 'pending');
    assert.equal(started.length, 2, 'the next sync starts once the running one ends');
    finish();
    await Promise.all([second, third]);
    assert.equal(started.length, 2);
  });
});

test('a failed sync fails every commit after it too, at once: nothing is answered on top of it', async () => {
  await withWatched(async ({ wal, started, finish }) => {
    const failing = wal.afterCommit();
    const queued = wal.afterCommit();
    finish(eio());
    await assert.rejects(failing, /EIO/);
    await assert.rejects(queued, /EIO/);
    // A later sync could succeed while the pages the failed one dropped are lost: none is started.
    await assert.rejects(wal.afterCommit(), /EIO/);
    assert.equal(started.length, 1);
    assert.throws(() => wal.refuseIfFailed(), /could not be synced to disk earlier/);
  });
});

test('a commit made as an earlier one is answered joins the sync already queued, which close waits for', async () => {
  await withWatched(async ({ wal, started, finish }) => {
    const first = wal.afterCommit();
    let third: Promise<void> | undefined;
    // Called back after the running sync has ended and before the queued one has started.
    const answered = first.then(() => {
      third = wal.afterCommit();
    });
    const second = wal.afterCommit();
    finish();
    await answered;
    assert.equal(started.length, 2, 'one sync for the second and third');
    const closed = wal.close();
    finish();
    await Promise.all([second, third, closed]);
    await assert.rejects(wal.afterCommit(), /closed/);
  });
});

test('closing waits for the syncs asked for', async () => {
  await withWatched(async ({ wal, finish }) => {
    const synced = wal.afterCommit();
    const queued = wal.afterCommit();
    const closed = wal.close();
    assert.equal(await settledState(closed), 'pending');
    finish();
    await synced;
    finish();
    await queued;
    await closed;
  });
});

test('a commit runs at NORMAL when the log is synced after it, and the connection is FULL again after', async () => {
  await withWalDatabase((db, dir) => {
    const level = (): unknown => db.pragma('synchronous', { simple: true });
    const wal = new WalSync(join(dir, 'test.db-wal'));
    const insert = db.transaction(() => {
      assert.equal(level(), 1, 'NORMAL inside the commit');
      db.prepare('INSERT INTO t VALUES (1)').run();
    });
    commitUnsynced(db, wal, () => insert.immediate());
    assert.equal(level(), 2);
    assert.throws(() =>
      commitUnsynced(db, wal, () => {
        throw new Error('the commit failed');
      }),
    );
    assert.equal(level(), 2, 'FULL again after a failed commit');
    // Without a log to sync (a store opened at NORMAL), the connection's own setting is left alone.
    db.pragma('synchronous = NORMAL');
    commitUnsynced(db, undefined, () => insert.immediate());
    assert.equal(level(), 1);
  });
});

test('after a failed sync, a commit is refused before it is made', async () => {
  await withWatched(({ wal, finish }) =>
    withWalDatabase(async (db) => {
      const failing = wal.afterCommit();
      finish(eio());
      await assert.rejects(failing, /EIO/);
      assert.throws(
        () => commitUnsynced(db, wal, () => db.prepare('INSERT INTO t VALUES (1)').run()),
        /could not be synced to disk earlier/,
      );
      assert.equal(db.prepare<[], { n: number }>('SELECT count(*) AS n FROM t').get()?.n, 0);
      assert.equal(db.pragma('synchronous', { simple: true }), 2);
    }),
  );
});

test('a sequence a synced commit reached is on disk at once; one past it waits for a sync begun after, or for the running one', async () => {
  await withWatched(async ({ wal, started, finish }) => {
    wal.noteDurable(5);
    assert.equal(await wal.durable(5), 5);
    assert.equal(started.length, 0, 'no sync for what is known to be on disk');
    const later = wal.durable(8);
    assert.equal(started.length, 1);
    assert.equal(await settledState(later), 'pending');
    // While a sync runs, what is past the mark waits for it rather than for another.
    assert.equal(await wal.durable(9), 5);
    finish();
    assert.equal(await later, 8);
    assert.equal(await wal.durable(7), 7);
    assert.equal(started.length, 1);
  });
});

test('once a sync has failed, readers get what was synced before it, without waiting', async () => {
  await withWatched(async ({ wal, started, finish }) => {
    wal.noteDurable(4);
    const failing = wal.afterCommit();
    finish(eio());
    await assert.rejects(failing, /EIO/);
    // Reads go on from the mark: it was on disk before the failure.
    assert.equal(await wal.durable(9), 4);
    assert.equal(await wal.durable(3), 3);
    assert.equal(started.length, 1, 'no sync is started after a failure');
  });
});

test('at open, the log is synced and the latest sequence is on disk from then on', async () => {
  await withWatched(async ({ wal, started, finish }) => {
    const opening = wal.opened(12, 30);
    assert.equal(started.length, 1, 'what a crashed process left may be in the cache only');
    assert.equal(await settledState(opening), 'pending');
    finish();
    await opening;
    assert.equal(await wal.durable(12), 12);
    assert.equal(started.length, 1);
  });
});

test('at open without a log yet, there is nothing to sync', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'truceline-wal-sync-'));
  try {
    const started: number[] = [];
    const wal = new WalSync(join(dir, 'none.db-wal'), (fd) => started.push(fd));
    await wal.opened(3, 0);
    assert.equal(await wal.durable(3), 3);
    assert.deepEqual(started, []);
    await wal.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the ledger size a synced commit noted is on disk at once; a larger one waits for a sync', async () => {
  await withWatched(async ({ wal, started, finish }) => {
    wal.noteDurable(5, 40);
    assert.equal(await wal.durableLedgerSize(40), 40);
    assert.equal(await wal.durable(5), 5);
    const later = wal.durableLedgerSize(44);
    assert.equal(started.length, 1);
    // While that sync runs, a larger size waits for the next one, which starts once it ends: entries
    // added by commits that note no size (a checkpoint's, a case's) are served once that one is done.
    let larger: number | undefined;
    const waiting = wal.durableLedgerSize(45).then((size) => (larger = size));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(larger, undefined);
    finish();
    assert.equal(await later, 44);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(started.length, 2);
    assert.equal(larger, undefined);
    finish();
    assert.equal(await waiting, 45);
    // A commit that noted no ledger size leaves the ledger's mark where it was.
    wal.noteDurable(9);
    assert.equal(await wal.durable(9), 9);
    assert.equal(await wal.durableLedgerSize(44), 44);
  });
});
