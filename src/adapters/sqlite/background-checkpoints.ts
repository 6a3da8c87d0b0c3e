/**
 * @module WAL checkpoints on a thread of their own (docs/decisions/0012-background-checkpoints.md).
 *
 * A commit in WAL mode appends the pages it changed to the log; a checkpoint copies them into the
 * database file so the log can be reused. SQLite runs that checkpoint inside the commit that takes the
 * log past `wal_autocheckpoint` pages, on the thread that committed — for an ingest, about half of
 * what its commits cost, on the one thread that does every commit. Here a second connection on a
 * worker thread checkpoints instead, while the writer goes on; the writer's own automatic checkpoint
 * stays, at a higher mark, as a bound on the log should that thread fall behind or stop.
 */
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { CheckpointWorkerData, CheckpointWorkerReport } from '../workers/wal-checkpoint-messages.ts';
import { workerEntry } from '../workers/worker-entry.ts';

const ENTRY = workerEntry('wal-checkpoint-worker');

/** SQLite's own mark (pages), which the writer goes back to when the thread is not there. */
export const INLINE_AUTOCHECKPOINT_PAGES = 1000;

/** The writer's mark while the thread checkpoints: the log's bound should the thread fall behind. */
export const BACKGROUND_AUTOCHECKPOINT_PAGES = 4000;

export interface BackgroundCheckpoints {
  /**
   * Whether the thread runs: true once it has opened the file, false again if it fails (the writer
   * then checkpoints inline again) or is stopped.
   */
  readonly running: boolean;
  /** Whether the thread failed (the writer checkpoints inline since). */
  readonly failed: boolean;
  /** Stops the thread and waits for its connection to close. */
  stop(): Promise<void>;
}

export interface BackgroundCheckpointOptions {
  readonly synchronous: 'FULL' | 'NORMAL';
  /** The file the thread opens: the writer's own unless said (tests name another). */
  readonly path?: string;
  readonly busyIntervalMs?: number;
  readonly idleIntervalMs?: number;
}

/** Starts checkpointing `db`'s file on a worker thread; the writer's automatic mark is raised. */
export function startBackgroundCheckpoints(
  db: Database.Database,
  options: BackgroundCheckpointOptions,
): BackgroundCheckpoints {
  const data: CheckpointWorkerData = {
    path: options.path ?? db.name,
    synchronous: options.synchronous,
    busyIntervalMs: options.busyIntervalMs ?? 50,
    idleIntervalMs: options.idleIntervalMs ?? 2000,
  };
  const worker = new Worker(ENTRY, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
  worker.unref();
  let running = false;
  let failed = false;
  let stopping = false;
  db.pragma(`wal_autocheckpoint = ${BACKGROUND_AUTOCHECKPOINT_PAGES}`);
  worker.once('message', (report: CheckpointWorkerReport) => {
    if ('ready' in report && !failed && !stopping) running = true;
  });
  const fallBack = (): void => {
    if (failed) return;
    failed = true;
    running = false;
    // Nothing is lost when the thread goes: the log holds every commit, and the writer checkpoints it.
    if (db.open) db.pragma(`wal_autocheckpoint = ${INLINE_AUTOCHECKPOINT_PAGES}`);
  };
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', () => {
      if (!stopping) fallBack();
      resolve();
    });
  });
  worker.on('error', () => {
    if (!stopping) fallBack();
  });
  return {
    get running() {
      return running;
    },
    get failed() {
      return failed;
    },
    async stop(): Promise<void> {
      if (stopping) return exited;
      stopping = true;
      // Keeps the process alive until the thread has closed its connection (it is unref'd otherwise).
      worker.ref();
      running = false;
      if (!failed) {
        const stopped = new Promise<void>((resolve) => {
          worker.on('message', (report: CheckpointWorkerReport) => {
            if ('stopped' in report) resolve();
          });
          worker.once('exit', () => resolve());
        });
        worker.postMessage('stop');
        await stopped;
      }
      await worker.terminate();
      await exited;
    },
  };
}
