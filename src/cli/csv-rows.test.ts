import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { csvRows, MAX_CSV_LINE_BYTES, type CsvRow } from './csv-rows.ts';

const dir = mkdtempSync(join(tmpdir(), 'truceline-csv-rows-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function rowsOf(name: string, content: string | Buffer): Promise<CsvRow[]> {
  const file = join(dir, name);
  writeFileSync(file, content);
  const rows: CsvRow[] = [];
  for await (const row of csvRows(file).rows) rows.push(row);
  return rows;
}

const summary = (rows: readonly CsvRow[]) =>
  rows.map((r) => ('fields' in r ? [r.line, r.fields] : [r.line, r.issue.reason]));

describe('csvRows', () => {
  it('rejects a line longer than the longest read without holding it, and reads the rows after it', async () => {
    const long = 'x'.repeat(MAX_CSV_LINE_BYTES + 10);
    const rows = await rowsOf('long.csv', `a,b\n1,2\n"open,${long}\n3,4\n`);
    assert.deepEqual(summary(rows), [
      [2, { a: '1', b: '2' }],
      [3, `is longer than ${MAX_CSV_LINE_BYTES} bytes`],
      [4, { a: '3', b: '4' }],
    ]);
  });

  it('refuses a file whose lines end with a carriage return alone, rather than read it as one header', async () => {
    await assert.rejects(rowsOf('cr.csv', 'a,b\r1,2\r3,4\r'), /lines end with a carriage return alone/);
  });

  it('takes a blank column name (as pandas writes its index), and refuses a name twice', async () => {
    assert.deepEqual(summary(await rowsOf('blank.csv', ',id\n0,7\n')), [[2, { '': '0', id: '7' }]]);
    await assert.rejects(
      rowsOf('twice.csv', 'id,x,id\n1,2,3\n'),
      /column 3 of the header, "id", repeats an earlier one/,
    );
  });

  it('keeps a U+FEFF inside the file as text; drops only the byte-order mark that opens it', async () => {
    const rows = await rowsOf('bom.csv', '\uFEFFa,b\n\uFEFFx,y\n');
    assert.deepEqual(summary(rows), [[2, { a: '\uFEFFx', b: 'y' }]]);
  });
});
