/**
 * @module The body of a validation worker thread: validates the batches it is sent, one at a time, and
 * makes the ledger leaves of the valid records here rather than on the thread that commits them; and
 * checks signed batches' Ed25519 signatures. It runs below the main thread's priority.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { isTrucelineError } from '../../core/errors.ts';
import { validateRecords } from '../../core/observations/validate-records.ts';
import { ObservationLeafMaker } from '../common/observation-row.ts';
import { verifyEd25519 } from '../crypto/ed25519.ts';
import { nodeSha256 } from '../crypto/node-sha256.ts';
import type { ValidationReply, ValidationTask, VerificationTask } from './validation-messages.ts';

const port = parentPort;
if (port === null) throw new Error('validation-worker.ts runs only as a worker thread');

/** The niceness of a validation thread: well below the main thread (0), which gets ~9× its CPU share. */
const VALIDATION_NICE = 10;

/**
 * Lowers this thread's priority, so that the main thread — which commits every batch and serves HTTP,
 * one thread for all — never waits for a CPU behind validation: with one thread per core and the main
 * thread beside them, there is one busy thread more than cores. Measured on 2 cores, 1,000,000 lines,
 * interleaved runs: 28,450–29,190/s against 24,250–25,880/s with one validation thread at the default
 * priority. Linux names a thread's id in /proc/thread-self; elsewhere the thread keeps its priority.
 */
function lowerPriority(): void {
  let tid: number;
  try {
    tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return;
  }
  if (Number.isSafeInteger(tid) && tid > 0) setPriority(tid, VALIDATION_NICE);
}
lowerPriority();

port.on('message', (task: ValidationTask | VerificationTask) => {
  let reply: ValidationReply;
  const transfer: ArrayBuffer[] = [];
  try {
    if ('verify' in task) {
      const { publicKeySpkiB64, data, signature } = task.verify;
      port.postMessage({ id: task.id, verified: verifyEd25519(publicKeySpkiB64, data, signature) });
      return;
    }
    const leaves = new ObservationLeafMaker(task.receivedAtMs, task.batchId);
    const result = validateRecords(
      task.input,
      task.receivedAtMs,
      nodeSha256,
      task.maxRecords,
      leaves.withLeaf,
    );
    transfer.push(...leaves.buffers);
    reply = { id: task.id, result };
  } catch (error) {
    reply = isTrucelineError(error)
      ? {
          id: task.id,
          error: { code: error.code, message: error.message, issues: error.issues, details: error.details },
        }
      : {
          id: task.id,
          error: { code: 'E_INTERNAL', message: error instanceof Error ? error.message : String(error) },
        };
  }
  port.postMessage(reply, transfer);
});
