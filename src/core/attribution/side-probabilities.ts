/**
 * @module The probability that a Gaussian point lies in each party's side: the integral of the point's
 * distribution over each side polygon, exact up to the truncation of the distribution at 6σ.
 *
 * The covariance is whitened (x ↦ L⁻¹x, L its Cholesky factor), so the distribution becomes the
 * standard normal and every edge of a side stays a straight segment. Then, for an area A whose
 * boundary is oriented with the interior on the left,
 *
 *     P(A) = [mean in A] − Σ over edges e of  ±(mass of the wedge seen from the mean beyond e),
 *
 * (the sum over the triangles mean–edge of the area, each the wedge's whole angle less what lies beyond
 * the edge; the angles add up to the winding number), and the mass beyond an edge at distance h whose
 * ends lie at u₁ < u₂ along it from the foot of the perpendicular is T(h, u₂/h) − T(h, u₁/h), with
 * Owen's T function. An edge farther than 6σ contributes less than e⁻¹⁸ ≈ 1.5e-8 times its angle, so
 * only the edges within 6σ are read — found through a grid index of each side's boundary. With one
 * straight stretch of boundary across the 6σ disc and no vertex in it, the sum is Φ(d/σₙ); with none,
 * the answer is the side that holds the mean. Sides are taken in the longitude/latitude plane, as
 * `containsPoint` takes them, mapped to metres by the scale at the mean (a linear map, so edges stay
 * straight and the answer agrees with `sideOf` wherever the distribution is sharp).
 */
import { hypot } from '../hypot.ts';
import { containsPoint, type Terms } from '../agreement/index.ts';
import { validationError } from '../errors.ts';
import type { GaussianPoint } from '../fusion/event.ts';
import { boundaryIndex, edgesNear } from './boundary-index.ts';
import { normalCdf, owensT } from './normal.ts';

/** How far, in standard deviations, the boundary is read; beyond it the mass is below 1.5e-8. */
export const TRUNCATION_SIGMAS = 6;

/** The probability of each party's side and of nobody's, and how they were found. */
export interface SideProbabilities {
  /** Every party of the terms, in their order, with the probability that the point lies in its side. */
  readonly probabilities: Readonly<Record<string, number>>;
  /** What is left: beyond the line's end, at sea, outside every side. */
  readonly nobodyProbability: number;
  /**
   * `closed-form`: no boundary within 6σ, or a single straight stretch of it across the 6σ ellipse
   * (Φ(d/σₙ)); `integrated`: the boundary within 6σ bends, ends or has a vertex, and the integral is
   * summed edge by edge.
   */
  readonly method: 'closed-form' | 'integrated';
}

const A = 6378137;
const F = 1 / 298.257223563;
const E2 = F * (2 - F);
const DEG = Math.PI / 180;

/** A mean closer than this (in σ) to an edge is moved by NUDGE σ, off the edge, before integrating. */
const ON_EDGE = 1e-6;
const NUDGE = 1e-5;
const NUDGE_DIRECTIONS = [
  [0.6, 0.8],
  [-0.8, 0.6],
  [-0.6, -0.8],
  [0.8, -0.6],
] as const;

/** The whitening of one Gaussian point: degrees → metres → standard normal coordinates. */
interface Frame {
  readonly lat: number;
  readonly lon: number;
  /** Metres per degree of longitude and of latitude at the mean. */
  readonly kEast: number;
  readonly kNorth: number;
  /** The Cholesky factor [[l11, 0], [l21, l22]] of the covariance, in metres. */
  readonly l11: number;
  readonly l21: number;
  readonly l22: number;
}

function frameOf(point: GaussianPoint): Frame {
  const { lat, lon } = point;
  const [ee, en, nn] = point.covariance;
  const issues: { path: string; reason: string }[] = [];
  if (!Number.isFinite(lat) || lat < -90 || lat > 90)
    issues.push({ path: 'lat', reason: 'must be a latitude between -90 and 90' });
  if (!Number.isFinite(lon) || lon < -180 || lon > 180)
    issues.push({ path: 'lon', reason: 'must be a longitude between -180 and 180' });
  if (![ee, en, nn].every(Number.isFinite) || ee < 0 || nn < 0 || en * en > ee * nn * (1 + 1e-9) + 1e-12)
    issues.push({
      path: 'covariance',
      reason: 'must be a covariance [ee, en, nn] in m²: finite, ee ≥ 0, nn ≥ 0 and en² ≤ ee·nn',
    });
  if (issues.length > 0) throw validationError('the point of origin is not a valid Gaussian point', issues);
  // A degenerate (or exact) point is given a millimetre of spread, so that it can be whitened.
  const jitter = 1e-6;
  const l11 = Math.sqrt(ee + jitter);
  const l21 = en / l11;
  const l22 = Math.sqrt(Math.max(nn + jitter - l21 * l21, jitter));
  const sin = Math.sin(lat * DEG);
  const w = Math.sqrt(1 - E2 * sin * sin);
  return {
    lat,
    lon,
    kEast: (A / w) * Math.cos(lat * DEG) * DEG || 1e-9,
    kNorth: ((A * (1 - E2)) / (w * w * w)) * DEG,
    l11,
    l21,
    l22,
  };
}

/** Near edges of one query, whitened: side, then [ax, ay, bx, by]. */
interface Near {
  side: number[];
  xy: number[];
  /** The edges as read, in degrees: to recognise one straight stretch shared by two sides. */
  raw: number[];
}

/** The signed mass beyond one whitened edge, as seen from the origin (positive when the origin is on its left). */
function beyondEdge(ax: number, ay: number, bx: number, by: number): number {
  const length = hypot(bx - ax, by - ay);
  const tx = (bx - ax) / length;
  const ty = (by - ay) / length;
  const s = ax * ty - ay * tx;
  const h = Math.abs(s);
  if (h === 0) return 0; // the origin on the edge's line but off the edge (on it, it was nudged away)
  const ua = ax * tx + ay * ty;
  const ub = bx * tx + by * ty;
  return Math.sign(s) * (owensT(h, ub / h) - owensT(h, ua / h));
}

/** The distance from the origin to the segment a–b (whitened units). */
function distanceToSegment(ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.min(1, Math.max(0, -(ax * dx + ay * dy) / length2));
  return hypot(ax + t * dx, ay + t * dy);
}

function compute(terms: Pick<Terms, 'parties' | 'sides'>, frame: Frame, attempt: number): SideProbabilities {
  const { lat, lon, kEast, kNorth, l11, l21, l22 } = frame;
  const r = TRUNCATION_SIGMAS;
  // The bounding box of the 6σ ellipse, in degrees (σ_east = l11, σ_north = √(l21² + l22²)).
  const halfLon = (r * l11) / kEast;
  const halfLat = (r * hypot(l21, l22)) / kNorth;
  const near: Near = { side: [], xy: [], raw: [] };
  let closest = Infinity;
  const inside: boolean[] = [];
  terms.sides.forEach((side, s) => {
    inside.push(containsPoint(side.geometry, lat, lon));
    const index = boundaryIndex(side.geometry);
    const { edges } = index;
    edgesNear(index, lon - halfLon, lat - halfLat, lon + halfLon, lat + halfLat, (e) => {
      const x1 = edges[e * 4] ?? 0;
      const y1 = edges[e * 4 + 1] ?? 0;
      const x2 = edges[e * 4 + 2] ?? 0;
      const y2 = edges[e * 4 + 3] ?? 0;
      const ax = ((x1 - lon) * kEast) / l11;
      const ay = ((y1 - lat) * kNorth - l21 * ax) / l22;
      const bx = ((x2 - lon) * kEast) / l11;
      const by = ((y2 - lat) * kNorth - l21 * bx) / l22;
      const distance = distanceToSegment(ax, ay, bx, by);
      if (distance > r) return;
      closest = Math.min(closest, distance);
      near.side.push(s);
      near.xy.push(ax, ay, bx, by);
      near.raw.push(x1, y1, x2, y2);
    });
  });

  if (closest < ON_EDGE && attempt < NUDGE_DIRECTIONS.length) {
    // On an edge (or a vertex) the side of the mean is a matter of rounding: step off it, by far less
    // than any probability a decision reads can feel (≤ 4e-6).
    const [dx, dy] = NUDGE_DIRECTIONS[attempt] ?? [0, 0];
    const east = NUDGE * l11 * dx;
    const north = NUDGE * (l21 * dx + l22 * dy);
    return compute(terms, { ...frame, lon: lon + east / kEast, lat: lat + north / kNorth }, attempt + 1);
  }

  const sums: number[] = inside.map((isInside) => (isInside ? 1 : 0));
  let method: SideProbabilities['method'] = 'closed-form';
  if (near.side.length > 0) {
    if (isOneStraightStretch(near, r)) {
      near.side.forEach((s, k) => {
        const ax = near.xy[k * 4] ?? 0;
        const ay = near.xy[k * 4 + 1] ?? 0;
        const bx = near.xy[k * 4 + 2] ?? 0;
        const by = near.xy[k * 4 + 3] ?? 0;
        const length = hypot(bx - ax, by - ay);
        // Signed distance of the mean from the edge, positive on its left (the side's interior).
        sums[s] = normalCdf((ax * (by - ay) - ay * (bx - ax)) / length);
      });
    } else {
      method = 'integrated';
      near.side.forEach((s, k) => {
        sums[s] =
          (sums[s] ?? 0) -
          beyondEdge(
            near.xy[k * 4] ?? 0,
            near.xy[k * 4 + 1] ?? 0,
            near.xy[k * 4 + 2] ?? 0,
            near.xy[k * 4 + 3] ?? 0,
          );
      });
    }
  }

  const bySide = sums.map((p) => Math.min(1, Math.max(0, p)));
  let total = bySide.reduce((sum, p) => sum + p, 0);
  // Sides may overlap by a sliver (the format allows 0.01 km²): never let the parties exceed 1.
  const scale = total > 1 ? 1 / total : 1;
  total = Math.min(1, total);
  const probabilities: Record<string, number> = {};
  for (const party of terms.parties) probabilities[party.id] = 0;
  terms.sides.forEach((side, s) => {
    probabilities[side.party] = (probabilities[side.party] ?? 0) + (bySide[s] ?? 0) * scale;
  });
  return { probabilities, nobodyProbability: Math.max(0, 1 - total), method };
}

/** True when the near edges are one and the same segment (once per side), with both ends beyond r. */
function isOneStraightStretch(near: Near, r: number): boolean {
  const [x1, y1, x2, y2] = near.raw;
  for (let k = 0; k < near.side.length; k++) {
    const a = near.raw[k * 4];
    const b = near.raw[k * 4 + 1];
    const c = near.raw[k * 4 + 2];
    const d = near.raw[k * 4 + 3];
    const same = a === x1 && b === y1 && c === x2 && d === y2;
    const reversed = a === x2 && b === y2 && c === x1 && d === y1;
    if (!same && !reversed) return false;
    const ax = near.xy[k * 4] ?? 0;
    const ay = near.xy[k * 4 + 1] ?? 0;
    const bx = near.xy[k * 4 + 2] ?? 0;
    const by = near.xy[k * 4 + 3] ?? 0;
    if (hypot(ax, ay) <= r || hypot(bx, by) <= r) return false;
  }
  return new Set(near.side).size === near.side.length;
}

/**
 * The probability that `point` lies in each party's side of the terms, and in nobody's. Deterministic:
 * the same point and terms always give the same numbers. Throws `E_VALIDATION` for a point that is not
 * a valid Gaussian (a latitude out of range, a covariance that is not positive semi-definite).
 *
 * @example
 * sideProbabilities(terms, { lat: 48.0, lon: 37.75, covariance: [250_000, 0, 250_000] });
 * // { probabilities: { ua: 0.97…, 'ru-af': 0.02… }, nobodyProbability: 0, method: 'integrated' }
 */
export function sideProbabilities(
  terms: Pick<Terms, 'parties' | 'sides'>,
  point: GaussianPoint,
): SideProbabilities {
  return compute(terms, frameOf(point), 0);
}

/**
 * The probability that `party`'s side holds `point`: the helper the rules and the evaluator use. 0 for
 * a party without a side.
 */
export function sideProbability(
  terms: Pick<Terms, 'parties' | 'sides'>,
  party: string,
  point: GaussianPoint,
): number {
  return sideProbabilities(terms, point).probabilities[party] ?? 0;
}
