/**
 * @module The SQLite store, the default: one file, WAL, `synchronous=FULL` (an acknowledged record
 * survives power loss), shared safely by a running server and a CLI `ingest` of observations on the
 * same file. One process fuses the file at a time, the one holding fusion's lease
 * (docs/decisions/0018-fusion-lease.md).
 */
import type { Clock } from '../../core/ports/clock.ts';
import { closeSync, existsSync, openSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { withStatementCache } from './statement-cache.ts';
import { startBackgroundCheckpoints } from './background-checkpoints.ts';
import { TrucelineError } from '../../core/errors.ts';
import type { Store } from '../../core/ports/store.ts';
import { DEFAULT_MAX_QUARANTINE_BYTES } from '../common/quarantine-row.ts';
import { SqliteAccessStore } from './sqlite-access-store.ts';
import { SqliteAgreementStore } from './sqlite-agreement-store.ts';
import { SqliteFusionStore } from './sqlite-fusion-store.ts';
import { SqliteActionLog } from './sqlite-action-log.ts';
import { SqliteAttachmentStore } from './sqlite-attachment-store.ts';
import { CASE_TABLES, VERIFICATION_TABLES } from '../common/action-log-rows.ts';
import { SqliteLedgerStore, SqliteLedgerWriter } from './sqlite-ledger.ts';
import { sqliteMigrations } from './sqlite-migrations.ts';
import { WalSync, type SyncFile } from './wal-sync.ts';
import { SqliteObservationStore } from './sqlite-observation-store.ts';
import type { SqliteSchema } from './sqlite-schema.ts';
import { SqliteSourceStore } from './sqlite-source-store.ts';

export interface SqliteStoreOptions {
  /** The database file; created with the schema when missing. */
  readonly path: string;
  /**
   * `FULL` (the default) syncs the write-ahead log at every commit, so an acknowledged record survives
   * power loss. `NORMAL` survives a crash of the process but may lose the last commits on power loss;
   * choose it only with a decision record that says why.
   */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /** Quota of rejected-record bytes the quarantine keeps (default 1 GiB); past it rows keep no bytes. */
  readonly maxQuarantineBytes?: number;
  /**
   * Bytes of the file SQLite reads through a memory map instead of read() (default 0: none). The
   * server maps the file for its queries (docs/decisions/0007-memory-mapped-reads.md); bulk commands
   * do not, so their resident memory stays their own.
   */
  readonly mmapBytes?: number;
  /**
   * Bytes of SQLite's page cache (default 64 MiB). Bulk commands keep less: the index pages an ingest
   * touches are mostly in the OS's file cache anyway, and resident memory is the command's budget.
   */
  readonly cacheBytes?: number;
  /**
   * Where the write-ahead log is checkpointed into the file: `inline` (the default, SQLite's own: in
   * the commit that takes the log past 1,000 pages) or `background`, on a thread with its own
   * connection, which the server and bulk commands use (docs/decisions/0012-background-checkpoints.md).
   */
  readonly checkpoints?: 'inline' | 'background';
  /**
   * How ingest's and fusion's commits sync the log at `FULL` (decision 0019): `fdatasync` unless given.
   * Tests hold it to see a commit that is visible and not yet on disk.
   */
  readonly syncLog?: SyncFile;
  /** When each ingest commit was made (`listCommitTimes`); the system clock unless given. */
  readonly clock?: Clock;
}

/** SQLite's page cache unless `cacheBytes` says otherwise. */
export const DEFAULT_SQLITE_CACHE_BYTES = 64 * 1024 * 1024;

/** How long a writer waits for another process's write transaction before failing (ms). */
const BUSY_TIMEOUT_MS = 10_000;

/**
 * Opens (and creates or migrates) the store in a SQLite file.
 *
 * @example
 * const store = await openSqliteStore({ path: './truceline.db' });
 * try {
 *   const { outcomes } = await store.observations.commitIngest(batch);
 * } finally {
 *   await store.close();
 * }
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const synchronous = options.synchronous ?? 'FULL';
  // Checked at run time too: the value may come from a command line or a config file.
  if (!(['FULL', 'NORMAL'] as readonly string[]).includes(synchronous))
    throw new TrucelineError('E_UNSUPPORTED', `synchronous must be FULL or NORMAL, not ${synchronous}`);
  const cache = options.cacheBytes ?? DEFAULT_SQLITE_CACHE_BYTES;
  if (options.checkpoints !== undefined && !['inline', 'background'].includes(options.checkpoints))
    throw new TrucelineError(
      'E_UNSUPPORTED',
      `checkpoints must be inline or background, not ${options.checkpoints}`,
    );
  if (!Number.isSafeInteger(cache) || cache < 1024)
    throw new TrucelineError(
      'E_UNSUPPORTED',
      `cacheBytes must be a whole number of bytes ≥ 1024, not ${cache}`,
    );
  let db: Database.Database;
  try {
    createPrivately(options.path);
    db = new Database(options.path);
  } catch (error) {
    throw new TrucelineError('E_STORE', `cannot open the SQLite database ${options.path}`, { cause: error });
  }
  /** The log, named after the file SQLite opened (links resolved). */
  let walPath = '';
  const kysely = new Kysely<SqliteSchema>({
    dialect: new SqliteDialect({ database: withStatementCache(db) }),
  });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Takes effect only when the file is new. 16 KiB pages measured ~1.3× faster ingest than 4 KiB
    // with our indexes (docs/decisions/0004-spatial-index.md).
    db.pragma('page_size = 16384');
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal')
      throw new TrucelineError(
        'E_UNSUPPORTED',
        `SQLite could not use WAL for ${options.path} (got ${String(mode)})`,
      );
    db.pragma(`synchronous = ${synchronous}`);
    walPath = `${mainFileOf(db)}-wal`;
    db.pragma(`cache_size = -${Math.ceil(cache / 1024)}`);
    db.pragma('temp_store = MEMORY');
    const mmap = options.mmapBytes ?? 0;
    if (!Number.isSafeInteger(mmap) || mmap < 0)
      throw new TrucelineError('E_UNSUPPORTED', `mmapBytes must be a whole number of bytes, not ${mmap}`);
    if (mmap > 0) db.pragma(`mmap_size = ${mmap}`);
    await migrate(kysely, options.path);
    // Rows an earlier version wrote are ledgered once, before anything else can write.
    const writer = new SqliteLedgerWriter(db);
    if (writer.backfillPending()) writer.backfill();
  } catch (error) {
    await kysely.destroy().catch(() => undefined);
    if (db.open) db.close();
    if (error instanceof TrucelineError) throw error;
    throw new TrucelineError('E_STORE', `cannot prepare the SQLite database ${options.path}`, {
      cause: error,
    });
  }
  const checkpoints =
    options.checkpoints === 'background' ? startBackgroundCheckpoints(db, { synchronous }) : undefined;
  const ledger = new SqliteLedgerWriter(db);
  // At FULL, ingest's and fusion's commits leave the log's fsync to the thread pool (decision 0019).
  const wal = synchronous === 'FULL' ? new WalSync(walPath, options.syncLog) : undefined;
  // After a failed sync nothing more is committed through this connection, whatever the commit (SQLite
  // refuses every write with SQLITE_READONLY), and the log is no longer copied into the database: its
  // frames may not be what was committed. A restart recovers from what is on disk.
  // SQLite's last connection to close also checkpoints the log and deletes it, query_only or not; a
  // read-only connection holding a read open keeps the writer from being the last, and checkpoints
  // nothing itself (its log is read-only). It is opened on the failure and closed after the writer.
  let keepLog: Database.Database | undefined;
  wal?.whenFailed(() => {
    if (!db.open) return;
    db.pragma('query_only = ON');
    try {
      keepLog = new Database(mainFileOf(db), { readonly: true, fileMustExist: true });
      keepLog.exec('BEGIN');
      keepLog.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch {
      // Without it the close may checkpoint; the refusal of writes above holds either way.
    }
    checkpoints?.stop().catch(() => undefined);
  });
  const observations = new SqliteObservationStore(
    db,
    kysely,
    ledger,
    options.maxQuarantineBytes ?? DEFAULT_MAX_QUARANTINE_BYTES,
    wal,
    options.clock,
  );
  await wal?.opened(await observations.latestSeq(), ledger.size());
  let closed = false;
  const refusing = <T extends object>(store: T): T =>
    wal === undefined ? store : refusingAfterFailure(store, wal);
  return {
    engine: 'sqlite',
    observations,
    sources: refusing(new SqliteSourceStore(db, kysely, ledger)),
    agreements: refusing(new SqliteAgreementStore(db, kysely, ledger)),
    fusion: refusing(new SqliteFusionStore(db, kysely, ledger, wal)),
    access: refusing(new SqliteAccessStore(db, kysely, ledger)),
    verification: refusing(new SqliteActionLog(db, ledger, VERIFICATION_TABLES)),
    cases: refusing(new SqliteActionLog(db, ledger, CASE_TABLES)),
    attachments: refusing(new SqliteAttachmentStore(db, ledger)),
    ledger: refusing(new SqliteLedgerStore(db, ledger, wal)),
    // `stopped` once the thread no longer runs after a failed sync (see above).
    walCheckpoints: () =>
      checkpoints?.running === true ? 'background' : wal?.failed === true ? 'stopped' : 'inline',
    ...(wal === undefined ? {} : { walSync: () => (wal.failed ? 'failed' : 'ok') }),
    async backup(path: string): Promise<void> {
      // SQLite's online backup, every page in one step: the step reads one snapshot (WAL: writers go
      // on meanwhile), and the copy is the database as of its start. Copied in smaller steps, every
      // commit of another connection — the running server's — restarted it, and under a steady flow
      // of commits it never ended. It is written beside the target and renamed, so a failed backup
      // never leaves a partial file there.
      refuseBackupOverDatabase(path, options.path);
      const partial = `${path}.partial`;
      try {
        rmSync(partial, { force: true });
        createPrivately(partial);
        await db.backup(partial, { progress: () => ALL_PAGES });
        renameSync(partial, path);
      } catch (error) {
        rmSync(partial, { force: true });
        throw new TrucelineError('E_STORE', `the backup to ${path} failed`, { cause: error });
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await observations.close();
      await wal?.close();
      await checkpoints?.stop();
      await kysely.destroy();
      if (db.open) db.close();
      keepLog?.close();
    },
  };
}

/**
 * Creates the database file, empty (SQLite takes an empty file for a new database), readable by its
 * owner only when it does not exist yet: it holds the sources' marked reports, credential hashes and
 * sessions. SQLite gives its log files the database file's mode.
 */
function createPrivately(path: string): void {
  if (path === ':memory:' || path === '') return;
  // Only when missing (through a link, its target): an existing file, perhaps read-only, is left as it is.
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
}

/** The main database's file as SQLite opened it (absolute, links resolved). */
function mainFileOf(db: Database.Database): string {
  const list = db.pragma('database_list') as { name: string; file: string }[];
  const main = list.find((entry) => entry.name === 'main');
  if (main === undefined || main.file === '') throw new TrucelineError('E_STORE', `${db.name} has no file`);
  return main.file;
}

/** The most pages one backup step may copy (better-sqlite3 takes at most 2³¹ − 1): all of them. */
const ALL_PAGES = 0x7fffffff;

/**
 * A backup written over the database itself, or its write-ahead log, replaces the file a running
 * server writes to with a copy: refused. Paths are compared once resolved, links followed.
 */
function refuseBackupOverDatabase(target: string, database: string): void {
  const real = (path: string): string => {
    try {
      return realpathSync(path);
    } catch {
      // Not there yet: its directory resolved, and the name as given.
      try {
        return join(realpathSync(dirname(path)), basename(path));
      } catch {
        return resolve(path);
      }
    }
  };
  const file = real(database);
  const copy = real(target);
  const own = [file, `${file}-wal`, `${file}-shm`, `${file}-journal`];
  if (own.includes(copy) || own.includes(`${copy}.partial`))
    throw new TrucelineError(
      'E_BAD_REQUEST',
      `backup --out ${target}: that is the database being backed up (or its log); write the copy to another file`,
    );
}

/** Runs the migrations; retried when another process is opening the same new file at the same time. */
async function migrate(kysely: Kysely<SqliteSchema>, path: string): Promise<void> {
  const migrator = new Migrator({
    db: kysely,
    provider: { getMigrations: () => Promise.resolve(sqliteMigrations) },
  });
  for (let attempt = 1; ; attempt++) {
    const { error } = await migrator.migrateToLatest();
    if (error === undefined) return;
    const busy = (error as { code?: unknown }).code === 'SQLITE_BUSY';
    if (!busy || attempt >= 5)
      throw new TrucelineError('E_STORE', `the migrations of ${path} failed`, { cause: error });
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
  }
}

/**
 * The store, with the write SQLite refuses once the log's sync has failed (its connection is then
 * read-only) reported as that failure (`E_STORE`, naming it) instead of SQLite's own "attempt to write
 * a readonly database". Every method is called on the store itself.
 */
function refusingAfterFailure<T extends object>(store: T, wal: WalSync): T {
  const translate = (error: unknown): never => {
    if (wal.failed && (error as { code?: unknown } | null)?.code === 'SQLITE_READONLY') wal.refuseIfFailed();
    throw error;
  };
  return new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        try {
          const result: unknown = Reflect.apply(value, target, args);
          return result instanceof Promise ? result.catch(translate) : result;
        } catch (error) {
          return translate(error);
        }
      };
    },
  });
}
