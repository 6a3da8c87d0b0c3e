/**
 * @module CSV (RFC 4180: comma-separated, fields optionally in double quotes, `""` a quote inside one,
 * line breaks inside quotes) read line by line, so that one malformed record costs that record only.
 * A record that cannot be read — a quote in the middle of a field, text after a closing quote, a quote
 * never closed — is rejected from the line it starts on, and reading starts again on the next line:
 * a stray quote does not swallow the rest of the file as one field.
 */

/** One record: the line it starts on (1-based), its text as read, and its fields or why it has none. */
export type CsvRecord =
  | { readonly line: number; readonly text: string; readonly fields: readonly string[] }
  | { readonly line: number; readonly text: string; readonly error: string };

/** The longest record read, in UTF-16 code units of its text; past it, a record is rejected. */
export const MAX_CSV_RECORD_CHARS = 1 << 20;

/**
 * Reads records from lines given one at a time (without their `\n`; a `\r` before it is taken as part
 * of the line break). Blank lines between records are skipped.
 */
export class CsvRecordReader {
  /** The lines of the record being read (its quote still open at their end). */
  #pending: string[] = [];
  #pendingChars = 0;
  #firstLine = 0;
  /** Where the record's parse stands after its pending lines. */
  #fields: string[] = [];
  #field = '';

  /** Takes the next line (number `line`); returns the records it completes, in order. */
  push(line: number, text: string): CsvRecord[] {
    if (this.#pending.length === 0) {
      if (text === '' || text === '\r') return [];
      this.#firstLine = line;
    }
    this.#pending.push(text);
    this.#pendingChars += text.length + 1;
    const outcome = this.#parseLine(text);
    if (outcome === 'open') {
      if (this.#pendingChars <= MAX_CSV_RECORD_CHARS) return [];
      return this.#reopen(`has a quote still open after ${MAX_CSV_RECORD_CHARS} characters`);
    }
    // A record over several lines that cannot be read: its opening quote may be the stray one.
    if ('error' in outcome && this.#pending.length > 1)
      return this.#reopen(`opens a quote, and the record it starts ${outcome.error} on line ${line}`);
    const record: CsvRecord = { line: this.#firstLine, text: this.#pending.join('\n'), ...outcome };
    this.#reset();
    return [record];
  }

  /** The end of the input: a record still open is rejected, and the lines after its first read again. */
  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    while (this.#pending.length > 0) out.push(...this.#reopen('has a quote that is never closed'));
    return out;
  }

  /** A quote never closed: the record's first line is rejected, and the lines after it are read again. */
  #reopen(reason: string): CsvRecord[] {
    const [first = '', ...rest] = this.#pending;
    const firstLine = this.#firstLine;
    this.#reset();
    const out: CsvRecord[] = [{ line: firstLine, text: first, error: reason }];
    for (const [i, line] of rest.entries()) out.push(...this.push(firstLine + 1 + i, line));
    return out;
  }

  #reset(): void {
    this.#pending = [];
    this.#pendingChars = 0;
    this.#fields = [];
    this.#field = '';
  }

  /**
   * Parses one more line of the record: its fields when the record ends there, why it cannot be
   * read, or `open` when a quoted field goes on past the line.
   */
  #parseLine(raw: string): { readonly fields: string[] } | { readonly error: string } | 'open' {
    // A `\r` ending a line is the line break's, unless a quote is open across it.
    const crlf = raw.endsWith('\r');
    const line = crlf ? raw.slice(0, -1) : raw;
    const fields = this.#fields;
    let field = this.#field;
    // A record that continues onto this line does so inside a quoted field.
    let quoted = this.#pending.length > 1;
    let closed = false; // just after a quoted field's closing quote
    for (let i = 0; i < line.length; i++) {
      const c = line.charAt(i);
      if (quoted) {
        if (c !== '"') field += c;
        else if (line[i + 1] === '"') {
          field += '"';
          i += 1;
        } else {
          quoted = false;
          closed = true;
        }
      } else if (c === ',') {
        fields.push(field);
        field = '';
        closed = false;
      } else if (closed) {
        return { error: `has ${JSON.stringify(c)} after the closing quote of field ${fields.length + 1}` };
      } else if (c === '"') {
        if (field !== '')
          return { error: `has a quote inside field ${fields.length + 1}, which is not quoted` };
        quoted = true;
      } else field += c;
    }
    if (!quoted) {
      fields.push(field);
      return { fields };
    }
    this.#field = field + (crlf ? '\r\n' : '\n');
    return 'open';
  }
}
