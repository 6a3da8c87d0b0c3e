import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { potentialViolationId } from './potential-violation-id.ts';

describe('potentialViolationId', () => {
  it('derives from the event, the clause and the zone only', () => {
    assert.equal(potentialViolationId('ev-7', 'fire', null), 'ev-7#fire');
    assert.equal(potentialViolationId('ev-7', 'weapons', 'zone-15'), 'ev-7#weapons@zone-15');
    assert.notEqual(
      potentialViolationId('ev-7', 'weapons', 'zone-15'),
      potentialViolationId('ev-7', 'weapons', 'zone-25'),
    );
  });
});
