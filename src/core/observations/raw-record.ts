/**
 * @module Records as they arrive, before validation, and the forms a batch of them comes in: NDJSON
 * text, a JSON array, or records already split (CSV rows).
 */
import { TrucelineError, type FieldIssue } from '../errors.ts';

/** One record as received. `position` is its index in a request (0-based) or its line in a file (1-based). */
export type RawRecord =
  | { readonly position: number; readonly text: string; readonly value: unknown }
  | { readonly position: number; readonly text: string; readonly issues: readonly FieldIssue[] };

/**
 * Text as it arrived: a string, or its UTF-8 bytes (decoded where the batch is validated, so a
 * worker thread does it rather than the thread that reads files and serves requests).
 */
export type ReceivedText = string | Uint8Array;

/** A batch as it arrived. Text is split and parsed where it is validated (possibly another thread). */
export type RecordInput =
  /** One record per line; `firstPosition` is the position of the first line (1 for a file, 0 for a request). */
  | { readonly format: 'ndjson'; readonly text: ReceivedText; readonly firstPosition: number }
  /** A JSON array of records (or a single record object); positions are array indexes. */
  | { readonly format: 'json'; readonly text: ReceivedText }
  | { readonly format: 'records'; readonly records: readonly RawRecord[] };

const utf8 = new TextDecoder();

/** The text as a string (UTF-8 bytes decoded; a leading byte-order mark dropped, malformed bytes replaced). */
export const decodeText = (text: ReceivedText): string =>
  typeof text === 'string' ? text : utf8.decode(text);

/**
 * Calls `visit` with each non-blank line of NDJSON text as a raw record, in order, without holding
 * them all; a line that is not JSON becomes a record with an issue (rejected and quarantined like any
 * invalid record).
 */
export function eachNdjsonRecord(text: string, firstPosition: number, visit: (raw: RawRecord) => void): void {
  let line = firstPosition;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const raw = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    if (raw.trim() !== '') visit(parseRecordText(raw, line));
    line += 1;
    start = end + 1;
  }
}

/** The number of records (non-blank lines) in NDJSON text. */
export function countNdjsonRecords(text: string): number {
  let records = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (text.slice(start, end).trim() !== '') records += 1;
    start = end + 1;
  }
  return records;
}

/** NDJSON text as raw records, one per non-blank line (see `eachNdjsonRecord`). */
export function splitNdjson(text: string, firstPosition = 1): RawRecord[] {
  const records: RawRecord[] = [];
  eachNdjsonRecord(text, firstPosition, (raw) => records.push(raw));
  return records;
}

/** Parses one record's text. */
export function parseRecordText(text: string, position: number): RawRecord {
  try {
    return { position, text, value: JSON.parse(text) as unknown };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { position, text, issues: [{ path: '(root)', reason: `is not valid JSON: ${why}` }] };
  }
}

/** A JSON array body as raw records; a body that is not JSON, or not an array or object, is `E_BAD_REQUEST`. */
export function splitJsonArray(text: string): RawRecord[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TrucelineError(
      'E_BAD_REQUEST',
      `the body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!Array.isArray(value)) {
    // A single object is accepted as a batch of one.
    if (typeof value === 'object' && value !== null) return [{ position: 0, text, value }];
    throw new TrucelineError('E_BAD_REQUEST', 'the body must be a JSON array of observations');
  }
  return value.map((item: unknown, index): RawRecord => {
    try {
      return { position: index, text: JSON.stringify(item), value: item };
    } catch (error) {
      // JSON.parse takes nesting JSON.stringify cannot give back (it recurses): such a record is no observation.
      if (!(error instanceof RangeError)) throw error;
      return {
        position: index,
        text: '',
        issues: [{ path: '(root)', reason: 'is nested too deeply to be an observation' }],
      };
    }
  });
}

/** The raw records of a batch, in order. */
export function rawRecordsOf(input: RecordInput): readonly RawRecord[] {
  switch (input.format) {
    case 'ndjson':
      return splitNdjson(decodeText(input.text), input.firstPosition);
    case 'json':
      return splitJsonArray(decodeText(input.text));
    case 'records':
      return input.records;
  }
}
