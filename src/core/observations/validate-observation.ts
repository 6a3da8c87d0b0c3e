/**
 * @module Validation of one observation: schema, then the checks that need context (the time of
 * receipt), then the fields the store indexes. Pure: the hash function is passed in.
 */
import type { FieldIssue } from '../errors.ts';
import type { PrecomputedLeaf } from '../ledger/leaf.ts';
import type { Sha256Hex } from '../ports/hasher.ts';
import { fieldIssues } from '../validation/field-issues.ts';
import { validCopier } from '../validation/valid-copy.ts';
import { canonicalJson } from './canonical-json.ts';
import type { ObservationKind, SensorState } from './kinds.ts';
import { OBSERVATION_LIMITS, observationSchema, type ObservationInput } from './schema.ts';

/**
 * A validated observation with what the store needs to index, deduplicate and return it. Flat data
 * only, so it crosses to and from worker threads cheaply.
 */
export interface ValidObservation {
  readonly sourceId: string;
  readonly recordId: string;
  readonly kind: ObservationKind;
  readonly observedAtMs: number;
  readonly timeUncertaintyMs: number;
  /** The point the spatial index uses: the reported location, or the observer's for patrol reports. */
  readonly lat: number | null;
  readonly lon: number | null;
  readonly ceM: number | null;
  readonly weaponClass: string | null;
  readonly batchId: string | null;
  /** RFC 8785 canonical JSON of the record without transport fields: what is stored and hashed. */
  readonly content: string;
  /** SHA-256 of `content`. */
  readonly contentSha256: string;
  /** The state a heartbeat reports; null for every other kind. */
  readonly heartbeatState: SensorState | null;
  /** Its ledger leaf, when whoever validated it made one ahead of the commit (a validation thread). */
  readonly precomputedLeaf?: PrecomputedLeaf;
}

export type ValidationResult =
  | { readonly ok: true; readonly observation: ValidObservation }
  | {
      readonly ok: false;
      readonly issues: readonly FieldIssue[];
      readonly sourceId?: string;
      readonly recordId?: string;
    };

/** The record without transport fields: what its content hash covers. */
export function contentOf(record: ObservationInput): Omit<ObservationInput, 'batchId' | 'receivedAt'> {
  const { batchId: _batchId, receivedAt: _receivedAt, ...content } = record;
  return content;
}

const stringField = (raw: unknown, key: string): string | undefined => {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const value = (raw as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
};

/**
 * Copies of the records the schema accepts, keys in canonical order, without zod's cost; `undefined`
 * for the rest and for any the fast path is not sure of: zod then decides, and words its reasons.
 */
const acceptedCopy = validCopier(observationSchema) as (raw: unknown) => ObservationInput | undefined;

/**
 * Validates one raw record.
 * @param raw the parsed JSON value as it arrived
 * @param receivedAtMs the server's receipt time (observations may not be more than 24 h ahead of it)
 * @param sha256 the hash function
 */
export function validateObservation(raw: unknown, receivedAtMs: number, sha256: Sha256Hex): ValidationResult {
  const copy = acceptedCopy(raw);
  let record: ObservationInput;
  if (copy !== undefined) record = copy;
  else {
    const parsed = observationSchema.safeParse(raw);
    if (!parsed.success) {
      return {
        ok: false,
        issues: fieldIssues(parsed.error),
        sourceId: stringField(raw, 'sourceId'),
        recordId: stringField(raw, 'id'),
      };
    }
    record = parsed.data;
  }
  const observedAtMs = Date.parse(record.observedAt);
  if (observedAtMs > receivedAtMs + OBSERVATION_LIMITS.maxFutureSkewMs) {
    return {
      ok: false,
      issues: [{ path: 'observedAt', reason: 'is more than 24 h after the time the server received it' }],
      sourceId: record.sourceId,
      recordId: record.id,
    };
  }
  const point = record.kind === 'patrol' ? record.payload.observer : record.location;
  // A copy is in canonical order by construction: one native call writes its canonical text.
  const content = copy !== undefined ? JSON.stringify(contentOf(copy)) : canonicalJson(contentOf(record));
  return {
    ok: true,
    observation: {
      sourceId: record.sourceId,
      recordId: record.id,
      kind: record.kind,
      observedAtMs,
      timeUncertaintyMs: record.timeUncertaintyMs,
      lat: point?.lat ?? null,
      lon: point?.lon ?? null,
      ceM: point?.ceM ?? null,
      weaponClass: record.weaponClass ?? null,
      batchId: record.batchId ?? null,
      content,
      contentSha256: sha256(content),
      heartbeatState: record.kind === 'heartbeat' ? record.payload.state : null,
    },
  };
}
