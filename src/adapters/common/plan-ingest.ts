/**
 * @module The idempotency rule of ingest, for stores that look up existing records in bulk (memory,
 * PostgreSQL): per (source, record id), the first copy stored wins; a later copy with the same content
 * hash is a duplicate, with another hash a conflict — within one batch, across the batches of one group
 * commit, and against what is stored.
 */
import type { IngestBatch, RecordOutcome } from '../../core/ports/observation-store.ts';
import type { ValidObservation } from '../../core/observations/validate-observation.ts';

/** What the store holds under a (source, record id). */
export interface ExistingRecord {
  readonly seq: number;
  readonly contentSha256: string;
}

/** An observation to insert, with its commit sequence and the receipt time of its batch. */
export interface PlannedInsert {
  readonly observation: ValidObservation;
  readonly seq: number;
  readonly receivedAtMs: number;
  /** The batch it came in (for what the batch says of its records: markings, a signed batch id). */
  readonly batch: IngestBatch;
}

export interface IngestPlan {
  /** Per batch, one outcome per observation. */
  readonly outcomes: readonly (readonly RecordOutcome[])[];
  /** Per batch, its highest new commit sequence or null. */
  readonly lastSeqs: readonly (number | null)[];
  /** New observations in commit-sequence order. */
  readonly inserts: readonly PlannedInsert[];
  /** The commit sequence after this plan. */
  readonly lastSeq: number;
}

/** The lookup key of a (source, record id) pair; record ids hold no control characters. */
export const recordKey = (sourceId: string, recordId: string): string => `${sourceId}\u0000${recordId}`;

/**
 * Decides every observation of `batches`, in order.
 * @param existing what is stored under the keys of the batches (other keys may be missing)
 * @param lastSeq the highest commit sequence already used
 */
export function planIngest(
  batches: readonly IngestBatch[],
  existing: ReadonlyMap<string, ExistingRecord>,
  lastSeq: number,
): IngestPlan {
  const seen = new Map<string, ExistingRecord>(existing);
  const inserts: PlannedInsert[] = [];
  const outcomes: RecordOutcome[][] = [];
  const lastSeqs: (number | null)[] = [];
  let seq = lastSeq;
  for (const batch of batches) {
    const batchOutcomes: RecordOutcome[] = [];
    let batchLast: number | null = null;
    for (const observation of batch.observations) {
      const key = recordKey(observation.sourceId, observation.recordId);
      const stored = seen.get(key);
      if (stored !== undefined) {
        batchOutcomes.push({
          status: stored.contentSha256 === observation.contentSha256 ? 'duplicate' : 'conflict',
          seq: stored.seq,
        });
        continue;
      }
      seq += 1;
      seen.set(key, { seq, contentSha256: observation.contentSha256 });
      inserts.push({ observation, seq, receivedAtMs: batch.receivedAtMs, batch });
      batchOutcomes.push({ status: 'accepted', seq });
      batchLast = seq;
    }
    outcomes.push(batchOutcomes);
    lastSeqs.push(batchLast);
  }
  return { outcomes, lastSeqs, inserts, lastSeq: seq };
}
