/**
 * @module Use case: record a source's signed batch. The signature (RFC 9421, Ed25519, over the body's
 * Content-Digest, the creation time, the key id and the batch id as nonce) is checked before anything
 * is read from the body; a refused batch leaves nothing stored. An accepted batch's records are
 * committed together with the exact request — body bytes, signature, key id, receipt time — so anyone
 * can check it again later. A batch id seen before with the same body is a resend: its records are
 * reported as duplicates and nothing is stored again; with a different body it is refused.
 */
import { TrucelineError } from '../core/errors.ts';
import type { SignedSubmission } from '../core/ports/observation-store.ts';
import { verifySignedRequest } from '../core/signing/verify-request.ts';
import type { AppDeps } from './app-deps.ts';
import type { RecordBudget } from './record-budget.ts';
import {
  commitObservations,
  sourceProblem,
  validateObservations,
  type IngestReport,
  type Rejection,
} from './record-observations.ts';

export interface SignedBatchInput {
  readonly method: string;
  /** Path and query, as the request line gave them. */
  readonly target: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Uint8Array;
  readonly format: 'json' | 'ndjson';
  readonly maxRecords: number;
  /** Records a minute per source key, counted once the signature is checked (none: no limit). */
  readonly recordBudget?: RecordBudget;
}

/** How far a signature's creation time may lie from the server's clock. */
export interface SignatureWindow {
  readonly maxAgeMs: number;
  readonly maxFutureMs: number;
}

export const DEFAULT_SIGNATURE_WINDOW: SignatureWindow = { maxAgeMs: 5 * 60_000, maxFutureMs: 60_000 };

/** Batches being recorded, by source and batch id: a second copy waits for the first (one process). */
const inFlight = new Map<string, Promise<unknown>>();

export async function recordSignedBatch(
  deps: AppDeps,
  input: SignedBatchInput,
  window: SignatureWindow = DEFAULT_SIGNATURE_WINDOW,
): Promise<IngestReport> {
  const verdict = await verifySignedRequest(
    { method: input.method, target: input.target, headers: input.headers, body: input.body },
    {
      nowMs: deps.clock.now(),
      maxAgeMs: window.maxAgeMs,
      maxFutureMs: window.maxFutureMs,
      findKey: async (keyId) => {
        const found = await deps.store.sources.findKey(keyId);
        return found === undefined
          ? undefined
          : { sourceId: found.source.id, publicKey: found.key.publicKey, revokedAtMs: found.key.revokedAtMs };
      },
      verifyEd25519: deps.verifyEd25519,
      sha256: (bytes) => Buffer.from(deps.sha256Bytes(bytes), 'hex'),
    },
  );
  if (!verdict.ok) throw new TrucelineError(verdict.code, verdict.message);

  const key = `${verdict.sourceId}\u0000${verdict.batchId}`;
  for (let pending = inFlight.get(key); pending !== undefined; pending = inFlight.get(key))
    await pending.catch(() => undefined);
  const work = recordVerified(deps, input, {
    sourceId: verdict.sourceId,
    batchId: verdict.batchId,
    keyId: verdict.keyId,
    signedAtMs: verdict.signedAtMs,
    receivedAtMs: deps.clock.now(),
    method: input.method,
    target: input.target,
    contentType: input.headers['content-type'] ?? '',
    contentDigest: verdict.contentDigest,
    signatureInput: verdict.signatureInput,
    signature: verdict.signature,
    body: input.body,
  });
  inFlight.set(key, work);
  try {
    return await work;
  } finally {
    inFlight.delete(key);
  }
}

async function recordVerified(
  deps: AppDeps,
  input: SignedBatchInput,
  submission: SignedSubmission,
): Promise<IngestReport> {
  const stored = await deps.store.observations.findSubmission(submission.sourceId, submission.batchId);
  if (stored !== undefined) {
    if (deps.sha256Bytes(stored.body) !== deps.sha256Bytes(input.body))
      throw new TrucelineError(
        'E_NONCE_REUSED',
        `batch id ${submission.batchId} of source ${submission.sourceId} was used on ${new Date(stored.receivedAtMs).toISOString()} with a different body; nothing was stored`,
        {
          details: {
            batchId: submission.batchId,
            firstReceivedAt: new Date(stored.receivedAtMs).toISOString(),
          },
        },
      );
    // A resend of the same batch (a gateway that lost the answer): nothing is stored again, and the
    // answer says again what became of each record — stored (a duplicate now), or rejected and why.
    return replayReport(deps, input, submission.sourceId);
  }
  const text = Buffer.from(input.body.buffer, input.body.byteOffset, input.body.byteLength);
  const batch = await validateObservations(deps, {
    input:
      input.format === 'ndjson' ? { format: 'ndjson', text, firstPosition: 0 } : { format: 'json', text },
    origin: 'http',
    maxRecords: input.maxRecords,
    batchId: submission.batchId,
  });
  // Quarantined records are stored too: every record of the batch counts.
  input.recordBudget?.spend(submission.keyId, batch.records.valid.length + batch.records.invalid.length);
  return commitObservations(deps, { origin: 'http', signer: submission.sourceId, submission }, batch);
}

/**
 * The report of a batch sent again: each record that is stored counts as a duplicate; the others are
 * rejected as they were the first time (validated again, never quarantined again).
 */
async function replayReport(deps: AppDeps, input: SignedBatchInput, signer: string): Promise<IngestReport> {
  const text = Buffer.from(input.body.buffer, input.body.byteOffset, input.body.byteLength);
  const { records } = await validateObservations(deps, {
    input:
      input.format === 'ndjson' ? { format: 'ndjson', text, firstPosition: 0 } : { format: 'json', text },
    origin: 'http',
    maxRecords: input.maxRecords,
  });
  const rejections: Rejection[] = records.invalid.map((r) => {
    const first = r.issues[0] ?? { path: '(root)', reason: 'is invalid' };
    return {
      position: r.position,
      field: first.path,
      reason: first.reason,
      sourceId: r.sourceId,
      recordId: r.recordId,
      issues: r.issues,
    };
  });
  let duplicates = 0;
  let conflicts = 0;
  for (const { position, observation } of records.valid) {
    const { sourceId, recordId } = observation;
    const stored =
      sourceId === signer ? await deps.store.observations.findByRecordId(sourceId, recordId) : undefined;
    if (stored !== undefined && stored.contentSha256 === observation.contentSha256) {
      duplicates += 1;
      continue;
    }
    const issue =
      stored !== undefined
        ? {
            path: 'id',
            reason: `conflicts with the record already stored under this source and id (seq ${stored.seq}) with different content`,
          }
        : sourceId !== signer
          ? { path: 'sourceId', reason: `must be ${signer}, the source that signed the batch` }
          : // The registry's reason, as the first answer gave it (unless the source changed since).
            (sourceProblem(await deps.store.sources.find(sourceId), observation.kind) ?? {
              path: 'sourceId',
              reason: 'was not stored when this batch was first received (see that answer)',
            });
    if (stored !== undefined) conflicts += 1;
    rejections.push({
      position,
      field: issue.path,
      reason: issue.reason,
      sourceId,
      recordId,
      issues: [issue],
    });
  }
  rejections.sort((a, b) => a.position - b.position);
  return {
    accepted: 0,
    duplicates,
    conflicts,
    rejected: rejections.length - conflicts,
    rejections,
    lastSeq: null,
  };
}
