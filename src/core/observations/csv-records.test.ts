import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CsvRecordReader, MAX_CSV_RECORD_CHARS, type CsvRecord } from './csv-records.ts';

/** Every record of `text`, its lines fed one at a time as a file reader does. */
function read(text: string): CsvRecord[] {
  const reader = new CsvRecordReader();
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return [...lines.flatMap((line, i) => reader.push(i + 1, line)), ...reader.end()];
}

const summary = (records: readonly CsvRecord[]) =>
  records.map((r) => ('fields' in r ? [r.line, r.fields] : [r.line, r.error]));

describe('CsvRecordReader', () => {
  it('reads plain, quoted and empty fields, doubled quotes and line breaks inside quotes', () => {
    const text = 'a,b,c\n1,"x, y","say ""hi"""\n,,\n"two\nlines",2,""\r\n3,"\r\nkept",4\r\n';
    assert.deepEqual(summary(read(text)), [
      [1, ['a', 'b', 'c']],
      [2, ['1', 'x, y', 'say "hi"']],
      [3, ['', '', '']],
      [4, ['two\nlines', '2', '']],
      [6, ['3', '\r\nkept', '4']],
    ]);
  });

  it('skips blank lines between records and numbers records by the line they start on', () => {
    assert.deepEqual(summary(read('a\n\n\r\nb\n"c\n\nd"\n')), [
      [1, ['a']],
      [4, ['b']],
      [5, ['c\n\nd']],
    ]);
  });

  it('rejects a record with text after a closing quote, or a quote inside an unquoted field, and reads on', () => {
    const records = read('h1,h2\n"x"y,1\nab"c,2\nok,3\n');
    assert.deepEqual(summary(records), [
      [1, ['h1', 'h2']],
      [2, 'has "y" after the closing quote of field 1'],
      [3, 'has a quote inside field 1, which is not quoted'],
      [4, ['ok', '3']],
    ]);
    assert.equal(records[1]?.text, '"x"y,1');
  });

  it('rejects the first line of a quote never closed, or of a record over lines that cannot be read, and reads the lines after it again', () => {
    assert.deepEqual(summary(read('h\n"open\nnext\n"closed"\n')), [
      [1, ['h']],
      [2, 'opens a quote, and the record it starts has "c" after the closing quote of field 1 on line 4'],
      [3, ['next']],
      [4, ['closed']],
    ]);
    assert.deepEqual(summary(read('h\n"open\nnext\n')), [
      [1, ['h']],
      [2, 'has a quote that is never closed'],
      [3, ['next']],
    ]);
  });

  it('gives up on a quote still open past the longest record, and reads on from its next line', () => {
    const long = 'x'.repeat(1000);
    const lines = [
      '"start',
      ...Array.from({ length: Math.ceil(MAX_CSV_RECORD_CHARS / 1000) + 1 }, () => long),
    ];
    const reader = new CsvRecordReader();
    const records = [...lines.flatMap((line, i) => reader.push(i + 1, line)), ...reader.end()];
    assert.deepEqual(summary(records.slice(0, 2)), [
      [1, `has a quote still open after ${MAX_CSV_RECORD_CHARS} characters`],
      [2, [long]],
    ]);
    assert.equal(records.length, lines.length);
  });

  it('reads back what a writer that quotes every field wrote (property)', () => {
    const field = fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', 'é', ' ') });
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), { maxLength: 5 }), (rows) => {
        const quote = (f: string) => `"${f.replaceAll('"', '""')}"`;
        const text = rows.map((r) => r.map(quote).join(',')).join('\n');
        const records = read(`${text}\n`);
        assert.deepEqual(
          records.map((r) => ('fields' in r ? r.fields : r.error)),
          rows,
        );
      }),
    );
  });
});
