/** @module Records as they arrive, before validation: a parsed JSON value with its text, or a record already known to be bad. */
import type { FieldIssue } from '../core/errors.ts';

/** One record as received. `position` is its index in a request (0-based) or its line in a file (1-based). */
export type RawRecord =
  | { readonly position: number; readonly text: string; readonly value: unknown }
  | { readonly position: number; readonly text: string; readonly issues: readonly FieldIssue[] };

/**
 * Splits NDJSON text into raw records, one per non-blank line; a line that is not JSON becomes a
 * record with an issue (rejected and quarantined like any invalid record).
 * @param firstLine the line number of the text's first line (1 for a whole file)
 */
export function splitNdjson(text: string, firstLine = 1): RawRecord[] {
  const records: RawRecord[] = [];
  let line = firstLine;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const raw = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    if (raw.trim() !== '') records.push(parseRecordText(raw, line));
    line += 1;
    start = end + 1;
  }
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
