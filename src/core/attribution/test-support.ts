/**
 * @module For the tests of attribution only: a seeded random generator, geodesic offsets from a line,
 * and reference answers found by sampling the Gaussian through a different path from the one under
 * test (geodesic steps from the mean and `sideOf`, not the whitened edges).
 */
import { sideOf, type Position, type Terms } from '../agreement/index.ts';
import { wgs84 } from '../agreement/geodesic.ts';
import type { GaussianPoint } from '../fusion/event.ts';

/** Mulberry32: a small seeded generator of numbers in (0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
}

/**
 * The point `metres` to the left (positive) or right (negative) of the segment a→b at its fraction t,
 * the segment drawn straight in longitude and latitude as the sides' edges are (on a long segment, the
 * geodesic between the same ends runs up to about 100 m away from it).
 */
export function offsetFromSegment(
  a: Position,
  b: Position,
  t: number,
  metres: number,
): { lat: number; lon: number } {
  const lon = a[0] + t * (b[0] - a[0]);
  const lat = a[1] + t * (b[1] - a[1]);
  const ahead = wgs84.Inverse(lat, lon, lat + 1e-4 * (b[1] - a[1]), lon + 1e-4 * (b[0] - a[0]));
  const moved = wgs84.Direct(lat, lon, (ahead.azi1 ?? 0) - 90 * Math.sign(metres), Math.abs(metres));
  return { lat: moved.lat2 ?? 0, lon: moved.lon2 ?? 0 };
}

/** A point `metres` from (lat, lon) on the geodesic at azimuth `azimuthDeg`. */
export function stepFrom(
  lat: number,
  lon: number,
  azimuthDeg: number,
  metres: number,
): { lat: number; lon: number } {
  const moved = wgs84.Direct(lat, lon, azimuthDeg, metres);
  return { lat: moved.lat2 ?? 0, lon: moved.lon2 ?? 0 };
}

/** A circular Gaussian point of standard deviation `sigma` metres. */
export const circular = (p: { lat: number; lon: number }, sigma: number): GaussianPoint => ({
  lat: p.lat,
  lon: p.lon,
  covariance: [sigma * sigma, 0, sigma * sigma],
});

/** Where one draw (z₁, z₂) of the standard normal puts the point: east = L₁₁z₁, north = L₂₁z₁ + L₂₂z₂. */
function draw(point: GaussianPoint, z1: number, z2: number): { lat: number; lon: number } {
  const [ee, en, nn] = point.covariance;
  const l11 = Math.sqrt(ee);
  const l21 = l11 === 0 ? 0 : en / l11;
  const l22 = Math.sqrt(Math.max(0, nn - l21 * l21));
  const east = l11 * z1;
  const north = l21 * z1 + l22 * z2;
  return stepFrom(point.lat, point.lon, (Math.atan2(east, north) * 180) / Math.PI, Math.hypot(east, north));
}

/** The share of `draws` in each party's side (`null`: nobody's), the draws given as standard normal pairs. */
function shares(
  terms: Pick<Terms, 'sides'>,
  point: GaussianPoint,
  normals: Iterable<readonly [number, number]>,
): { shares: Map<string | null, number>; count: number } {
  const counts = new Map<string | null, number>();
  let count = 0;
  for (const [z1, z2] of normals) {
    const p = draw(point, z1, z2);
    const side = sideOf(terms, p.lat, p.lon);
    counts.set(side, (counts.get(side) ?? 0) + 1);
    count++;
  }
  return { shares: new Map([...counts].map(([k, v]) => [k, v / count])), count };
}

/** The radical inverse of i in base b (the Halton sequence). */
function radicalInverse(i: number, base: number): number {
  let result = 0;
  let f = 1 / base;
  for (let n = i; n > 0; n = Math.floor(n / base), f /= base) result += f * (n % base);
  return result;
}

/**
 * The share of the Gaussian in each side by quasi-random sampling: `count` Halton points (bases 2, 3)
 * through Box–Muller. Accurate to a few 1e-4 at 2^15 points.
 */
export function quasiRandomShares(
  terms: Pick<Terms, 'sides'>,
  point: GaussianPoint,
  count = 1 << 15,
): Map<string | null, number> {
  function* normals(): Generator<readonly [number, number]> {
    for (let i = 1; i <= count; i++) {
      const r = Math.sqrt(-2 * Math.log(radicalInverse(i, 2)));
      const angle = 2 * Math.PI * radicalInverse(i, 3);
      yield [r * Math.cos(angle), r * Math.sin(angle)];
    }
  }
  return shares(terms, point, normals()).shares;
}

/** True origins drawn at random (seeded) from the Gaussian: the share of them in each side. */
export function randomShares(
  terms: Pick<Terms, 'sides'>,
  point: GaussianPoint,
  count: number,
  random: () => number,
): Map<string | null, number> {
  function* normals(): Generator<readonly [number, number]> {
    for (let i = 0; i < count; i++) {
      const r = Math.sqrt(-2 * Math.log(random()));
      const angle = 2 * Math.PI * random();
      yield [r * Math.cos(angle), r * Math.sin(angle)];
    }
  }
  return shares(terms, point, normals()).shares;
}
