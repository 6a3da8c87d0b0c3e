/**
 * @module Stored observations as fusion reads them: the validated record parsed back from its
 * canonical content, with the commit sequence and the fields fusion uses lifted out.
 */
import type { ObservationInput } from '../observations/schema.ts';
import type { StoredObservation } from '../ports/observation-store.ts';

/** One observation for fusion. `record` is the validated record as the source sent it. */
export interface FusionInput {
  readonly seq: number;
  readonly sourceId: string;
  readonly recordId: string;
  readonly observedAtMs: number;
  readonly timeUncertaintyMs: number;
  readonly record: ObservationInput;
}

/** The stored observation as a fusion input (its content was validated when it was accepted). */
export function fusionInputOf(stored: StoredObservation): FusionInput {
  return {
    seq: stored.seq,
    sourceId: stored.sourceId,
    recordId: stored.recordId,
    observedAtMs: stored.observedAtMs,
    timeUncertaintyMs: stored.timeUncertaintyMs,
    record: JSON.parse(stored.content) as ObservationInput,
  };
}

/**
 * A record known to be valid (a simulator's line, a test's) as the fusion input it would be once
 * committed at sequence `seq`.
 */
export function fusionInputOfRecord(record: ObservationInput, seq: number): FusionInput {
  return {
    seq,
    sourceId: record.sourceId,
    recordId: record.id,
    observedAtMs: Date.parse(record.observedAt),
    timeUncertaintyMs: record.timeUncertaintyMs,
    record,
  };
}

/** A stable order for inputs that must be processed alike whatever order they arrived in. */
export const byTimeThenKey = (a: FusionInput, b: FusionInput): number =>
  a.observedAtMs - b.observedAtMs ||
  (a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : 0) ||
  (a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : 0);
