/**
 * @module The write-ahead log's fsync, off the main thread (docs/decisions/0019-wal-sync-off-the-main-thread.md).
 *
 * With `synchronous=FULL`, SQLite fsyncs the log inside every commit, on the thread that commits: for a
 * server, the one thread that also answers requests and fuses. Ingest's and fusion's commits instead
 * run at `NORMAL` (nothing synced) and then wait here for an `fdatasync` of the log on libuv's thread
 * pool before they resolve. A commit is acknowledged, published or built on only once it is on disk,
 * as with `FULL`; commits that end while one sync runs share the next.
 */
import { closeSync, fdatasync, openSync } from 'node:fs';
import type Database from 'better-sqlite3';

/** Syncs a file descriptor's data to disk; calls back with an error or nothing. */
export type SyncFile = (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void;

export class WalSync {
  readonly #path: string;
  readonly #sync: SyncFile;
  readonly #seqNow: () => number;
  /** Commits of this process not yet synced: the last sequence before each (see {@link syncedThrough}). */
  #unsynced: { readonly before: number }[] = [];
  #fd: number | undefined;
  /** The sync running now, if any. */
  #running: Promise<void> | undefined;
  /** The sync that starts once the running one ends: every commit made while that one ran waits for it. */
  #next: Promise<void> | undefined;

  /**
   * @param path the write-ahead log (the database's path and `-wal`)
   * @param seqNow the store's last commit sequence as it stands (read before each commit)
   * @param sync the call that syncs it (`fs.fdatasync`; tests watch it)
   */
  constructor(path: string, seqNow: () => number, sync: SyncFile = fdatasync) {
    this.#path = path;
    this.#seqNow = seqNow;
    this.#sync = sync;
  }

  /**
   * The highest sequence through which no commit of this process waits for its sync (∞ when none
   * waits): readers that publish stop there, since a commit is visible before it is on disk.
   */
  syncedThrough(): number {
    let through = Number.POSITIVE_INFINITY;
    for (const commit of this.#unsynced) through = Math.min(through, commit.before);
    return through;
  }

  /**
   * Resolves once a sync of the log that started after this call has ended: everything committed
   * before the call is then on disk. Rejects when that sync fails.
   */
  afterCommit(): Promise<void> {
    // A sync already running may have started before the commit's pages were written: wait for the next.
    if (this.#running === undefined) return this.#start();
    this.#next ??= this.#running.then(
      () => this.#startQueued(),
      () => this.#startQueued(),
    );
    return this.#next;
  }

  /** The store's last sequence before a commit (see {@link noteUnsynced}). */
  seqBeforeCommit(): number {
    return this.#seqNow();
  }

  /** Notes a commit made without a sync, which held sequences after `before` only. */
  noteUnsynced(before: number): void {
    this.#unsynced.push({ before });
  }

  /** Waits for the syncs asked for, then closes the log's descriptor. */
  async close(): Promise<void> {
    while (this.#running !== undefined || this.#next !== undefined)
      await (this.#next ?? this.#running)?.catch(() => undefined);
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #startQueued(): Promise<void> {
    this.#next = undefined;
    return this.#start();
  }

  #start(): Promise<void> {
    // Every commit noted so far is in the log before this sync begins: on disk once it ends.
    const covered = new Set(this.#unsynced);
    const running = new Promise<void>((resolve, reject) => {
      // The log exists once a commit has written it, and keeps its inode while a connection is open:
      // SQLite restarts it by overwriting, truncates it in place, and deletes it only with the last connection.
      this.#fd ??= openSync(this.#path, 'r');
      this.#sync(this.#fd, (error) => {
        if (error !== null) {
          reject(error);
          return;
        }
        this.#unsynced = this.#unsynced.filter((commit) => !covered.has(commit));
        resolve();
      });
    });
    const settled = running.finally(() => {
      if (this.#running === settled) this.#running = undefined;
    });
    this.#running = settled;
    return settled;
  }
}

/**
 * Runs `commit` (a transaction on `db`, which runs at `synchronous=FULL`) with the log left unsynced
 * when `wal` will sync it; with no `wal` (the store was opened at `NORMAL`), as the connection is set.
 * The caller waits for {@link WalSync.afterCommit} before it acknowledges or publishes anything.
 */
export function commitUnsynced<T>(db: Database.Database, wal: WalSync | undefined, commit: () => T): T {
  if (wal === undefined) return commit();
  const before = wal.seqBeforeCommit();
  db.pragma('synchronous = NORMAL');
  let result: T;
  try {
    result = commit();
  } finally {
    db.pragma('synchronous = FULL');
  }
  wal.noteUnsynced(before);
  return result;
}
