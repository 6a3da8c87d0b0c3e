/**
 * @module Records as they arrive, before validation, and the forms a batch of them comes in: NDJSON
 * text, a JSON array, or records already split (CSV rows).
 */
import { TrucelineError, type FieldIssue } from '../errors.ts';
import { mayRepeatKeys, repeatedKeyIssues, repeatedKeyPaths } from './duplicate-keys.ts';

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
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const strictUtf8KeepingBom = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text as a string (UTF-8 bytes decoded; a leading byte-order mark dropped, malformed bytes replaced). */
export const decodeText = (text: ReceivedText): string =>
  typeof text === 'string' ? text : utf8.decode(text);

/** How the issue of a record that is not JSON at all begins. */
const NOT_JSON = 'is not valid JSON:';

/** Whether a raw record is not JSON at all (rather than JSON that validation rejects). */
export const isNotJson = (raw: RawRecord): boolean =>
  'issues' in raw && raw.issues.some((issue) => issue.reason.startsWith(NOT_JSON));

/** The issue of a line or body whose bytes are not UTF-8: its text is not what the sender meant. */
const NOT_UTF8: FieldIssue = { path: '(root)', reason: 'is not valid UTF-8' };

/** NDJSON as text, and the lines (0-based, from its start) whose bytes are not valid UTF-8. */
export interface DecodedNdjson {
  readonly text: string;
  readonly notUtf8: ReadonlySet<number>;
}

/**
 * Decodes NDJSON. A line whose bytes are not valid UTF-8 is kept (decoded with replacement
 * characters, for the quarantine) and named, so it is rejected rather than stored altered.
 */
export function decodeNdjson(text: ReceivedText): DecodedNdjson {
  if (typeof text === 'string') return { text, notUtf8: new Set() };
  try {
    return { text: strictUtf8.decode(text), notUtf8: new Set() };
  } catch {
    // Line by line, only for a body that holds malformed bytes somewhere.
    const bytes = Buffer.from(text.buffer, text.byteOffset, text.byteLength);
    const lines: string[] = [];
    const notUtf8 = new Set<number>();
    for (let start = 0; start <= bytes.length;) {
      let end = bytes.indexOf(10, start);
      if (end === -1) end = bytes.length;
      const line = bytes.subarray(start, end);
      try {
        // A byte-order mark is dropped at the start of the text only, as a whole decode does.
        lines.push((start === 0 ? strictUtf8 : strictUtf8KeepingBom).decode(line));
      } catch {
        notUtf8.add(lines.length);
        lines.push(utf8.decode(line));
      }
      start = end + 1;
    }
    return { text: lines.join('\n'), notUtf8 };
  }
}

/** A JSON body as text; bytes that are not valid UTF-8 refuse the whole body. */
function decodeJson(text: ReceivedText): string {
  if (typeof text === 'string') return text;
  try {
    return strictUtf8.decode(text);
  } catch {
    throw new TrucelineError('E_BAD_REQUEST', 'the body is not valid UTF-8; nothing from it was stored');
  }
}

/**
 * Calls `visit` with each non-blank line of NDJSON text as a raw record, in order, without holding
 * them all; a line that is not JSON becomes a record with an issue (rejected and quarantined like any
 * invalid record).
 */
export function eachNdjsonRecord(
  { text, notUtf8 }: DecodedNdjson,
  firstPosition: number,
  visit: (raw: RawRecord) => void,
): void {
  // Runs of blank lines are skipped with one search for the next character that is not white space
  // (`\s` is what `trim` removes), counting only their line feeds.
  const nonBlank = /\S/g;
  let line = firstPosition;
  let start = 0;
  for (let found = nonBlank.exec(text); found !== null; found = nonBlank.exec(text)) {
    for (let i = start; i < found.index; i++)
      if (text.charCodeAt(i) === 10) {
        line += 1;
        start = i + 1;
      }
    let end = text.indexOf('\n', found.index);
    if (end === -1) end = text.length;
    const raw = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    visit(
      notUtf8.has(line - firstPosition)
        ? { position: line, text: raw, issues: [NOT_UTF8] }
        : parseRecordText(raw, line),
    );
    line += 1;
    start = end + 1;
    nonBlank.lastIndex = start;
  }
}

/**
 * The number of records (non-blank lines) in NDJSON text. One search for the next character that is
 * not white space skips any run of blank lines at once (`\s` is what `trim` removes), so a body of
 * millions of blank lines costs no more than one of long records.
 */
export function countNdjsonRecords(text: string): number {
  const nonBlank = /\S/g;
  let records = 0;
  for (;;) {
    const found = nonBlank.exec(text);
    if (found === null) return records;
    records += 1;
    const end = text.indexOf('\n', found.index);
    if (end === -1) return records;
    nonBlank.lastIndex = end + 1;
  }
}

/** NDJSON text as raw records, one per non-blank line (see `eachNdjsonRecord`). */
export function splitNdjson(text: DecodedNdjson, firstPosition = 1): RawRecord[] {
  const records: RawRecord[] = [];
  eachNdjsonRecord(text, firstPosition, (raw) => records.push(raw));
  return records;
}

/** Parses one record's text. */
export function parseRecordText(text: string, position: number): RawRecord {
  try {
    // A byte-order mark opening a line is dropped, wherever the line falls (files joined together).
    const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    const value = JSON.parse(json) as unknown;
    if (mayRepeatKeys(json, value)) {
      const repeated = repeatedKeyPaths(json);
      if (repeated.length > 0) return { position, text, issues: repeatedKeyIssues(repeated) };
    }
    return { position, text, value };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { position, text, issues: [{ path: '(root)', reason: `${NOT_JSON} ${why}` }] };
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
  // Keys given twice, by record: an array's element, or the one record a lone object is.
  const repeated = new Map<number, (string | number)[][]>();
  if (mayRepeatKeys(text, value))
    for (const path of repeatedKeyPaths(text)) {
      const [index, rest] = Array.isArray(value) ? [Number(path[0]), path.slice(1)] : [0, path];
      repeated.set(index, [...(repeated.get(index) ?? []), rest]);
    }
  if (!Array.isArray(value)) {
    // A single object is accepted as a batch of one.
    if (typeof value === 'object' && value !== null) {
      const paths = repeated.get(0);
      return [
        paths === undefined
          ? { position: 0, text, value }
          : { position: 0, text, issues: repeatedKeyIssues(paths) },
      ];
    }
    throw new TrucelineError('E_BAD_REQUEST', 'the body must be a JSON array of observations');
  }
  return value.map((item: unknown, index): RawRecord => {
    try {
      const paths = repeated.get(index);
      const itemText = JSON.stringify(item);
      return paths === undefined
        ? { position: index, text: itemText, value: item }
        : { position: index, text: itemText, issues: repeatedKeyIssues(paths) };
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
      return splitNdjson(decodeNdjson(input.text), input.firstPosition);
    case 'json':
      return splitJsonArray(decodeJson(input.text));
    case 'records':
      return input.records;
  }
}
