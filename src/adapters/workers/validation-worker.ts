/**
 * @module The body of a validation worker thread: validates the batches it is sent, one at a time, and
 * makes the ledger leaves of the valid records here rather than on the thread that commits them.
 */
import { parentPort } from 'node:worker_threads';
import { isTrucelineError } from '../../core/errors.ts';
import { validateRecords } from '../../core/observations/validate-records.ts';
import { ObservationLeafMaker } from '../common/observation-row.ts';
import { nodeSha256 } from '../crypto/node-sha256.ts';
import type { ValidationReply, ValidationTask } from './validation-messages.ts';

const port = parentPort;
if (port === null) throw new Error('validation-worker.ts runs only as a worker thread');

port.on('message', (task: ValidationTask) => {
  let reply: ValidationReply;
  const transfer: ArrayBuffer[] = [];
  try {
    const leaves = new ObservationLeafMaker(task.receivedAtMs);
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
      ? { id: task.id, error: { code: error.code, message: error.message } }
      : {
          id: task.id,
          error: { code: 'E_INTERNAL', message: error instanceof Error ? error.message : String(error) },
        };
  }
  port.postMessage(reply, transfer);
});
