/**
 * @module Attribution: the probability that a point of origin lies in each party's side under the
 * terms in force, the decision taken from it, and the helpers the rules and the evaluator use.
 */
export type { Attribution, AttributionDecision } from './attribution.ts';
export {
  attribute,
  attributionThreshold,
  DEFAULT_ATTRIBUTION_THRESHOLD,
  type AttributeOptions,
} from './attribute.ts';
export {
  sideProbabilities,
  sideProbability,
  TRUNCATION_SIGMAS,
  type SideProbabilities,
} from './side-probabilities.ts';
export { oppositeSides, type OppositeSides } from './opposite-sides.ts';
export { normalCdf, owensT } from './normal.ts';
