/**
 * @module The count of the votes on a proposed ruling under the Commission's decision rule. Pure and
 * separate from the case, so the API can show the standing count while votes come in and the ruling
 * records exactly the count that decided it.
 */
import type { CommissionSettings } from '../agreement/schema.ts';
import type { DecisionRule } from '../agreement/kinds.ts';
import type { VoteChoice } from './kinds.ts';
import { recusedMembers } from './recusal.ts';

/** The count and what it decides. */
export interface Tally {
  readonly rule: DecisionRule;
  /** Members entitled to vote: every member not recused. */
  readonly entitled: readonly string[];
  readonly recused: readonly string[];
  /** Entitled members that voted, abstentions included: what the quorum counts. */
  readonly present: number;
  readonly quorum: number;
  readonly inFavour: number;
  readonly against: number;
  readonly abstaining: number;
  /** Whether abstentions counted toward the majority (settings `countAbstentions`). */
  readonly abstentionsCounted: boolean;
  /** The chair's vote, when it broke a tie under the majority rule; null otherwise. */
  readonly castingVote: VoteChoice | null;
  /**
   * `adopted` or `rejected`; `no-quorum` while fewer entitled members than the quorum have voted;
   * `awaiting-chair` under `chair-decides` while the chair has not voted.
   */
  readonly outcome: 'adopted' | 'rejected' | 'no-quorum' | 'awaiting-chair';
}

/**
 * Counts `votes` (one per member; votes of members not entitled are ignored) under `settings`:
 *
 * - the quorum counts entitled members present, abstaining or not;
 * - `majority`: adopted when more vote for than against — against plus abstaining when
 *   `countAbstentions` — and on a tie, when `chairCastingVote`, as the chair voted (a chair that
 *   abstained or did not vote breaks no tie: rejected);
 * - `consensus`: adopted when nobody present votes against and at least one votes for;
 * - `chair-decides`: as the chair voted (for: adopted; against or abstaining: rejected), the others'
 *   votes recorded as advice.
 * @param parties the parties to the case (accused and complainant), for recusal
 */
export function tallyVotes(
  settings: CommissionSettings,
  parties: readonly string[],
  votes: readonly { readonly member: string; readonly choice: VoteChoice }[],
): Tally {
  const recused = recusedMembers(settings, parties);
  const entitled = settings.members.map((member) => member.id).filter((id) => !recused.includes(id));
  const counted = votes.filter((vote) => entitled.includes(vote.member));
  const count = (choice: VoteChoice) => counted.filter((vote) => vote.choice === choice).length;
  const inFavour = count('for');
  const against = count('against');
  const abstaining = count('abstain');
  const chairVote = counted.find((vote) => vote.member === settings.chair)?.choice ?? null;
  const base = {
    rule: settings.decisionRule,
    entitled,
    recused,
    present: counted.length,
    quorum: settings.quorum,
    inFavour,
    against,
    abstaining,
    abstentionsCounted: settings.countAbstentions,
  };
  if (counted.length < settings.quorum) return { ...base, castingVote: null, outcome: 'no-quorum' };

  switch (settings.decisionRule) {
    case 'chair-decides':
      if (chairVote === null) return { ...base, castingVote: null, outcome: 'awaiting-chair' };
      return { ...base, castingVote: null, outcome: chairVote === 'for' ? 'adopted' : 'rejected' };
    case 'consensus':
      return { ...base, castingVote: null, outcome: against === 0 && inFavour > 0 ? 'adopted' : 'rejected' };
    case 'majority': {
      const no = settings.countAbstentions ? against + abstaining : against;
      if (inFavour !== no)
        return { ...base, castingVote: null, outcome: inFavour > no ? 'adopted' : 'rejected' };
      if (!settings.chairCastingVote || chairVote === null || chairVote === 'abstain')
        return { ...base, castingVote: null, outcome: 'rejected' };
      return { ...base, castingVote: chairVote, outcome: chairVote === 'for' ? 'adopted' : 'rejected' };
    }
  }
}
