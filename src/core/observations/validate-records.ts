/** @module Validation of a whole batch: split, parse and validate each record on its own. Pure. */
import { TrucelineError, type FieldIssue } from '../errors.ts';
import type { Sha256Hex } from '../ports/hasher.ts';
import {
  countNdjsonRecords,
  decodeNdjson,
  eachNdjsonRecord,
  rawRecordsOf,
  type RawRecord,
  type RecordInput,
} from './raw-record.ts';
import { validateObservation, type ValidObservation } from './validate-observation.ts';

/** A record that failed validation, with its text as received (for the quarantine). */
export interface InvalidRecord {
  readonly position: number;
  readonly text: string;
  readonly issues: readonly FieldIssue[];
  readonly sourceId?: string;
  readonly recordId?: string;
}

export interface ValidatedRecords {
  /** Valid records, in input order. */
  readonly valid: readonly { readonly position: number; readonly observation: ValidObservation }[];
  /** Invalid records, in input order. */
  readonly invalid: readonly InvalidRecord[];
}

/** The error for a batch with more records than allowed: nothing of it is validated or stored. */
export const tooManyRecords = (count: number, maxRecords: number): TrucelineError =>
  new TrucelineError(
    'E_PAYLOAD_TOO_LARGE',
    `the request holds ${count} records; the limit is ${maxRecords} records per request (maxRecordsPerRequest); nothing from it was stored`,
    { details: { limit: 'maxRecordsPerRequest', value: maxRecords } },
  );

/**
 * Validates every record of a batch. Throws `E_BAD_REQUEST` when a JSON body is not JSON at all, and
 * `E_PAYLOAD_TOO_LARGE` when it holds more than `maxRecords` records (checked before any validation).
 * `finish`, if given, is applied to each valid observation as it is made (a validation thread adds its
 * ledger leaf there, while the observation is fresh).
 */
export function validateRecords(
  input: RecordInput,
  receivedAtMs: number,
  sha256: Sha256Hex,
  maxRecords = Number.POSITIVE_INFINITY,
  finish?: (observation: ValidObservation) => ValidObservation,
): ValidatedRecords {
  const valid: { position: number; observation: ValidObservation }[] = [];
  const invalid: InvalidRecord[] = [];
  const visit = (raw: RawRecord): void => {
    if ('issues' in raw) {
      invalid.push({ position: raw.position, text: raw.text, issues: raw.issues });
      return;
    }
    const result = validateObservation(raw.value, receivedAtMs, sha256);
    if (result.ok)
      valid.push({
        position: raw.position,
        observation: finish === undefined ? result.observation : finish(result.observation),
      });
    else
      invalid.push({
        position: raw.position,
        text: raw.text,
        issues: result.issues,
        ...(result.sourceId === undefined ? {} : { sourceId: result.sourceId }),
        ...(result.recordId === undefined ? {} : { recordId: result.recordId }),
      });
  };
  if (input.format === 'ndjson') {
    // Line by line: a parsed record is garbage once validated, so a batch never holds them all.
    const decoded = decodeNdjson(input.text);
    if (Number.isFinite(maxRecords)) {
      const count = countNdjsonRecords(decoded.text);
      if (count > maxRecords) throw tooManyRecords(count, maxRecords);
    }
    eachNdjsonRecord(decoded, input.firstPosition, visit);
  } else {
    const raws = rawRecordsOf(input);
    if (raws.length > maxRecords) throw tooManyRecords(raws.length, maxRecords);
    raws.forEach(visit);
  }
  return { valid, invalid };
}
