/**
 * WAL checkpoints on their own thread (docs/decisions/0012-background-checkpoints.md): the thread
 * copies committed pages into the file while the writer goes on, the writer falls back to its own
 * checkpoints when the thread is gone, and a store that checkpoints so loses nothing and closes clean.
 *
 * How far the log has been checkpointed is read from SQLite's shared-memory index (the `-shm` file):
 * its header holds the log's last frame (`mxFrame`, byte 16) and the checkpoint's progress
 * (`nBackfill`, byte 96), in the machine's byte order.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import {
  BACKGROUND_AUTOCHECKPOINT_PAGES,
  INLINE_AUTOCHECKPOINT_PAGES,
  startBackgroundCheckpoints,
} from '../../src/adapters/sqlite/background-checkpoints.ts';
import { openSqliteStore } from '../../src/adapters/sqlite/open-sqlite-store.ts';
import { isTrucelineError } from '../../src/core/errors.ts';
import { ObservationFactory } from '../helpers/observation-factory.ts';

const dir = mkdtempSync(join(tmpdir(), 'truceline-checkpoints-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = (): string => join(dir, `db-${++files}.sqlite`);

/** The log's frames and how many of them a checkpoint has copied into the file. */
function walProgress(path: string): { frames: number; backfilled: number } {
  const shm = readFileSync(`${path}-shm`);
  const read = (offset: number): number =>
    endianness() === 'LE' ? shm.readUInt32LE(offset) : shm.readUInt32BE(offset);
  return { frames: read(16), backfilled: read(96) };
}

async function until(what: string, done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A WAL file with a table, and one transaction that puts ~500 pages into the log. */
function walWithPages(path: string): { db: Database.Database; write: () => void } {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY, pad BLOB NOT NULL)');
  const insert = db.prepare('INSERT INTO t (pad) VALUES (?)');
  const write = db.transaction(() => {
    for (let i = 0; i < 2000; i++) insert.run(randomBytes(900));
  });
  return { db, write };
}

test('the thread copies committed pages into the file while the writer does not checkpoint', async () => {
  const path = freshPath();
  const { db, write } = walWithPages(path);
  const checkpoints = startBackgroundCheckpoints(db, { synchronous: 'FULL', busyIntervalMs: 10 });
  try {
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), BACKGROUND_AUTOCHECKPOINT_PAGES);
    write();
    const written = walProgress(path).frames;
    assert.ok(written > 300 && written < INLINE_AUTOCHECKPOINT_PAGES, `${written} frames in the log`);
    await until('every frame is in the file', () => walProgress(path).backfilled >= written);
    assert.equal(checkpoints.running, true);
    await checkpoints.stop();
    assert.equal(checkpoints.running, false);
  } finally {
    await checkpoints.stop();
    db.close();
  }
  const reopened = new Database(path, { readonly: true });
  assert.deepEqual(reopened.prepare('SELECT count(*) AS n FROM t').get(), { n: 2000 });
  reopened.close();
});

test('without the thread, a log under the automatic mark stays unchecked (the control)', async () => {
  const path = freshPath();
  const { db, write } = walWithPages(path);
  try {
    write();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { frames, backfilled } = walProgress(path);
    assert.ok(frames > 300);
    assert.equal(backfilled, 0);
  } finally {
    db.close();
  }
});

test('when the thread cannot run, the writer checkpoints at its own mark again', async () => {
  const path = freshPath();
  const { db } = walWithPages(path);
  // The thread is pointed at a file that does not exist: it fails as it opens it.
  const checkpoints = startBackgroundCheckpoints(db, {
    synchronous: 'FULL',
    path: join(dir, 'missing', 'nothing.sqlite'),
  });
  try {
    await until('the thread has failed', () => checkpoints.failed);
    assert.equal(checkpoints.running, false);
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), INLINE_AUTOCHECKPOINT_PAGES);
  } finally {
    await checkpoints.stop();
    db.close();
  }
});

test('a store that checkpoints in the background keeps every record and closes its log', async () => {
  const path = freshPath();
  const make = new ObservationFactory();
  const store = await openSqliteStore({ path, checkpoints: 'background' });
  const observations = Array.from({ length: 3000 }, () => make.valid({ kind: 'acoustic' }));
  try {
    await until('the store says so', () => store.walCheckpoints?.() === 'background');
    for (let i = 0; i < observations.length; i += 500)
      await store.observations.commitIngest(make.batch(observations.slice(i, i + 500)));
    await until('the log is in the file', () => {
      const { frames, backfilled } = walProgress(path);
      return frames > 0 && backfilled >= frames;
    });
  } finally {
    await store.close();
  }
  // The writer closed last: it checkpointed what was left and removed the log.
  assert.equal(existsSync(`${path}-wal`), false);
  const reopened = await openSqliteStore({ path });
  try {
    assert.equal(reopened.walCheckpoints?.(), 'inline');
    assert.equal(await reopened.observations.count(), observations.length);
    const last = observations[observations.length - 1]!;
    const found = await reopened.observations.findByRecordId(last.sourceId, last.recordId);
    assert.equal(found?.contentSha256, last.contentSha256);
  } finally {
    await reopened.close();
  }
});

test('an unknown checkpoints setting is refused with its name', async () => {
  await assert.rejects(
    openSqliteStore({ path: freshPath(), checkpoints: 'sometimes' as never }),
    (error: unknown) =>
      isTrucelineError(error) &&
      error.code === 'E_UNSUPPORTED' &&
      error.message === 'checkpoints must be inline or background, not sometimes',
  );
});
