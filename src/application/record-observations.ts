/**
 * @module Use case: record a batch of observations. Validates each record on its own, checks its
 * source, and commits the valid ones together with the quarantine of the rest in one transaction;
 * the report it returns is given to the sender only after that commit.
 */
import type { FieldIssue } from '../core/errors.ts';
import { validateObservation, type ValidObservation } from '../core/observations/validate-observation.ts';
import type { QuarantineInput, RecordOutcome } from '../core/ports/observation-store.ts';
import type { Source } from '../core/sources/source.ts';
import type { AppDeps } from './app-deps.ts';
import type { RawRecord } from './raw-record.ts';

/** How much of a rejected record the quarantine keeps. */
export const QUARANTINE_HEAD_BYTES = 64 * 1024;

export type RecordObservationsDeps = Pick<AppDeps, 'store' | 'clock' | 'sha256' | 'sha256Bytes' | 'notifier'>;

export interface RecordObservationsInput {
  /** The records, in the order they arrived. */
  readonly records: readonly RawRecord[];
  /** Where they came from: `http`, or `file:<name>`. */
  readonly origin: string;
}

/** One rejected record: its index (requests) or line (files), the first field at fault, and why. */
export interface Rejection {
  readonly position: number;
  readonly field: string;
  readonly reason: string;
  readonly sourceId?: string;
  readonly recordId?: string;
  /** Every problem found in the record (the first is `field`/`reason`). */
  readonly issues: readonly FieldIssue[];
}

export interface IngestReport {
  readonly accepted: number;
  readonly duplicates: number;
  readonly conflicts: number;
  readonly rejected: number;
  /** Rejections and conflicts, in input order. */
  readonly rejections: readonly Rejection[];
  /** The highest commit sequence this batch wrote, or null. */
  readonly lastSeq: number | null;
}

const encoder = new TextEncoder();

/** Records a batch; see the module comment. */
export async function recordObservations(
  deps: RecordObservationsDeps,
  input: RecordObservationsInput,
): Promise<IngestReport> {
  const receivedAtMs = deps.clock.now();
  const candidates: { position: number; text: string; observation: ValidObservation }[] = [];
  const rejections: Rejection[] = [];
  const quarantine: QuarantineInput[] = [];

  const reject = (
    raw: RawRecord,
    issues: readonly FieldIssue[],
    sourceId?: string,
    recordId?: string,
  ): void => {
    const first = issues[0] ?? { path: '(root)', reason: 'is invalid' };
    rejections.push({
      position: raw.position,
      field: first.path,
      reason: first.reason,
      sourceId,
      recordId,
      issues,
    });
    quarantine.push(quarantineEntry(deps, raw, first, sourceId, recordId));
  };

  for (const raw of input.records) {
    if ('issues' in raw) {
      reject(raw, raw.issues);
      continue;
    }
    const result = validateObservation(raw.value, receivedAtMs, deps.sha256);
    if (result.ok)
      candidates.push({ position: raw.position, text: raw.text, observation: result.observation });
    else reject(raw, result.issues, result.sourceId, result.recordId);
  }

  // Every record must come from a registered source of its kind (any source may send heartbeats).
  const sources = await deps.store.sources.findMany([
    ...new Set(candidates.map((c) => c.observation.sourceId)),
  ]);
  const valid: typeof candidates = [];
  for (const candidate of candidates) {
    const { sourceId, recordId, kind } = candidate.observation;
    const problem = sourceProblem(sources.get(sourceId), kind);
    if (problem === undefined) valid.push(candidate);
    else
      reject(
        { position: candidate.position, text: candidate.text, value: null },
        [problem],
        sourceId,
        recordId,
      );
  }

  const commit = await deps.store.observations.commitIngest({
    receivedAtMs,
    origin: input.origin,
    observations: valid.map((c) => c.observation),
    rejects: quarantine,
  });

  let accepted = 0;
  let duplicates = 0;
  const conflicts: QuarantineInput[] = [];
  commit.outcomes.forEach((outcome: RecordOutcome, i) => {
    const candidate = valid[i];
    if (candidate === undefined) return;
    if (outcome.status === 'accepted') accepted += 1;
    else if (outcome.status === 'duplicate') duplicates += 1;
    else {
      const issue = {
        path: 'id',
        reason: `conflicts with the record already stored under this source and id (seq ${outcome.seq}) with different content`,
      };
      const { sourceId, recordId } = candidate.observation;
      rejections.push({
        position: candidate.position,
        field: issue.path,
        reason: issue.reason,
        sourceId,
        recordId,
        issues: [issue],
      });
      conflicts.push(
        quarantineEntry(
          deps,
          { position: candidate.position, text: candidate.text, value: null },
          issue,
          sourceId,
          recordId,
        ),
      );
    }
  });
  // Conflicting records are kept too, so the sender's version can be examined.
  if (conflicts.length > 0) {
    await deps.store.observations.commitIngest({
      receivedAtMs,
      origin: input.origin,
      observations: [],
      rejects: conflicts,
    });
  }
  if (commit.lastSeq !== null) deps.notifier.committed(commit.lastSeq);
  rejections.sort((a, b) => a.position - b.position);
  return {
    accepted,
    duplicates,
    conflicts: conflicts.length,
    rejected: quarantine.length,
    rejections,
    lastSeq: commit.lastSeq,
  };
}

function sourceProblem(source: Source | undefined, kind: string): FieldIssue | undefined {
  if (source === undefined) return { path: 'sourceId', reason: 'is not a registered source' };
  if (kind !== 'heartbeat' && kind !== source.kind)
    return { path: 'kind', reason: `must be "${source.kind}" or "heartbeat" for source ${source.id}` };
  return undefined;
}

function quarantineEntry(
  deps: RecordObservationsDeps,
  raw: RawRecord,
  issue: FieldIssue,
  sourceId: string | undefined,
  recordId: string | undefined,
): QuarantineInput {
  const bytes = encoder.encode(raw.text);
  return {
    position: raw.position,
    sourceId: sourceId ?? null,
    recordId: recordId ?? null,
    field: issue.path,
    reason: issue.reason,
    sha256: deps.sha256Bytes(bytes),
    sizeBytes: bytes.byteLength,
    head: bytes.subarray(0, QUARANTINE_HEAD_BYTES),
  };
}
