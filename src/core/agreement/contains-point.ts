/**
 * @module Point-in-area for sides and disengagement areas: an even-odd ray test over edges indexed in
 * latitude bands, prepared once per geometry, so that a country-sized side with thousands of positions
 * answers in microseconds.
 */
import type { AreaGeometry } from './schema.ts';

interface Prepared {
  readonly west: number;
  readonly south: number;
  readonly east: number;
  readonly north: number;
  /** Edges as [x1, y1, x2, y2, …] in degrees. */
  readonly edges: Float64Array;
  readonly bandHeight: number;
  /** For each band, the indices of the edges that reach into it. */
  readonly bands: readonly Int32Array[];
}

const prepared = new WeakMap<AreaGeometry, Prepared>();

function prepare(geometry: AreaGeometry): Prepared {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const flat: number[] = [];
  let west = Infinity;
  let south = Infinity;
  let east = -Infinity;
  let north = -Infinity;
  for (const polygon of polygons)
    for (const ring of polygon)
      for (let i = 0; i + 1 < ring.length; i++) {
        const p = ring[i];
        const q = ring[i + 1];
        if (p === undefined || q === undefined) continue;
        flat.push(p[0], p[1], q[0], q[1]);
        west = Math.min(west, p[0], q[0]);
        east = Math.max(east, p[0], q[0]);
        south = Math.min(south, p[1], q[1]);
        north = Math.max(north, p[1], q[1]);
      }
  const edges = Float64Array.from(flat);
  const count = edges.length / 4;
  const bandCount = Math.max(1, Math.min(1024, Math.ceil(Math.sqrt(count))));
  const bandHeight = (north - south) / bandCount || 1;
  const lists: number[][] = Array.from({ length: bandCount }, () => []);
  const bandOf = (y: number): number =>
    Math.min(bandCount - 1, Math.max(0, Math.floor((y - south) / bandHeight)));
  for (let e = 0; e < count; e++) {
    const y1 = edges[e * 4 + 1] ?? 0;
    const y2 = edges[e * 4 + 3] ?? 0;
    for (let b = bandOf(Math.min(y1, y2)); b <= bandOf(Math.max(y1, y2)); b++) lists[b]?.push(e);
  }
  return { west, south, east, north, edges, bandHeight, bands: lists.map((list) => Int32Array.from(list)) };
}

/**
 * True when the point lies inside the Polygon or MultiPolygon (holes excluded). Positions are taken in
 * the plane of longitude and latitude, as GeoJSON draws them; a point exactly on an edge may fall on
 * either side of it.
 */
export function containsPoint(geometry: AreaGeometry, lat: number, lon: number): boolean {
  let index = prepared.get(geometry);
  if (index === undefined) {
    index = prepare(geometry);
    prepared.set(geometry, index);
  }
  if (!(lon >= index.west && lon <= index.east && lat >= index.south && lat <= index.north)) return false;
  const band =
    index.bands[Math.min(index.bands.length - 1, Math.floor((lat - index.south) / index.bandHeight))];
  if (band === undefined) return false;
  const { edges } = index;
  let inside = false;
  for (const e of band) {
    const x1 = edges[e * 4] ?? 0;
    const y1 = edges[e * 4 + 1] ?? 0;
    const x2 = edges[e * 4 + 2] ?? 0;
    const y2 = edges[e * 4 + 3] ?? 0;
    if (y1 > lat !== y2 > lat && lon < ((x2 - x1) * (lat - y1)) / (y2 - y1) + x1) inside = !inside;
  }
  return inside;
}
