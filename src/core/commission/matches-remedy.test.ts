import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesRemedy, matchingRemedies } from './matches-remedy.ts';
import { at, caseIn, violation } from './test-support.ts';

/** The remedy p1.r1 of `caseIn('ruled')`: bravo withdraws artillery-100 from lim-15, by T0 + 60 h. */
const later = violation({ id: 'ev-99#heavy-weapons@lim-15', timeMs: at(61) });

describe('matchesRemedy', () => {
  it('matches a later substantiated breach of the same clause, party, weapon class and zone after the deadline', () => {
    const ruled = caseIn('ruled');
    assert.deepEqual(
      matchingRemedies(ruled, later).map((remedy) => remedy.remedyId),
      ['p1.r1'],
    );
    assert.equal(matchesRemedy(caseIn('closed'), later), true);
  });

  it('does not match when any one of them differs', () => {
    const ruled = caseIn('ruled');
    for (const differs of [
      { clause: 'fire' },
      { party: 'alpha' },
      { party: null },
      { weaponClass: 'mlrs' },
      { zoneId: 'lim-25' },
      { timeMs: at(60) },
      { outcome: 'unable-to-determine' as const },
      { id: violation().id },
    ])
      assert.equal(matchesRemedy(ruled, { ...later, ...differs }), false, JSON.stringify(differs));
  });

  it('matches nothing before a ruling', () => {
    assert.equal(matchesRemedy(caseIn('voting'), later), false);
  });
});
