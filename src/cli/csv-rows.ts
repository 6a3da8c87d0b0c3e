/**
 * @module The rows of a CSV file with a header, each either its fields by column name or the reason it
 * cannot be read: more or fewer fields than the header, bytes that are not UTF-8, or CSV that does not
 * parse (a stray quote). Each such row is one rejection, and reading goes on: one bad row no longer
 * ends an import, and no row is stored with its bytes replaced.
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import type { FieldIssue } from '../core/errors.ts';
import { CsvRecordReader, MAX_CSV_RECORD_CHARS, type CsvRecord } from '../core/observations/csv-records.ts';

export type CsvRow =
  | { readonly line: number; readonly text: string; readonly fields: Readonly<Record<string, string>> }
  | { readonly line: number; readonly text: string; readonly issue: FieldIssue };

/** Bytes decoded as they are: a U+FEFF inside the file is text, not a byte-order mark to drop. */
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** The longest line read, in bytes; a longer one is rejected without being held. */
export const MAX_CSV_LINE_BYTES = 4 * MAX_CSV_RECORD_CHARS;

/** Reads `file` row by row after its header; `bytesRead()` tells how far the file has been read. */
export function csvRows(file: string): { rows: AsyncGenerator<CsvRow>; bytesRead: () => number } {
  const input = createReadStream(file, { highWaterMark: 1 << 20 });
  return { rows: readRows(file, input), bytesRead: () => input.bytesRead };
}

async function* readRows(file: string, input: AsyncIterable<Buffer>): AsyncGenerator<CsvRow> {
  const reader = new CsvRecordReader();
  /** Lines that are not valid UTF-8 (only while a record holding one may still come out). */
  const notUtf8 = new Set<number>();
  let header: string[] | undefined;
  const rowsOf = function* (records: readonly CsvRecord[]): Generator<CsvRow> {
    for (const record of records) {
      const { line, text } = record;
      const lines = text.split('\n').length;
      let malformed = false;
      for (let l = line; l < line + lines; l++) malformed = notUtf8.delete(l) || malformed;
      if (header === undefined) {
        if (malformed) throw new Error(`${file}:${line}: the header is not valid UTF-8`);
        if ('error' in record) throw new Error(`${file}:${line}: the header ${record.error}`);
        header = headerOf(file, line, record.fields);
      } else if (malformed) yield { line, text, issue: { path: '(row)', reason: 'is not valid UTF-8' } };
      else if ('error' in record) yield { line, text, issue: { path: '(row)', reason: record.error } };
      else if (record.fields.length !== header.length) {
        const n = record.fields.length;
        const reason = `has ${n} field${n === 1 ? '' : 's'}; the header has ${header.length}`;
        yield { line, text, issue: { path: '(row)', reason } };
      } else {
        const fields = record.fields;
        yield { line, text, fields: Object.fromEntries(header.map((name, i) => [name, fields[i] ?? ''])) };
      }
    }
  };
  let line = 1;
  const take = (bytes: Buffer): CsvRecord[] => {
    if (!isUtf8(bytes)) notUtf8.add(line);
    let text = utf8.decode(bytes);
    // The byte-order mark some exporters write first is not part of the header.
    if (line === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
    return reader.push(line++, text);
  };
  let carry: Buffer[] = [];
  let carried = 0;
  /** Whether the current line passed the longest one read: it is skipped to its end. */
  let skipping = false;
  const tooLong = function* (): Generator<CsvRow> {
    if (header === undefined)
      throw new Error(`${file}:${line}: the header is longer than ${MAX_CSV_LINE_BYTES} bytes`);
    // A record open across lines ends here: rejected, and its other lines read again.
    yield* rowsOf(reader.end());
    const reason = `is longer than ${MAX_CSV_LINE_BYTES} bytes`;
    yield { line: line++, text: '', issue: { path: '(row)', reason } };
  };
  for await (const chunk of input) {
    if (line === 1 && carried === 0 && chunk.indexOf(10) === -1 && chunk.indexOf(13) !== -1)
      throw new Error(
        `${file}: its lines end with a carriage return alone; save it with LF or CRLF line ends`,
      );
    let start = 0;
    for (let end = chunk.indexOf(10); end !== -1; end = chunk.indexOf(10, start)) {
      if (skipping || carried + (end - start) > MAX_CSV_LINE_BYTES) {
        skipping = false;
        carry = [];
        carried = 0;
        yield* tooLong();
      } else {
        const bytes =
          carried === 0 ? chunk.subarray(start, end) : Buffer.concat([...carry, chunk.subarray(start, end)]);
        carry = [];
        carried = 0;
        yield* rowsOf(take(bytes));
      }
      start = end + 1;
    }
    if (skipping || start === chunk.length) continue;
    carry.push(chunk.subarray(start));
    carried += chunk.length - start;
    if (carried > MAX_CSV_LINE_BYTES) {
      skipping = true;
      carry = [];
      carried = 0;
    }
  }
  if (skipping) yield* tooLong();
  else if (carried > 0) yield* rowsOf(take(Buffer.concat(carry)));
  yield* rowsOf(reader.end());
  if (header === undefined) throw new Error(`${file}: no header row`);
}

/** The column names, each once. */
function headerOf(file: string, line: number, names: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const [i, name] of names.entries()) {
    // A blank name is a column too (pandas writes its index so); only a name twice cannot be told apart.
    if (seen.has(name))
      throw new Error(
        `${file}:${line}: column ${i + 1} of the header, ${JSON.stringify(name)}, repeats an earlier one`,
      );
    seen.add(name);
  }
  return [...names];
}
