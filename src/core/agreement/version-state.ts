/** @module The terms at one point of the amendment history while it is being built and checked, and its extent. */
import type { Traced } from './draft-agreement.ts';
import type { KeyedSection, WholeSection } from './kinds.ts';
import type { Bbox, Position } from './schema.ts';
import type { KeyedItems, WholeValues } from './terms.ts';

/** The terms at one point of the amendment history, each item with the path it was written at. */
export interface VersionState {
  label: string;
  number: number;
  readonly keyed: { readonly [K in KeyedSection]: Map<string, Traced<KeyedItems[K]>> };
  readonly invalidKeys: { readonly [K in KeyedSection]: Set<string> };
  readonly complete: { [K in KeyedSection]: boolean };
  readonly whole: { [K in WholeSection]: Traced<WholeValues[K]> | null };
}

/** Widening of a bounding box made from the sides, so that the lines' ends just beyond the coast fit. */
const SIDES_EXTENT_MARGIN_DEG = 0.25;

/** The bounding box of every position of every side, widened by 0.25°; undefined without sides. */
export function sidesExtent(
  sides: Iterable<{ readonly value: { readonly geometry: KeyedItems['sides']['geometry'] } }>,
): Bbox | undefined {
  let west = Infinity;
  let south = Infinity;
  let east = -Infinity;
  let north = -Infinity;
  const visit = (position: Position): void => {
    west = Math.min(west, position[0]);
    east = Math.max(east, position[0]);
    south = Math.min(south, position[1]);
    north = Math.max(north, position[1]);
  };
  for (const { value } of sides) {
    const polygons =
      value.geometry.type === 'Polygon' ? [value.geometry.coordinates] : value.geometry.coordinates;
    for (const polygon of polygons) for (const ring of polygon) ring.forEach(visit);
  }
  if (!Number.isFinite(west)) return undefined;
  const m = SIDES_EXTENT_MARGIN_DEG;
  return [
    Math.max(-180, west - m),
    Math.max(-90, south - m),
    Math.min(180, east + m),
    Math.min(90, north + m),
  ];
}

/** The extent of a version: the area's bbox, else the sides' (undefined when neither can be had). */
export function extentOf(state: VersionState): Bbox | undefined {
  const area = state.whole.areaOfApplication?.value;
  if (area === undefined) return undefined;
  if (area.bbox !== undefined) return area.bbox;
  return sidesExtent(state.keyed.sides.values());
}
