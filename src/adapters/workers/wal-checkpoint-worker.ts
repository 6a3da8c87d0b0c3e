/**
 * @module The body of the WAL checkpoint thread (see `background-checkpoints.ts`): its own connection
 * to the database file, which copies committed pages from the write-ahead log into the file
 * (`PRAGMA wal_checkpoint(PASSIVE)`: never waits for, nor blocks, a writer or a reader) — soon after
 * each commit while writes go on, then less and less often while the file is idle.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckpointWorkerData, CheckpointWorkerReport } from './wal-checkpoint-messages.ts';

const port = parentPort;
if (port === null) throw new Error('wal-checkpoint-worker.ts runs only as a worker thread');
const { path, synchronous, busyIntervalMs, idleIntervalMs } = workerData as CheckpointWorkerData;

const db = new Database(path, { fileMustExist: true });
// A checkpoint syncs the file before the log may be reused: as durable as the writer's commits.
db.pragma(`synchronous = ${synchronous}`);

interface CheckpointRow {
  readonly busy: number;
  readonly log: number;
  readonly checkpointed: number;
}

let timer: NodeJS.Timeout | undefined;
let interval = busyIntervalMs;
let copied = 0;

const tick = (): void => {
  const [row] = db.pragma('wal_checkpoint(PASSIVE)') as CheckpointRow[];
  // Progress: the log's checkpointed count moved (it starts again from 0 when the writer restarts the log).
  const checkpointed = row?.checkpointed ?? 0;
  const progressed = checkpointed > 0 && checkpointed !== copied;
  copied = checkpointed;
  interval = progressed || row?.busy === 1 ? busyIntervalMs : Math.min(idleIntervalMs, interval * 2);
  timer = setTimeout(tick, interval);
  port.postMessage({ ready: true } satisfies CheckpointWorkerReport);
};

port.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  clearTimeout(timer);
  db.close();
  port.postMessage({ stopped: true } satisfies CheckpointWorkerReport);
  port.close();
});

timer = setTimeout(tick, interval);
port.postMessage({ ready: true } satisfies CheckpointWorkerReport);
