import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { TrucelineError } from '../core/errors.ts';
import { linesOf } from './lines-of.ts';

const dir = mkdtempSync(join(tmpdir(), 'truceline-lines-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const read = async (path: string, max?: number): Promise<string[]> => {
  const lines: string[] = [];
  for await (const line of linesOf(path, max)) lines.push(line);
  return lines;
};

describe('linesOf', () => {
  it('splits on \\n, drops a \\r before it, keeps empty lines and a last line without \\n', async () => {
    assert.deepEqual(await read(file('small', 'a\r\n\nb\nü€\r\nlast')), ['a', '', 'b', 'ü€', 'last']);
    assert.deepEqual(await read(file('empty', '')), []);
    assert.deepEqual(await read(file('one-newline', '\n')), ['']);
  });

  it('joins lines that span chunks, multi-byte characters and a \\r\\n cut between chunks included', async () => {
    const MiB = 1 << 20;
    // A 3.5 MiB line of 3-byte characters crosses three chunk ends, one inside a character; a \r ends
    // the first chunk and its \n starts the next.
    const long = '€'.repeat((3.5 * MiB) / 3);
    const head = `${'x'.repeat(MiB - 1)}\r`;
    const lines = await read(file('spanning', `${head}\n${long}\nend`));
    assert.deepEqual(
      lines.map((l) => l.length),
      [MiB - 1, long.length, 3],
    );
    assert.equal(lines[1], long);
  });

  it('refuses a line longer than the limit, naming it', async () => {
    await assert.rejects(
      read(file('too-long', `ok\n${'y'.repeat(3 << 20)}`), 2 << 20),
      (error: TrucelineError) =>
        error.code === 'E_VALIDATION' && /line 2 is longer than 2097152 bytes/.test(error.message),
    );
    assert.deepEqual(await read(file('at-limit', `${'z'.repeat(1000)}\n`), 1000), ['z'.repeat(1000)]);
  });
});
