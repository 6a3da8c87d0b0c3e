import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VoteChoice } from './kinds.ts';
import { tallyVotes } from './tally-votes.ts';
import { settings } from './test-support.ts';

const votes = (entries: Record<string, VoteChoice>) =>
  Object.entries(entries).map(([member, choice]) => ({ member, choice }));

describe('tallyVotes', () => {
  it('under majority, adopts with more for than against and leaves abstentions out by default', () => {
    const tally = tallyVotes(
      settings(),
      ['bravo'],
      votes({ fr: 'for', uk: 'abstain', de: 'abstain', us: 'for', pl: 'against' }),
    );
    assert.equal(tally.outcome, 'adopted');
    assert.equal(tally.present, 4); // pl is not a member: ignored
    assert.equal(tally.abstaining, 2);
  });

  it('counts abstentions against the majority when the settings say so', () => {
    const mixed = votes({ fr: 'for', uk: 'abstain', de: 'abstain', us: 'for', 'rep-alpha': 'against' });
    assert.equal(tallyVotes(settings(), ['bravo'], mixed).outcome, 'adopted');
    const counted = tallyVotes(
      settings({ countAbstentions: true, chairCastingVote: false }),
      ['bravo'],
      mixed,
    );
    assert.equal(counted.outcome, 'rejected');
    assert.equal(counted.abstentionsCounted, true);
  });

  it('ignores the votes of recused members, in the count and the quorum', () => {
    const tally = tallyVotes(settings(), ['bravo'], votes({ fr: 'for', us: 'for', 'rep-bravo': 'against' }));
    assert.equal(tally.outcome, 'no-quorum');
    assert.equal(tally.present, 2);
    assert.deepEqual(tally.recused, ['rep-bravo']);
  });

  it('on a tie without a casting vote, or with the chair abstaining, rejects', () => {
    const tie = votes({ fr: 'for', uk: 'against', us: 'abstain' });
    assert.equal(tallyVotes(settings(), ['bravo'], tie).outcome, 'rejected');
    assert.equal(tallyVotes(settings(), ['bravo'], tie).castingVote, null);
    const chairFor = votes({ fr: 'against', uk: 'for', us: 'for', de: 'against' });
    assert.equal(tallyVotes(settings({ chairCastingVote: false }), ['bravo'], chairFor).outcome, 'rejected');
    assert.equal(tallyVotes(settings(), ['bravo'], chairFor).outcome, 'adopted');
  });

  it('under consensus, adopts when nobody present is against', () => {
    const s = settings({ decisionRule: 'consensus' });
    assert.equal(tallyVotes(s, ['bravo'], votes({ fr: 'for', uk: 'abstain', us: 'for' })).outcome, 'adopted');
    assert.equal(
      tallyVotes(s, ['bravo'], votes({ fr: 'for', uk: 'against', us: 'for' })).outcome,
      'rejected',
    );
    assert.equal(
      tallyVotes(s, ['bravo'], votes({ fr: 'abstain', uk: 'abstain', us: 'abstain' })).outcome,
      'rejected',
    );
  });

  it('under chair-decides, follows the chair and waits for it', () => {
    const s = settings({ decisionRule: 'chair-decides', quorum: 1 });
    assert.equal(tallyVotes(s, ['bravo'], votes({ fr: 'for' })).outcome, 'awaiting-chair');
    assert.equal(
      tallyVotes(s, ['bravo'], votes({ fr: 'against', uk: 'against', us: 'for' })).outcome,
      'adopted',
    );
    assert.equal(tallyVotes(s, ['bravo'], votes({ fr: 'for', us: 'abstain' })).outcome, 'rejected');
  });
});
