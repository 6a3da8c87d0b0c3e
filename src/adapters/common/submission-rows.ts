/**
 * @module What the observation stores share about signed submissions: the row as the SQL stores keep
 * it, the checks of a flagging request, and the order every engine answers it in.
 */
import { brotliCompress, brotliDecompressSync, constants } from 'node:zlib';
import { promisify } from 'node:util';
import { validationError, type FieldIssue } from '../../core/errors.ts';
import type { IngestBatch, SignedSubmission, StoredSubmission } from '../../core/ports/observation-store.ts';
import { compareCodePoints } from './compare-code-points.ts';

/** A row of the submissions table (the body as the driver returns it: a Buffer, a Uint8Array). */
export interface SubmissionRow {
  readonly source_id: string;
  readonly batch_id: string;
  readonly key_id: string;
  readonly signed_at: number;
  readonly received_at: number;
  readonly method: string;
  readonly target: string;
  readonly content_type: string;
  readonly content_digest: string;
  readonly signature_input: string;
  readonly signature: string;
  readonly body: Uint8Array;
  /** How `body` is kept: `br` (Brotli) or `identity`; reading it back gives the exact bytes received. */
  readonly body_encoding: string;
  readonly flagged_at: number | null;
  readonly flag_reason: string | null;
}

/** The columns of a submission, in the order `submissionValues` gives them. */
export const SUBMISSION_COLUMNS = [
  'source_id',
  'batch_id',
  'key_id',
  'signed_at',
  'received_at',
  'method',
  'target',
  'content_type',
  'content_digest',
  'signature_input',
  'signature',
  'body',
  'body_encoding',
] as const;

/** A submission's column values, in `SUBMISSION_COLUMNS` order. */
export type SubmissionValues = [
  string,
  string,
  string,
  number,
  number,
  string,
  string,
  string,
  string,
  string,
  string,
  Buffer,
  string,
];

/** A submission whose body is encoded for keeping. */
export interface EncodedSubmission extends SignedSubmission {
  readonly bodyEncoding: 'br' | 'identity';
}

const compress = promisify(brotliCompress);

/**
 * Bodies smaller than this are kept as they came. Setting up a Brotli encoder costs the main thread
 * ~80–140 µs whatever the body's size, and a sensor's batch of a few observations (~1 KB) would save
 * well under a kilobyte: a network of arrays each signing its own small batches spent more of the
 * server's thread on that than on Ed25519 verification.
 */
export const MIN_COMPRESSED_BODY_BYTES = 4096;

/**
 * The submission with its body compressed for keeping (Brotli, quality 1: about 4.5× smaller for
 * NDJSON at about 2 ms per 470 KB, on libuv's thread pool, so the commit thread never waits on it). A
 * batch is about as large as the rows it brings, so keeping it raw doubled what a commit writes. Small
 * bodies are kept raw (see {@link MIN_COMPRESSED_BODY_BYTES}).
 */
export async function encodeSubmission(s: SignedSubmission): Promise<EncodedSubmission> {
  if (s.body.byteLength < MIN_COMPRESSED_BODY_BYTES) return { ...s, bodyEncoding: 'identity' };
  const body = await compress(s.body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 1,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: s.body.byteLength,
    },
  });
  return { ...s, body, bodyEncoding: 'br' };
}

/** The batch with its submission's body encoded, or `undefined` when it has no submission (for GroupCommit's `prepare`). */
export const encodedBatch = (batch: IngestBatch): Promise<IngestBatch> | undefined =>
  batch.submission === undefined
    ? undefined
    : encodeSubmission(batch.submission).then((submission) => ({ ...batch, submission }));

/** A submission's column values, in `SUBMISSION_COLUMNS` order; the body as a Buffer over the same bytes. */
export const submissionValues = (s: SignedSubmission): SubmissionValues => [
  s.sourceId,
  s.batchId,
  s.keyId,
  s.signedAtMs,
  s.receivedAtMs,
  s.method,
  s.target,
  s.contentType,
  s.contentDigest,
  s.signatureInput,
  s.signature,
  Buffer.from(s.body.buffer, s.body.byteOffset, s.body.byteLength),
  'bodyEncoding' in s ? (s as EncodedSubmission).bodyEncoding : 'identity',
];

/** A stored row as the port's value; the body is copied into a plain Uint8Array. */
export const toStoredSubmission = (row: SubmissionRow): StoredSubmission => ({
  sourceId: row.source_id,
  batchId: row.batch_id,
  keyId: row.key_id,
  signedAtMs: row.signed_at,
  receivedAtMs: row.received_at,
  method: row.method,
  target: row.target,
  contentType: row.content_type,
  contentDigest: row.content_digest,
  signatureInput: row.signature_input,
  signature: row.signature,
  body: Uint8Array.from(row.body_encoding === 'br' ? brotliDecompressSync(row.body) : row.body),
  flaggedAtMs: row.flagged_at,
  flagReason: row.flag_reason,
});

/**
 * Checks the arguments of `flagSubmissions`; returns `fromMs` as the whole number that selects the same
 * integer signing times (`>= 1.5` is `>= 2`). Throws `E_VALIDATION` naming each bad argument.
 */
export function checkedFlag(keyId: string, fromMs: number, atMs: number): number {
  const issues: FieldIssue[] = [];
  if (typeof keyId !== 'string' || keyId === '')
    issues.push({ path: 'keyId', reason: 'must be a non-empty string' });
  if (Number.isNaN(fromMs)) issues.push({ path: 'fromMs', reason: 'must be a number' });
  if (!Number.isSafeInteger(atMs))
    issues.push({ path: 'atMs', reason: 'must be a whole number of milliseconds' });
  if (issues.length > 0) throw validationError('the flagging request is invalid', issues);
  const bound = Number.MAX_SAFE_INTEGER;
  return Math.min(bound, Math.max(-bound, Math.ceil(fromMs)));
}

/** What `flagSubmissions` answers: batches by source then batch id (byte order), seqs ascending. */
export function flagged(
  batches: readonly { sourceId: string; batchId: string }[],
  seqs: Iterable<number>,
): { readonly batches: readonly { sourceId: string; batchId: string }[]; readonly seqs: readonly number[] } {
  return {
    batches: [...batches]
      .map(({ sourceId, batchId }) => ({ sourceId, batchId }))
      .sort((a, b) => compareCodePoints(a.sourceId, b.sourceId) || compareCodePoints(a.batchId, b.batchId)),
    seqs: [...new Set(seqs)].sort((a, b) => a - b),
  };
}

/** The flagged batch ids of each source. */
export function batchIdsBySource(
  batches: readonly { sourceId: string; batchId: string }[],
): Map<string, string[]> {
  const bySource = new Map<string, string[]>();
  for (const { sourceId, batchId } of batches) {
    const ids = bySource.get(sourceId);
    if (ids === undefined) bySource.set(sourceId, [batchId]);
    else ids.push(batchId);
  }
  return bySource;
}
