/**
 * @module The grades of a potential violation on its separate axes: how certain the observation is,
 * how certain the party is, and (for fire) how severe. The adjudication axis is always "potential" here.
 */
import type { Attribution } from '../attribution/attribution.ts';
import type { Contribution, GaussianPoint } from '../fusion/event.ts';
import type { ObservationKind } from '../observations/kinds.ts';
import type { AttributionCertainty, ObservationCertainty } from './potential-violation.ts';

/**
 * Kinds of observation made by an instrument or by the monitors themselves. Complaints by a party and
 * open sources (media, social, UCDP/ACLED rows) report; they do not on their own establish.
 */
const FIRST_HAND_KINDS: ReadonlySet<ObservationKind> = new Set<ObservationKind>([
  'acoustic',
  'seismic',
  'radar',
  'camera',
  'drone',
  'satellite',
  'patrol',
]);

/** Beyond this 1 σ the position is too vague for better than "medium", beyond the next for better than "low". */
export const POSITION_SIGMA_KM = { medium: 1, low: 5 } as const;

/** Confidence of an attribution at or above which its certainty is "high", or "medium". */
export const ATTRIBUTION_CONFIDENCE = { high: 0.99, medium: 0.9 } as const;

const LEVELS: readonly ObservationCertainty[] = ['low', 'medium', 'high'];
const lower = (a: ObservationCertainty, b: ObservationCertainty): ObservationCertainty =>
  LEVELS.indexOf(a) <= LEVELS.indexOf(b) ? a : b;

/**
 * The 1 σ of a position estimate along its worst direction, in km: the square root of the covariance's
 * largest eigenvalue.
 */
export function positionSigmaKm(point: GaussianPoint): number {
  const [ee, en, nn] = point.covariance;
  const half = (ee + nn) / 2;
  const largest = half + Math.sqrt(((ee - nn) / 2) ** 2 + en * en);
  return Math.sqrt(Math.max(0, largest)) / 1000;
}

/** What decides how certain an observation is. */
export interface ObservationEvidence {
  readonly provenance: readonly Contribution[];
  /** The position the rule was checked at; null when the event has none. */
  readonly point: GaussianPoint | null;
  /**
   * For a rule that draws a line at a distance (a zone's width): how far the point lies from that
   * boundary, km, either way. A point 200 m inside a zone with a 1 km σ may well be outside it.
   */
  readonly boundaryMarginKm: number | null;
}

/**
 * How certain the observation is, from the contributing observations and the position:
 *
 * - `high`: two or more separate first-hand sources (instruments or monitors; several arrivals at
 *   different acoustic sensors count as several);
 * - `medium`: one first-hand source, however many of its observations (or complaints and open sources
 *   beside it);
 * - `low`: only complaints by the parties and open sources.
 *
 * Then capped by the position: a 1 σ above 1 km caps it at `medium`, above 5 km at `low`; an event
 * without a position is at most `medium`. Where the rule measures a zone's width, a point within 2 σ of
 * the boundary is at most `medium`, within 1 σ `low`.
 */
export function gradeObservation(evidence: ObservationEvidence): ObservationCertainty {
  const firstHand = new Set<string>();
  for (const contribution of evidence.provenance)
    if (FIRST_HAND_KINDS.has(contribution.kind)) firstHand.add(contribution.sourceId);
  let grade: ObservationCertainty = firstHand.size === 0 ? 'low' : firstHand.size >= 2 ? 'high' : 'medium';
  if (evidence.point === null) return lower(grade, 'medium');
  const sigmaKm = positionSigmaKm(evidence.point);
  if (sigmaKm > POSITION_SIGMA_KM.low) grade = 'low';
  else if (sigmaKm > POSITION_SIGMA_KM.medium) grade = lower(grade, 'medium');
  if (evidence.boundaryMarginKm !== null) {
    if (evidence.boundaryMarginKm < sigmaKm) grade = 'low';
    else if (evidence.boundaryMarginKm < 2 * sigmaKm) grade = lower(grade, 'medium');
  }
  return grade;
}

/**
 * How certain the party is.
 *
 * - From the attribution: `none` unless it is `attributed`; then `high` at a confidence of 0.99 or more,
 *   `medium` at 0.9 or more, `low` below (an attribution whose threshold was set under 0.9).
 * - From the side a weapon or troops stand on: by how far the point lies from the nearest reference line
 *   in units of its position σ — 3 σ or more `high`, 2 σ `medium`, less `low`.
 */
export function gradeAttribution(
  basis: 'attribution' | 'side' | null,
  attribution: Attribution,
  sideMargin: { readonly distanceKm: number; readonly sigmaKm: number } | null,
): AttributionCertainty {
  if (basis === 'attribution') {
    if (attribution.decision !== 'attributed') return 'none';
    if (attribution.confidence >= ATTRIBUTION_CONFIDENCE.high) return 'high';
    return attribution.confidence >= ATTRIBUTION_CONFIDENCE.medium ? 'medium' : 'low';
  }
  if (basis === 'side' && sideMargin !== null) {
    const { distanceKm, sigmaKm } = sideMargin;
    if (distanceKm >= 3 * sigmaKm) return 'high';
    return distanceKm >= 2 * sigmaKm ? 'medium' : 'low';
  }
  return 'none';
}
