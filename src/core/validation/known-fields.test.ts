import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unknownFieldIssues, type FieldShape } from './known-fields.ts';

const SHAPE: FieldShape = {
  type: true,
  note: true,
  target: { kind: true, party: true },
  remedies: [{ kind: true, party: true }],
};

describe('unknownFieldIssues', () => {
  it('names each field the shape does not, at any depth, and nothing else', () => {
    assert.deepEqual(unknownFieldIssues({ type: 'x', note: [[['deep']]], target: { kind: 'r' } }, SHAPE), []);
    assert.deepEqual(
      unknownFieldIssues(
        {
          type: 'x',
          junk: 'A'.repeat(10),
          target: { kind: 'r', extra: 1 },
          remedies: [{ kind: 'k' }, { party: 'p', hidden: { a: 1 } }],
          constructor: 1,
        },
        SHAPE,
      ),
      [
        { path: 'junk', reason: 'is not a field of this input' },
        { path: 'target.extra', reason: 'is not a field of this input' },
        { path: 'remedies[1].hidden', reason: 'is not a field of this input' },
        { path: 'constructor', reason: 'is not a field of this input' },
      ],
    );
  });

  it('leaves values of another type than the shape expects to the checks of their own', () => {
    assert.deepEqual(unknownFieldIssues({ target: 'text', remedies: { kind: 1 } }, SHAPE), []);
    assert.deepEqual(unknownFieldIssues(null, SHAPE), []);
  });
});
