/**
 * @module A record validator on worker threads. NDJSON batches are cut at line boundaries into one
 * piece per thread and validated in parallel; JSON bodies and pre-split records go whole to the least
 * busy thread. The main thread is left to HTTP and commits. Threads start on first use, do not keep
 * the process alive, and a thread that dies is replaced (its tasks fail with `E_INTERNAL`).
 */
import { Worker } from 'node:worker_threads';
import { TrucelineError } from '../../core/errors.ts';
import { splitNdjson, type RecordInput } from '../../core/observations/raw-record.ts';
import {
  tooManyRecords,
  type InvalidRecord,
  type ValidatedRecords,
} from '../../core/observations/validate-records.ts';
import type { ValidObservation } from '../../core/observations/validate-observation.ts';
import type { RecordValidator } from '../../core/ports/record-validator.ts';
import type { ValidationReply, ValidationTask } from './validation-messages.ts';

const ENTRY = new URL('./validation-worker-entry.mjs', import.meta.url);

/** Below this many characters an NDJSON batch is not worth cutting into pieces. */
const MIN_PIECE_CHARS = 256 * 1024;

interface Pending {
  resolve(result: ValidatedRecords): void;
  reject(error: Error): void;
}

interface Thread {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

export function workerRecordValidator(options: { readonly threads: number }): RecordValidator {
  const threads: Thread[] = [];
  let nextId = 1;
  let closed = false;

  const spawn = (index: number): Thread => {
    const worker = new Worker(ENTRY);
    worker.unref();
    const thread: Thread = { worker, pending: new Map() };
    worker.on('message', (reply: ValidationReply) => {
      const pending = thread.pending.get(reply.id);
      if (pending === undefined) return;
      thread.pending.delete(reply.id);
      if ('result' in reply) pending.resolve(reply.result);
      else pending.reject(new TrucelineError(reply.error.code, reply.error.message));
    });
    const fail = (error: Error): void => {
      for (const pending of thread.pending.values())
        pending.reject(new TrucelineError('E_INTERNAL', 'a validation thread failed', { cause: error }));
      thread.pending.clear();
      if (!closed && threads[index] === thread) threads[index] = spawn(index);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!closed) fail(new Error(`validation thread exited with code ${code}`));
    });
    return thread;
  };

  const leastBusy = (): Thread => {
    if (threads.length < options.threads) {
      const thread = spawn(threads.length);
      threads.push(thread);
      return thread;
    }
    return threads.reduce((best, t) => (t.pending.size < best.pending.size ? t : best));
  };

  const run = (
    input: RecordInput,
    receivedAtMs: number,
    maxRecords: number | undefined,
  ): Promise<ValidatedRecords> =>
    new Promise((resolve, reject) => {
      const thread = leastBusy();
      const id = nextId++;
      thread.pending.set(id, { resolve, reject });
      // Keep the process alive while work is outstanding.
      thread.worker.ref();
      const task: ValidationTask = { id, input, receivedAtMs, maxRecords };
      thread.worker.postMessage(task);
    }).finally(() => {
      for (const t of threads) if (t.pending.size === 0) t.worker.unref();
    }) as Promise<ValidatedRecords>;

  return {
    async validate(input, receivedAtMs, maxRecords) {
      if (closed) throw new TrucelineError('E_INTERNAL', 'the validator is closed');
      if (input.format !== 'ndjson') return run(input, receivedAtMs, maxRecords);
      // Pieces see only their own lines, so count the whole first (lines are an upper bound: blank ones are no records).
      if (maxRecords !== undefined && countLines(input.text) > maxRecords) {
        const records = splitNdjson(input.text, input.firstPosition).length;
        if (records > maxRecords) throw tooManyRecords(records, maxRecords);
      }
      const pieces = cutNdjson(input.text, input.firstPosition, options.threads);
      const results = await Promise.all(pieces.map((piece) => run(piece, receivedAtMs, undefined)));
      if (results.length === 1 && results[0] !== undefined) return results[0];
      const valid: { position: number; observation: ValidObservation }[] = [];
      const invalid: InvalidRecord[] = [];
      for (const r of results) {
        valid.push(...r.valid);
        invalid.push(...r.invalid);
      }
      return { valid, invalid };
    },
    async close() {
      closed = true;
      await Promise.all(threads.map((t) => t.worker.terminate()));
    },
  };
}

function countLines(text: string): number {
  let lines = 1;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines += 1;
  return lines;
}

/** Cuts NDJSON text into up to `pieces` parts at line boundaries, each with the position of its first line. */
function cutNdjson(text: string, firstPosition: number, pieces: number): RecordInput[] {
  if (pieces <= 1 || text.length < MIN_PIECE_CHARS) return [{ format: 'ndjson', text, firstPosition }];
  const parts: RecordInput[] = [];
  const target = Math.ceil(text.length / pieces);
  let start = 0;
  let position = firstPosition;
  while (start < text.length) {
    let end = parts.length === pieces - 1 ? text.length : text.indexOf('\n', start + target);
    if (end === -1) end = text.length;
    const piece = text.slice(start, end);
    parts.push({ format: 'ndjson', text: piece, firstPosition: position });
    for (let at = piece.indexOf('\n'); at !== -1; at = piece.indexOf('\n', at + 1)) position += 1;
    position += 1;
    start = end + 1;
  }
  return parts;
}
