import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_KEYS_PER_READ, readKeys } from './read-log.ts';

test('readKeys keeps every key up to the limit, then the first ones and how many more there were', () => {
  const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  assert.deepEqual(
    readKeys('observation', ids(3), (n) => n),
    ['observation:1', 'observation:2', 'observation:3'],
  );
  assert.equal(readKeys('o', ids(MAX_KEYS_PER_READ), (n) => n).length, MAX_KEYS_PER_READ);
  const many = readKeys('o', ids(1_000), (n) => n);
  assert.equal(many.length, MAX_KEYS_PER_READ);
  assert.equal(many.at(-2), `o:${MAX_KEYS_PER_READ - 1}`);
  assert.equal(many.at(-1), `+${1_000 - MAX_KEYS_PER_READ + 1} more`);
  assert.deepEqual(
    readKeys('s', [], (n: number) => n),
    [],
  );
});
