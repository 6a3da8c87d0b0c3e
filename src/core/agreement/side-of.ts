/** @module Which party's side a point lies on — the question attribution asks of every point of origin. */
import { containsPoint } from './contains-point.ts';
import type { Terms } from './terms.ts';

/**
 * The id of the party whose side contains the point, or null when no side does: a point beyond the
 * line's end, at sea or outside the area of application is nobody's side.
 *
 * @example
 * sideOf(terms, 48.0159, 37.8028); // "ru-af" (Donetsk) under donbas-2015
 */
export function sideOf(terms: Pick<Terms, 'sides'>, lat: number, lon: number): string | null {
  for (const side of terms.sides) if (containsPoint(side.geometry, lat, lon)) return side.party;
  return null;
}
