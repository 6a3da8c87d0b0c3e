import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addedLater, canonicalRecord, ledgeredTableSpec } from './ledger-records.ts';

test('a column added later is left out of the record while NULL, so rows written before it keep their text', () => {
  const before = ledgeredTableSpec('thing', 'things', { id: 'int' }, { name: 'text', weight: 'real' });
  const after = ledgeredTableSpec(
    'thing',
    'things',
    { id: 'int' },
    { name: 'text', weight: 'real', colour: addedLater('text'), a_first: addedLater('int') },
  );
  const old = { id: 1, name: 'x', weight: 1.5 };
  assert.equal(canonicalRecord(before, old), '{"name":"x","weight":1.5}');
  // The migration gives old rows NULL in the new columns: their records do not change.
  assert.equal(canonicalRecord(after, { ...old, colour: null, a_first: null }), canonicalRecord(before, old));
  // A value in a new column is in the record, in its place by name.
  assert.equal(
    canonicalRecord(after, { ...old, colour: 'red', a_first: 7 }),
    '{"a_first":7,"colour":"red","name":"x","weight":1.5}',
  );
  // A column of the first migration still writes its NULL.
  assert.equal(
    canonicalRecord(after, { id: 2, name: 'y', weight: null, colour: null, a_first: null }),
    '{"name":"y","weight":null}',
  );
  // The column must still be read: a row without it is an error, as for any column.
  assert.throws(() => canonicalRecord(after, old), /things\.a_first: missing from the row/);
  const onlyLater = ledgeredTableSpec('t', 't', { id: 'int' }, { note: addedLater('text') });
  assert.equal(canonicalRecord(onlyLater, { id: 1, note: null }), '{}');
});
