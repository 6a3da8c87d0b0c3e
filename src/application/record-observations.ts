/**
 * @module Use case: record a batch of observations. Validates each record on its own, checks its
 * source, and commits the valid ones together with the quarantine of the rest in one transaction;
 * the report it returns is given to the sender only after that commit.
 */
import { DEFAULT_MARKINGS, observationMarking, type Marking } from '../core/access/markings.ts';
import { MISSION_ORG } from '../core/access/organisations.ts';
import type { FieldIssue } from '../core/errors.ts';
import type { RecordInput } from '../core/observations/raw-record.ts';
import type { ValidObservation } from '../core/observations/validate-observation.ts';
import type { ValidatedRecords } from '../core/observations/validate-records.ts';
import type { QuarantineInput, SignedSubmission } from '../core/ports/observation-store.ts';
import type { Source } from '../core/sources/source.ts';
import type { AppDeps } from './app-deps.ts';

/** How much of a rejected record the quarantine keeps. */
export const QUARANTINE_HEAD_BYTES = 64 * 1024;

export type RecordObservationsDeps = Pick<
  AppDeps,
  'store' | 'clock' | 'sha256Bytes' | 'notifier' | 'validator'
>;

export interface RecordObservationsInput {
  /** The records, as they arrived. */
  readonly input: RecordInput;
  /** Where they came from: `http`, or `file:<name>`. */
  readonly origin: string;
  /** Refuse the whole batch (`E_PAYLOAD_TOO_LARGE`, nothing stored) past this many records. */
  readonly maxRecords?: number;
  /** A signed batch's id, which its stored rows carry in place of each record's own. */
  readonly batchId?: string;
  /**
   * The receipt time to give the records, when they are a piece of a batch validated in pieces (every
   * piece of one commit must carry the same); the clock's time when absent.
   */
  readonly receivedAtMs?: number;
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
  return commitObservations(deps, input, await validateObservations(deps, input));
}

/** A batch after validation, before its commit. */
export interface ValidatedBatch {
  readonly receivedAtMs: number;
  readonly records: ValidatedRecords;
}

/**
 * The first half of `recordObservations`: validation, which needs no store. A caller with many
 * batches (a file) validates the next batch while the previous one commits.
 */
export async function validateObservations(
  deps: Pick<AppDeps, 'clock' | 'validator'>,
  input: RecordObservationsInput,
): Promise<ValidatedBatch> {
  const receivedAtMs = input.receivedAtMs ?? deps.clock.now();
  const records = await deps.validator.validate(input.input, receivedAtMs, input.maxRecords, input.batchId);
  return { receivedAtMs, records };
}

/** Where a batch came from, for its commit. */
export interface CommitInput {
  readonly origin: string;
  /** A signed batch's source: its records must all be that source's. */
  readonly signer?: string;
  /** The signed request, stored in the same commit. */
  readonly submission?: SignedSubmission;
}

/** The second half of `recordObservations`: source checks, the commit, and the report. */
export async function commitObservations(
  deps: RecordObservationsDeps,
  input: CommitInput,
  batch: ValidatedBatch,
): Promise<IngestReport> {
  const { receivedAtMs, records: validated } = batch;
  const rejections: Rejection[] = [];
  const quarantine: QuarantineInput[] = [];
  const reject = (
    position: number,
    text: string,
    issues: readonly FieldIssue[],
    sourceId?: string,
    recordId?: string,
  ) => {
    const first = issues[0] ?? { path: '(root)', reason: 'is invalid' };
    rejections.push({ position, field: first.path, reason: first.reason, sourceId, recordId, issues });
    quarantine.push(quarantineEntry(deps, position, text, first, sourceId, recordId));
  };
  for (const r of validated.invalid) reject(r.position, r.text, r.issues, r.sourceId, r.recordId);

  // Every record must come from a registered source of its kind (any source may send heartbeats).
  const sources = await deps.store.sources.findMany([
    ...new Set(validated.valid.map((c) => c.observation.sourceId)),
  ]);
  const valid: { position: number; observation: ValidObservation }[] = [];
  for (const candidate of validated.valid) {
    const { sourceId, recordId, kind, content } = candidate.observation;
    const problem =
      input.signer !== undefined && sourceId !== input.signer
        ? { path: 'sourceId', reason: `must be ${input.signer}, the source that signed the batch` }
        : sourceProblem(sources.get(sourceId), kind);
    if (problem === undefined) valid.push(candidate);
    else reject(candidate.position, content, [problem], sourceId, recordId);
  }

  const commit = await deps.store.observations.commitIngest({
    receivedAtMs,
    origin: input.origin,
    observations: valid.map((c) => c.observation),
    rejects: quarantine,
    markings: await markingsOf(deps, sources.values()),
    ...(input.submission === undefined ? {} : { submission: input.submission }),
  });

  let accepted = 0;
  let duplicates = 0;
  const conflicts: QuarantineInput[] = [];
  commit.outcomes.forEach((outcome, i) => {
    const candidate = valid[i];
    if (candidate === undefined) return;
    if (outcome.status === 'accepted') accepted += 1;
    else if (outcome.status === 'duplicate') duplicates += 1;
    else {
      const issue = {
        path: 'id',
        reason: `conflicts with the record already stored under this source and id (seq ${outcome.seq}) with different content`,
      };
      const { sourceId, recordId, content } = candidate.observation;
      rejections.push({
        position: candidate.position,
        field: issue.path,
        reason: issue.reason,
        sourceId,
        recordId,
        issues: [issue],
      });
      // The sender's version is kept (in canonical form), so it can be examined.
      conflicts.push(quarantineEntry(deps, candidate.position, content, issue, sourceId, recordId));
    }
  });
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

/**
 * The markings that differ from the default: observations of a party's or a member's own sources go
 * back to that organisation too. Sources of the mission (nearly every one) cost no lookup.
 */
async function markingsOf(
  deps: Pick<AppDeps, 'store'>,
  sources: Iterable<Source>,
): Promise<ReadonlyMap<string, Marking> | undefined> {
  let markings: Map<string, Marking> | undefined;
  // Organisations number in the tens and sources in the hundreds: one lookup per organisation.
  const byOrganisation = new Map<string, Marking>();
  for (const source of sources) {
    if (source.organisation === MISSION_ORG) continue;
    let marking = byOrganisation.get(source.organisation);
    if (marking === undefined) {
      const org = await deps.store.access.findOrganisation(source.organisation);
      marking = observationMarking(source.organisation, org?.kind);
      byOrganisation.set(source.organisation, marking);
    }
    if (marking !== DEFAULT_MARKINGS.observation) (markings ??= new Map()).set(source.id, marking);
  }
  return markings;
}

/** Why a record may not come from `source` (unregistered, or of another kind), if it may not. */
export function sourceProblem(source: Source | undefined, kind: string): FieldIssue | undefined {
  if (source === undefined) return { path: 'sourceId', reason: 'is not a registered source' };
  if (kind !== 'heartbeat' && kind !== source.kind)
    return { path: 'kind', reason: `must be "${source.kind}" or "heartbeat" for source ${source.id}` };
  return undefined;
}

function quarantineEntry(
  deps: Pick<AppDeps, 'sha256Bytes'>,
  position: number,
  text: string,
  issue: FieldIssue,
  sourceId: string | undefined,
  recordId: string | undefined,
): QuarantineInput {
  const bytes = encoder.encode(text);
  return {
    position,
    sourceId: sourceId ?? null,
    recordId: recordId ?? null,
    field: issue.path,
    reason: issue.reason,
    sha256: deps.sha256Bytes(bytes),
    sizeBytes: bytes.byteLength,
    head: bytes.subarray(0, QUARANTINE_HEAD_BYTES),
  };
}
