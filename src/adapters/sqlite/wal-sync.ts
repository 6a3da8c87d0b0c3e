/**
 * @module The write-ahead log's fsync, off the main thread (docs/decisions/0019-wal-sync-off-the-main-thread.md).
 *
 * With `synchronous=FULL`, SQLite fsyncs the log inside every commit, on the thread that commits: for a
 * server, the one thread that also answers requests and fuses. Ingest's and fusion's commits instead
 * run at `NORMAL` (nothing synced) and then wait here for an `fdatasync` of the log on libuv's thread
 * pool before they resolve. A commit is acknowledged, published or built on only once it is on disk,
 * as with `FULL`; commits that end while one sync runs share the next.
 */
import { closeSync, existsSync, fdatasync, openSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { TrucelineError } from '../../core/errors.ts';

/** Syncs a file descriptor's data to disk; calls back with an error or nothing. */
export type SyncFile = (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void;

export class WalSync {
  readonly #path: string;
  readonly #sync: SyncFile;
  #fd: number | undefined;
  /** The sync running now, if any. */
  #running: Promise<void> | undefined;
  /** The sync that starts once the running one ends: every commit made while that one ran waits for it. */
  #next: Promise<void> | undefined;
  /**
   * The first sync's failure, for good. Linux reports a failed writeback once and may drop the pages:
   * a later sync that succeeds says nothing of them, and commits made on top of them would be answered
   * while they may be lost. So nothing more is committed or answered through this log (see
   * {@link refuseIfFailed}); a restart recovers from what is on disk.
   */
  #failed: Error | undefined;
  #closed = false;
  /** Called once, on the first failure (see {@link whenFailed}). */
  readonly #onFailed: (() => void)[] = [];
  /**
   * What is known to be on disk (see {@link noteDurable}): the highest commit sequence, and the ledger's
   * size (ingest and fusion append ledger entries in the same commits).
   */
  readonly #marks = { seq: 0, ledger: 0 };

  /**
   * @param path the write-ahead log (the database's path and `-wal`)
   * @param sync the call that syncs it (`fs.fdatasync`; tests watch it)
   */
  constructor(path: string, sync: SyncFile = fdatasync) {
    this.#path = path;
    this.#sync = sync;
  }

  /**
   * Resolves once a sync of the log that started after this call has ended: everything committed
   * before the call — by this process or another — is then on disk. Rejects when that sync fails, and
   * from then on at once.
   */
  afterCommit(): Promise<void> {
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    if (this.#closed) return Promise.reject(new TrucelineError('E_STORE', 'the store is closed'));
    // A sync already running may have started before the commit's pages were written: wait for the next.
    if (this.#running === undefined && this.#next === undefined) return this.#start();
    this.#next ??= (this.#running ?? Promise.resolve()).then(
      () => this.#startQueued(),
      () => this.#startQueued(),
    );
    return this.#next;
  }

  /**
   * Notes that a commit whose last sequence was `seq` has been synced: every sequence up to it is on
   * disk, since commits take their sequences in order and each was in the log before that sync began;
   * and the ledger's first `ledgerSize` entries, when the commit read its size after it was made.
   */
  noteDurable(seq: number, ledgerSize?: number): void {
    if (this.#failed !== undefined) return;
    this.#marks.seq = Math.max(this.#marks.seq, seq);
    if (ledgerSize !== undefined) this.#marks.ledger = Math.max(this.#marks.ledger, ledgerSize);
  }

  /**
   * The highest sequence up to `latest` (just read from the store) known to be on disk. At once when a
   * synced commit reached `latest` already, or when a sync is running or queued: what is past the
   * mark then waits for it (the commits that wait for that sync wake readers once it ends, and readers
   * poll). Else after a sync begun now, which covers another process's commits too. Once a sync has
   * failed, the mark it left: what was synced before stays readable while nothing more is committed.
   */
  durable(latest: number): Promise<number> {
    return this.#durableUpTo('seq', latest);
  }

  /**
   * How many of the ledger's first `latest` entries (its size just read) are on disk. Unlike
   * {@link durable}, it waits for a sync even while one runs: only ingest's and fusion's commits note
   * the ledger's size, so the mark lags the entries other commits add (sources, agreements, cases,
   * checkpoints — synced in their own commits), and a reader of an entry or a proof asks once, for an
   * index it was just given. Once a sync has failed or the log is closed, the mark.
   */
  durableLedgerSize(latest: number): Promise<number> {
    return this.#durableUpTo('ledger', latest, true);
  }

  async #durableUpTo(mark: 'seq' | 'ledger', latest: number, waitForRunning = false): Promise<number> {
    if (latest <= this.#marks[mark]) return latest;
    if (this.#failed !== undefined || this.#closed) return this.#marks[mark];
    if (!waitForRunning && (this.#running !== undefined || this.#next !== undefined))
      return this.#marks[mark];
    // It rejects when the sync fails: the mark moves only on a sync that ended well.
    await this.afterCommit();
    this.#marks[mark] = Math.max(this.#marks[mark], latest);
    return latest;
  }

  /**
   * At open: syncs the log as it stands (a process that crashed may have left its last commits in the
   * OS's cache only) and notes the latest sequence and the ledger's size as on disk, so readers start
   * from them rather than from nothing.
   */
  async opened(latest: number, ledgerSize: number): Promise<void> {
    if (existsSync(this.#path)) await this.afterCommit();
    this.noteDurable(latest, ledgerSize);
  }

  /**
   * Calls `listener` when a sync first fails: the store makes its connection read-only then, so that
   * the commits that do not go through this log's syncs (registrations, cases, checkpoints — synced
   * inside their own commits) are refused too rather than made on top of pages that may be lost.
   */
  whenFailed(listener: () => void): void {
    this.#onFailed.push(listener);
  }

  /** Whether a sync has failed (for good: see {@link refuseIfFailed}). */
  get failed(): boolean {
    return this.#failed !== undefined;
  }

  /** Throws the failure of an earlier sync: no commit is made on top of what may not be on disk. */
  refuseIfFailed(): void {
    if (this.#failed !== undefined)
      throw new TrucelineError(
        'E_STORE',
        'the write-ahead log could not be synced to disk earlier: nothing more is committed until the process restarts',
        { cause: this.#failed },
      );
  }

  /** Waits for the syncs asked for, then closes the log's descriptor; no sync is asked for after. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#running !== undefined || this.#next !== undefined)
      await (this.#next ?? this.#running)?.catch(() => undefined);
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #startQueued(): Promise<void> {
    this.#next = undefined;
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    return this.#start();
  }

  #start(): Promise<void> {
    const running = new Promise<void>((resolve, reject) => {
      // The log exists once a commit has written it, and keeps its inode while a connection is open:
      // SQLite restarts it by overwriting, truncates it in place, and deletes it only with the last connection.
      this.#fd ??= openSync(this.#path, 'r');
      this.#sync(this.#fd, (error) => {
        if (error === null) resolve();
        else {
          if (this.#failed === undefined) {
            this.#failed = error;
            for (const listener of this.#onFailed.splice(0))
              try {
                listener();
              } catch {
                // A listener's own failure must not keep the commits waiting here from hearing of this one.
              }
          }
          reject(error);
        }
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
  wal.refuseIfFailed();
  db.pragma('synchronous = NORMAL');
  try {
    return commit();
  } finally {
    db.pragma('synchronous = FULL');
  }
}
