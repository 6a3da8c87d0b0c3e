/**
 * @module Whether fire crossed the line: the probability that an event's origin and impact lie in the
 * sides of two different parties — fire across the line is graded higher.
 */
import type { Terms } from '../agreement/index.ts';
import type { FusedEvent } from '../fusion/event.ts';
import { attributionThreshold, type AttributeOptions } from './attribute.ts';
import { sideProbabilities } from './side-probabilities.ts';

export interface OppositeSides {
  /**
   * - `opposite`: origin and impact lie in different parties' sides with probability ≥ the threshold;
   * - `same`: they lie in the same party's side with probability ≥ the threshold;
   * - `undetermined`: neither reaches it (near the line, or a point in nobody's side);
   * - `not-applicable`: the event lacks an origin or an impact.
   */
  readonly verdict: 'opposite' | 'same' | 'undetermined' | 'not-applicable';
  /** P(origin and impact in the sides of two different parties); 0 when not applicable. */
  readonly oppositeProbability: number;
  /** P(origin and impact in the side of one party); 0 when not applicable. */
  readonly sameProbability: number;
  readonly threshold: number;
}

/**
 * Says whether an event's origin and impact lie on opposite sides, taking the two position estimates
 * as independent. What is left of 1 after `oppositeProbability + sameProbability` is the probability
 * that either point lies in nobody's side.
 *
 * @example
 * if (oppositeSides(terms, event).verdict === 'opposite') severity = 'higher';
 */
export function oppositeSides(
  terms: Pick<Terms, 'parties' | 'sides'>,
  event: Pick<FusedEvent, 'origin' | 'impact'>,
  options: AttributeOptions = {},
): OppositeSides {
  const threshold = attributionThreshold(options);
  if (event.origin === null || event.impact === null)
    return { verdict: 'not-applicable', oppositeProbability: 0, sameProbability: 0, threshold };
  const origin = sideProbabilities(terms, event.origin);
  const impact = sideProbabilities(terms, event.impact);
  let originTotal = 0;
  let impactTotal = 0;
  let same = 0;
  for (const [party, p] of Object.entries(origin.probabilities)) {
    const q = impact.probabilities[party] ?? 0;
    originTotal += p;
    impactTotal += q;
    same += p * q;
  }
  const opposite = Math.max(0, originTotal * impactTotal - same);
  const verdict = opposite >= threshold ? 'opposite' : same >= threshold ? 'same' : 'undetermined';
  return { verdict, oppositeProbability: opposite, sameProbability: same, threshold };
}
