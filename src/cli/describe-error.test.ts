import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TrucelineError } from '../core/errors.ts';
import { describeError } from './describe-error.ts';

test('an error is described with each field it names and what caused it', () => {
  const disk = new Error('SQLITE_FULL: database or disk is full');
  const error = new TrucelineError('E_STORE', 'the ingest could not be committed', {
    issues: [{ path: 'zones[2].distanceKm', reason: 'must be greater than 0' }],
    cause: new Error('the transaction failed', { cause: disk }),
  });
  assert.equal(
    describeError(error),
    [
      'the ingest could not be committed',
      '  zones[2].distanceKm: must be greater than 0',
      '  because: the transaction failed',
      '  because: SQLITE_FULL: database or disk is full',
    ].join('\n'),
  );
  assert.equal(describeError('plain'), 'plain');
  // A cause the message already quotes is not said twice.
  assert.equal(
    describeError(new Error('cannot open x: ENOENT', { cause: new Error('ENOENT') })),
    'cannot open x: ENOENT',
  );
});
