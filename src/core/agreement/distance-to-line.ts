/** @module How far a point lies from a party's reference line — the measure of every limitation and buffer zone. */
import { notFound } from '../errors.ts';
import { polylineDistance } from './polyline-distance.ts';
import type { ReferenceLine } from './schema.ts';
import type { Terms } from './terms.ts';

/** The reference line a party measures its distances from, or undefined when it has none. */
export function findReferenceLine(
  terms: Pick<Terms, 'referenceLines'>,
  party: string,
): ReferenceLine | undefined {
  return terms.referenceLines.find((line) => line.parties.includes(party));
}

/** The reference line a party measures its distances from; throws `E_NOT_FOUND` when it has none. */
export function getReferenceLine(terms: Pick<Terms, 'referenceLines'>, party: string): ReferenceLine {
  const line = findReferenceLine(terms, party);
  if (line === undefined) throw notFound('reference line of party', party);
  return line;
}

/**
 * The WGS 84 geodesic distance in kilometres from (lat, lon) to the reference line of `party`, the
 * measure of its limitation and buffer zones. Throws `E_NOT_FOUND` when the party has no line.
 *
 * @example
 * if (distanceToLineKm(terms, 'ua', 48.6, 37.9) < zone.distanceKm) { … } // inside the zone
 */
export function distanceToLineKm(
  terms: Pick<Terms, 'referenceLines'>,
  party: string,
  lat: number,
  lon: number,
): number {
  return polylineDistance(getReferenceLine(terms, party).geometry.coordinates, lat, lon).distanceKm;
}
