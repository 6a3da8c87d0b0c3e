/**
 * @module A record validator on worker threads. NDJSON batches are cut at line boundaries into one
 * piece per thread and validated in parallel; JSON bodies and pre-split records go whole to the least
 * busy thread. The same threads check signed batches' Ed25519 signatures. The main thread is left to
 * HTTP and commits. Threads start on first use, do not keep the process alive, and a thread that dies
 * is replaced (its tasks fail with `E_INTERNAL`).
 */
import { Worker } from 'node:worker_threads';
import { TrucelineError } from '../../core/errors.ts';
import {
  countNdjsonRecords,
  decodeText,
  type ReceivedText,
  type RecordInput,
} from '../../core/observations/raw-record.ts';
import {
  tooManyRecords,
  type InvalidRecord,
  type ValidatedRecords,
} from '../../core/observations/validate-records.ts';
import type { ValidObservation } from '../../core/observations/validate-observation.ts';
import type { RecordValidator } from '../../core/ports/record-validator.ts';
import type { VerifyEd25519 } from '../../core/signing/verify-request.ts';
import type { ValidationReply, ValidationTask, VerificationTask } from './validation-messages.ts';
import { workerEntry } from './worker-entry.ts';

const ENTRY = workerEntry('validation-worker');

/** Below this many characters (or bytes) an NDJSON batch is not worth cutting into pieces. */
const MIN_PIECE_LENGTH = 256 * 1024;

interface Pending {
  resolve(result: ValidatedRecords | boolean): void;
  reject(error: Error): void;
}

/** A validator whose threads also check Ed25519 signatures (see `AppDeps.verifyEd25519`). */
export interface WorkerRecordValidator extends RecordValidator {
  readonly verifyEd25519: (...args: Parameters<VerifyEd25519>) => Promise<boolean>;
}

interface Thread {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

export function workerRecordValidator(options: { readonly threads: number }): WorkerRecordValidator {
  const threads: Thread[] = [];
  let nextId = 1;
  let closed = false;

  const spawn = (index: number): Thread => {
    const worker = new Worker(ENTRY, { resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    worker.unref();
    const thread: Thread = { worker, pending: new Map() };
    worker.on('message', (reply: ValidationReply) => {
      const pending = thread.pending.get(reply.id);
      if (pending === undefined) return;
      thread.pending.delete(reply.id);
      if ('result' in reply) pending.resolve(reply.result);
      else if ('verified' in reply) pending.resolve(reply.verified);
      else {
        const { code, message, issues, details } = reply.error;
        pending.reject(new TrucelineError(code, message, { issues, details }));
      }
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

  /** Sends the task made with its id to the least busy thread; settles with the thread's reply. */
  const send = (
    task: (id: number) => ValidationTask | VerificationTask,
    transfer: ArrayBuffer[] = [],
  ): Promise<ValidatedRecords | boolean> =>
    new Promise<ValidatedRecords | boolean>((resolve, reject) => {
      const thread = leastBusy();
      const id = nextId++;
      thread.pending.set(id, { resolve, reject });
      // Keep the process alive while work is outstanding.
      thread.worker.ref();
      thread.worker.postMessage(task(id), transfer);
    }).finally(() => {
      for (const t of threads) if (t.pending.size === 0) t.worker.unref();
    });

  const run = (
    input: RecordInput,
    receivedAtMs: number,
    maxRecords: number | undefined,
    batchId: string | undefined,
  ): Promise<ValidatedRecords> => {
    // Bytes go as a copy the thread then owns (transferred, not cloned): the caller's buffer may be a
    // view of a larger or pooled one, which must not be detached.
    const owned = ownedInput(input);
    return send(
      (id) => ({ id, input: owned.input, receivedAtMs, maxRecords, batchId }),
      owned.transfer,
    ) as Promise<ValidatedRecords>;
  };

  const verifyEd25519 = async (
    publicKeySpkiB64: string,
    data: Uint8Array,
    signature: Uint8Array,
  ): Promise<boolean> => {
    if (closed) throw new TrucelineError('E_INTERNAL', 'the validator is closed');
    // A few hundred bytes: cloned, not transferred (they may be views of pooled buffers).
    return (await send((id) => ({ id, verify: { publicKeySpkiB64, data, signature } }))) as boolean;
  };

  return {
    verifyEd25519,
    async validate(input, receivedAtMs, maxRecords, batchId) {
      if (closed) throw new TrucelineError('E_INTERNAL', 'the validator is closed');
      if (input.format !== 'ndjson') return run(input, receivedAtMs, maxRecords, batchId);
      // Pieces see only their own lines, so count the whole first (lines are an upper bound: blank ones are no records).
      if (maxRecords !== undefined && hasMoreLinesThan(input.text, maxRecords)) {
        const records = countNdjsonRecords(decodeText(input.text));
        if (records > maxRecords) throw tooManyRecords(records, maxRecords);
      }
      const pieces = cutNdjson(input.text, input.firstPosition, options.threads);
      const results = await Promise.all(pieces.map((piece) => run(piece, receivedAtMs, undefined, batchId)));
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

/** The input with its bytes (if any) copied into a buffer of their own, and that buffer to transfer. */
function ownedInput(input: RecordInput): { input: RecordInput; transfer: ArrayBuffer[] } {
  if (input.format === 'records' || typeof input.text === 'string') return { input, transfer: [] };
  // Not `.slice()`: on a Buffer that is a view, not a copy.
  const bytes = new Uint8Array(input.text);
  return { input: { ...input, text: bytes }, transfer: [bytes.buffer] };
}

/** The index of the next line feed at or after `from`, or -1. */
function nextLineFeed(text: ReceivedText, from: number): number {
  if (typeof text === 'string') return text.indexOf('\n', from);
  return Buffer.from(text.buffer, text.byteOffset, text.byteLength).indexOf(10, from);
}

/** Whether the text has more than `limit` lines; it stops counting there. */
function hasMoreLinesThan(text: ReceivedText, limit: number): boolean {
  const view = typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength);
  let lines = 1;
  for (let at = view.indexOf('\n'); at !== -1; at = view.indexOf('\n', at + 1))
    if (++lines > limit) return true;
  return false;
}

/**
 * The line feeds in `text[start, end)`. A plain scan: a search call per line costs ten times more on
 * a body of blank lines, which the serving thread must not spend seconds on.
 */
function lineFeedsIn(text: ReceivedText, start: number, end: number): number {
  let count = 0;
  if (typeof text === 'string') {
    for (let i = start; i < end; i++) if (text.charCodeAt(i) === 10) count += 1;
  } else for (let i = start; i < end; i++) if (text[i] === 10) count += 1;
  return count;
}

/** Cuts NDJSON text into up to `pieces` parts at line boundaries, each with the position of its first line. */
function cutNdjson(text: ReceivedText, firstPosition: number, pieces: number): RecordInput[] {
  if (pieces <= 1 || text.length < MIN_PIECE_LENGTH) return [{ format: 'ndjson', text, firstPosition }];
  const parts: RecordInput[] = [];
  const target = Math.ceil(text.length / pieces);
  let start = 0;
  let position = firstPosition;
  while (start < text.length) {
    let end = parts.length === pieces - 1 ? text.length : nextLineFeed(text, start + target);
    if (end === -1) end = text.length;
    const piece = typeof text === 'string' ? text.slice(start, end) : text.subarray(start, end);
    parts.push({ format: 'ndjson', text: piece, firstPosition: position });
    position += lineFeedsIn(text, start, end) + 1;
    start = end + 1;
  }
  return parts;
}
