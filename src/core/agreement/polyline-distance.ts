/**
 * @module The shortest WGS 84 geodesic distance from a point to a polyline (a reference line), and the
 * nearest point on it. Each segment of the line is the geodesic between its two positions. Segments are
 * pruned with a rigorous lower bound (the straight-line distance to the segment's chord, less the
 * most the geodesic can bow away from it), then the nearest point of each remaining segment is found by
 * iterating along the geodesic until the direction to the point is perpendicular to the line.
 */
import { hypot3 } from '../hypot.ts';
import type { GeodesicLine as GeodesicLineNamespace } from 'geographiclib-geodesic';
import { GEODESIC_MASK, wgs84 } from './geodesic.ts';
import type { Position } from './schema.ts';

/** The nearest point of a polyline to a given point. */
export interface PolylineDistance {
  /** The geodesic distance in kilometres. */
  readonly distanceKm: number;
  /** The nearest point on the line. */
  readonly lat: number;
  readonly lon: number;
  /** The segment it lies on: from position `segment` to position `segment + 1`. */
  readonly segment: number;
}

type GeodesicLine = InstanceType<(typeof GeodesicLineNamespace)['GeodesicLine']>;

const A = 6378137;
const F = 1 / 298.257223563;
const E2 = F * (2 - F);
/** The smallest radius of curvature of the WGS 84 ellipsoid (meridional, at the equator), in metres. */
const MIN_RADIUS = A * (1 - E2);
/** Used only to size the steps of the iteration; the answer does not depend on it. */
const MEAN_RADIUS = 6371008.8;
const DEG = Math.PI / 180;

interface Prepared {
  /** Earth-centred coordinates of each position, in metres. */
  readonly xyz: Float64Array;
  /** For each segment, how far its geodesic can bow away from its chord, in metres. */
  readonly bow: Float64Array;
  readonly lines: (GeodesicLine | undefined)[];
  readonly positions: readonly Position[];
}

const cache = new WeakMap<readonly Position[], Prepared>();

function toXyz(lat: number, lon: number, out: Float64Array, offset: number): void {
  const sinLat = Math.sin(lat * DEG);
  const cosLat = Math.cos(lat * DEG);
  const n = A / Math.sqrt(1 - E2 * sinLat * sinLat);
  out[offset] = n * cosLat * Math.cos(lon * DEG);
  out[offset + 1] = n * cosLat * Math.sin(lon * DEG);
  out[offset + 2] = n * (1 - E2) * sinLat;
}

function prepare(positions: readonly Position[]): Prepared {
  const xyz = new Float64Array(positions.length * 3);
  positions.forEach(([lon, lat], i) => toXyz(lat, lon, xyz, i * 3));
  const bow = new Float64Array(Math.max(0, positions.length - 1));
  for (let i = 0; i + 1 < positions.length; i++) {
    const chord = hypot3(
      (xyz[i * 3 + 3] ?? 0) - (xyz[i * 3] ?? 0),
      (xyz[i * 3 + 4] ?? 0) - (xyz[i * 3 + 1] ?? 0),
      (xyz[i * 3 + 5] ?? 0) - (xyz[i * 3 + 2] ?? 0),
    );
    // A curve whose curvature is at most 1/R strays at most R − √(R² − (c/2)²) from a chord of length c.
    const half = Math.min(chord / 2, MIN_RADIUS);
    bow[i] = (MIN_RADIUS - Math.sqrt(MIN_RADIUS * MIN_RADIUS - half * half)) * 1.01 + 0.01;
  }
  return { xyz, bow, lines: [], positions };
}

/** Straight-line distance from p to the chord a–b, and where along it (0..1) the nearest point is. */
function chordDistance(
  xyz: Float64Array,
  i: number,
  p: readonly [number, number, number],
): { d: number; t: number } {
  const ax = xyz[i * 3] ?? 0;
  const ay = xyz[i * 3 + 1] ?? 0;
  const az = xyz[i * 3 + 2] ?? 0;
  const bx = (xyz[i * 3 + 3] ?? 0) - ax;
  const by = (xyz[i * 3 + 4] ?? 0) - ay;
  const bz = (xyz[i * 3 + 5] ?? 0) - az;
  const px = p[0] - ax;
  const py = p[1] - ay;
  const pz = p[2] - az;
  const length2 = bx * bx + by * by + bz * bz;
  const t = length2 === 0 ? 0 : Math.min(1, Math.max(0, (px * bx + py * by + pz * bz) / length2));
  return { d: hypot3(px - t * bx, py - t * by, pz - t * bz), t };
}

const LINE_CAPS =
  GEODESIC_MASK.latitude | GEODESIC_MASK.longitude | GEODESIC_MASK.azimuth | GEODESIC_MASK.distanceIn;
const POSITION_MASK =
  GEODESIC_MASK.latitude | GEODESIC_MASK.longitude | GEODESIC_MASK.azimuth | GEODESIC_MASK.longUnroll;
const INVERSE_MASK = GEODESIC_MASK.distance | GEODESIC_MASK.azimuth;

/** The nearest point of segment i to (lat, lon), starting from the fraction t0 along it. */
function nearestOnSegment(
  prepared: Prepared,
  i: number,
  lat: number,
  lon: number,
  t0: number,
): { metres: number; lat: number; lon: number } {
  let line = prepared.lines[i];
  if (line === undefined) {
    const a = prepared.positions[i] ?? [0, 0];
    const b = prepared.positions[i + 1] ?? a;
    line = wgs84.InverseLine(a[1], a[0], b[1], b[0], LINE_CAPS);
    prepared.lines[i] = line;
  }
  const length = line.s13;
  let s = t0 * length;
  let at = { metres: Infinity, lat, lon };
  for (let iteration = 0; iteration < 30; iteration++) {
    const here = line.Position(s, POSITION_MASK);
    const hereLat = here.lat2 ?? lat;
    const hereLon = here.lon2 ?? lon;
    const toPoint = wgs84.Inverse(hereLat, hereLon, lat, lon, INVERSE_MASK);
    const metres = toPoint.s12 ?? 0;
    at = { metres, lat: hereLat, lon: hereLon };
    if (metres === 0 || length === 0) break;
    // Along-track distance to the foot of the perpendicular, as on a sphere; exact at the fixed point.
    const angle = ((toPoint.azi1 ?? 0) - (here.azi2 ?? 0)) * DEG;
    const step = MEAN_RADIUS * Math.atan(Math.tan(Math.min(metres / MEAN_RADIUS, 1.5)) * Math.cos(angle));
    const next = Math.min(length, Math.max(0, s + step));
    if (Math.abs(next - s) < 1e-4) break;
    s = next;
  }
  return at;
}

/**
 * The geodesic distance from (lat, lon) to the polyline, in kilometres, with the nearest point on it.
 * `coordinates` are GeoJSON positions, `[longitude, latitude]`, at least one. Accurate to well under a
 * metre for lines of any length a front has; positions are not expected to cross the antimeridian.
 *
 * @example
 * polylineDistance(line.geometry.coordinates, 48.5, 38.0).distanceKm; // 7.93…
 */
export function polylineDistance(
  coordinates: readonly Position[],
  lat: number,
  lon: number,
): PolylineDistance {
  let prepared = cache.get(coordinates);
  if (prepared === undefined) {
    prepared = prepare(coordinates);
    cache.set(coordinates, prepared);
  }
  const first = coordinates[0];
  if (first === undefined) throw new RangeError('a polyline needs at least one position');
  if (coordinates.length === 1) {
    const metres = wgs84.Inverse(lat, lon, first[1], first[0], GEODESIC_MASK.distance).s12 ?? 0;
    return { distanceKm: metres / 1000, lat: first[1], lon: first[0], segment: 0 };
  }
  const point = new Float64Array(3);
  toXyz(lat, lon, point, 0);
  const p = [point[0] ?? 0, point[1] ?? 0, point[2] ?? 0] as const;
  const candidates = Array.from({ length: coordinates.length - 1 }, (_, i) => {
    const { d, t } = chordDistance(prepared.xyz, i, p);
    return { i, t, bound: Math.max(0, d - (prepared.bow[i] ?? 0)) };
  }).sort((x, y) => x.bound - y.bound);
  let best: { metres: number; lat: number; lon: number; segment: number } = {
    metres: Infinity,
    lat: first[1],
    lon: first[0],
    segment: 0,
  };
  for (const candidate of candidates) {
    if (candidate.bound >= best.metres) break;
    const nearest = nearestOnSegment(prepared, candidate.i, lat, lon, candidate.t);
    if (nearest.metres < best.metres) best = { ...nearest, segment: candidate.i };
  }
  return { distanceKm: best.metres / 1000, lat: best.lat, lon: best.lon, segment: best.segment };
}
