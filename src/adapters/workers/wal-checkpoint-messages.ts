/** @module What the WAL checkpoint thread is started with and answers. */

export interface CheckpointWorkerData {
  /** The database file (the writer's own path). */
  readonly path: string;
  /** The writer's setting: a checkpoint syncs the file when it is FULL or NORMAL. */
  readonly synchronous: 'FULL' | 'NORMAL';
  /** Between checkpoints while the log grows (ms). */
  readonly busyIntervalMs: number;
  /** The longest wait between checkpoints of an idle file (ms). */
  readonly idleIntervalMs: number;
}

/** `ready` once the thread has opened the file; `stopped` once it has closed it. */
export type CheckpointWorkerReport = { readonly ready: true } | { readonly stopped: true };
