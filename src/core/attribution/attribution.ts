/**
 * @module The answer attribution gives about one event: which party's side its point of origin lies
 * on, with what probability, and the decision taken from it.
 */

/**
 * - `attributed`: one party's probability is at or above the threshold;
 * - `undetermined`: there is an origin, but no party reaches the threshold (near the line, beyond its
 *   end, at sea);
 * - `not-attributable`: the event has no point of origin (an impact alone, a sighting).
 */
export type AttributionDecision = 'attributed' | 'undetermined' | 'not-attributable';

export interface Attribution {
  readonly decision: AttributionDecision;
  /** The party, when attributed. */
  readonly party: string | null;
  /** Probability that the origin lies in each party's side; what is left is nobody's side. */
  readonly probabilities: Readonly<Record<string, number>>;
  /** Probability of lying in no party's side (beyond the line's end, at sea, outside the area). */
  readonly nobodyProbability: number;
  /** The largest party probability (0 when not attributable). */
  readonly confidence: number;
  /** The threshold the decision used. */
  readonly threshold: number;
  /**
   * How the probabilities were found: `closed-form` when no side boundary lies within 6σ of the origin
   * or one straight stretch of it crosses the 6σ ellipse (Φ(d/σₙ)); `integrated` near bends, vertices,
   * line ends and coasts, where the Gaussian is integrated over the side polygons edge by edge (exactly,
   * with Owen's T function: no sampling); `none` without an origin.
   */
  readonly method: 'closed-form' | 'integrated' | 'none';
}
