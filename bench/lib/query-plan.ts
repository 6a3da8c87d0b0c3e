/**
 * @module Random boxes and windows that each match 900–1,100 stored rows. A query is centred on a
 * random stored point and time; the window is 1–24 h (scaled up for smaller files); the box's size is
 * then found by bisection so that the exact count, under the API's semantics (edges of the box
 * inclusive, `from` inclusive, `to` exclusive), falls in the band.
 */
import { Prng } from './prng.ts';
import { lowerBound } from './stats.ts';

export interface PlannedQuery {
  readonly west: number;
  readonly south: number;
  readonly east: number;
  readonly north: number;
  readonly fromMs: number;
  readonly toMs: number;
  /** How many stored rows match. */
  readonly expected: number;
}

/** Stored points sorted by time. */
export interface PointSet {
  readonly lat: Float64Array;
  readonly lon: Float64Array;
  readonly t: Float64Array;
}

export const QUERY_BAND = { min: 900, max: 1100 } as const;
const HOUR = 3600 * 1000;
const KM_PER_DEG = 111.2;
const round5 = (x: number): number => Number(x.toFixed(5));

/** Sorts parallel arrays of points by time. */
export function pointSet(lat: readonly number[], lon: readonly number[], t: readonly number[]): PointSet {
  const order = Array.from(t.keys()).sort((a, b) => t[a]! - t[b]!);
  return {
    lat: Float64Array.from(order, (i) => lat[i]!),
    lon: Float64Array.from(order, (i) => lon[i]!),
    t: Float64Array.from(order, (i) => t[i]!),
  };
}

function countIn(
  points: PointSet,
  i0: number,
  i1: number,
  w: number,
  s: number,
  e: number,
  n: number,
): number {
  const { lat, lon } = points;
  let count = 0;
  for (let i = i0; i < i1; i += 1) {
    const y = lat[i]!;
    const x = lon[i]!;
    if (y >= s && y <= n && x >= w && x <= e) count += 1;
  }
  return count;
}

/**
 * `n` queries over `points`, deterministic for a seed.
 * @param scale how much longer windows are than for 1,000,000 rows (1e6 / rows), so that smaller files
 *   still give ~1,000 rows with boxes of a plausible size
 */
export function planQueries(points: PointSet, n: number, seed: number, scale: number): PlannedQuery[] {
  const prng = new Prng(seed ^ 0x51ed270b);
  const size = points.t.length;
  const queries: PlannedQuery[] = [];
  const maxWindow = 14 * 24 * HOUR;
  let attempts = 0;
  while (queries.length < n) {
    attempts += 1;
    if (attempts > n * 50)
      throw new Error(
        `could only plan ${queries.length} of ${n} queries matching ${QUERY_BAND.min}–${QUERY_BAND.max} rows`,
      );
    const c = Math.floor(prng.next() * size);
    const windowMs = Math.min(
      maxWindow,
      Math.round(Math.exp(prng.range(Math.log(HOUR), Math.log(24 * HOUR))) * scale),
    );
    const fromMs = Math.round(points.t[c]! - prng.next() * windowMs);
    const toMs = fromMs + windowMs;
    const i0 = lowerBound(points.t, fromMs);
    const i1 = lowerBound(points.t, toMs);
    if (i1 - i0 < QUERY_BAND.min) continue;
    const aspect = Math.exp(prng.range(Math.log(0.5), Math.log(2)));
    const cLat = points.lat[c]!;
    const cLon = points.lon[c]!;
    const box = (halfKm: number) => {
      const dLat = (halfKm * Math.sqrt(aspect)) / KM_PER_DEG;
      const dLon = halfKm / Math.sqrt(aspect) / (KM_PER_DEG * Math.cos((cLat * Math.PI) / 180));
      const west = round5(Math.max(-180, cLon - dLon));
      const east = round5(Math.min(180, cLon + dLon));
      const south = round5(Math.max(-90, cLat - dLat));
      const north = round5(Math.min(90, cLat + dLat));
      return { west, south, east, north, count: countIn(points, i0, i1, west, south, east, north) };
    };
    // Bisection on the half-size, in log space, between 50 m and 600 km.
    let lo = Math.log(0.05);
    let hi = Math.log(600);
    if (box(Math.exp(hi)).count < QUERY_BAND.min) continue;
    for (let step = 0; step < 40; step += 1) {
      const mid = (lo + hi) / 2;
      const b = box(Math.exp(mid));
      if (b.count >= QUERY_BAND.min && b.count <= QUERY_BAND.max) {
        queries.push({
          west: b.west,
          south: b.south,
          east: b.east,
          north: b.north,
          fromMs,
          toMs,
          expected: b.count,
        });
        break;
      }
      if (b.count < QUERY_BAND.min) lo = mid;
      else hi = mid;
    }
  }
  return queries;
}

/** The query string of a planned query for `GET /api/v1/observations`. */
export function queryString(q: PlannedQuery, limit: number): string {
  const iso = (ms: number): string => new Date(ms).toISOString();
  return `bbox=${q.west},${q.south},${q.east},${q.north}&from=${encodeURIComponent(iso(q.fromMs))}&to=${encodeURIComponent(iso(q.toMs))}&limit=${limit}`;
}
