/**
 * @module Attribution of one event: whose side its point of origin lies on, with what probability, and
 * the decision taken from it. See side-probabilities.ts for how the probabilities are found.
 */
import type { Terms } from '../agreement/index.ts';
import { validationError } from '../errors.ts';
import type { GaussianPoint } from '../fusion/event.ts';
import type { Attribution } from './attribution.ts';
import { sideProbabilities } from './side-probabilities.ts';

/** The probability a party's side must reach for the origin to be attributed to it, by default. */
export const DEFAULT_ATTRIBUTION_THRESHOLD = 0.99;

export interface AttributeOptions {
  /**
   * The least probability that attributes the origin to a party; default 0.99. Must be above 0.5 (so
   * that at most one party can reach it) and at most 1.
   */
  readonly threshold?: number;
}

/** The threshold of the options, checked. */
export function attributionThreshold(options: AttributeOptions = {}): number {
  const threshold = options.threshold ?? DEFAULT_ATTRIBUTION_THRESHOLD;
  if (!(threshold > 0.5 && threshold <= 1))
    throw validationError('the attribution threshold is out of range', [
      { path: 'threshold', reason: 'must be a number above 0.5 and at most 1' },
    ]);
  return threshold;
}

/**
 * Attributes a point of origin under the terms in force at the event's time: `attributed` to the party
 * whose side holds the origin with probability ≥ the threshold, `undetermined` when no party reaches it
 * (near the line, beyond its end, at sea), `not-attributable` when there is no origin (`origin` null:
 * then `probabilities` is empty and `nobodyProbability` and `confidence` are 0). Deterministic.
 *
 * @example
 * const terms = getTermsInForce(agreement, event.timeMs);
 * const attribution = attribute(terms, event.origin);
 * if (attribution.decision === 'attributed') … attribution.party …
 */
export function attribute(
  terms: Pick<Terms, 'parties' | 'sides'>,
  origin: GaussianPoint | null,
  options: AttributeOptions = {},
): Attribution {
  const threshold = attributionThreshold(options);
  if (origin === null)
    return {
      decision: 'not-attributable',
      party: null,
      probabilities: {},
      nobodyProbability: 0,
      confidence: 0,
      threshold,
      method: 'none',
    };
  const { probabilities, nobodyProbability, method } = sideProbabilities(terms, origin);
  let best: string | null = null;
  let confidence = 0;
  for (const [party, probability] of Object.entries(probabilities))
    if (best === null || probability > confidence) {
      best = party;
      confidence = probability;
    }
  const attributed = best !== null && confidence >= threshold;
  return {
    decision: attributed ? 'attributed' : 'undetermined',
    party: attributed ? best : null,
    probabilities,
    nobodyProbability,
    confidence,
    threshold,
    method,
  };
}
