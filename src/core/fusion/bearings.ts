/**
 * @module Positions from bearings: two or more bearing lines from known observers (patrols, optionally
 * with a distance band) intersected by least squares into a Gaussian with the covariance of that fit;
 * and a single bearing with a distance band as the Gaussian that matches the wedge's moments.
 */
import { hypot } from '../hypot.ts';
import type { GaussianPoint } from './event.ts';
import { invert2, type Covariance2 } from './gaussian.ts';
import { LocalFrame, type LatLon } from './local-frame.ts';

/** The 1 σ of a patrol's bearing when it does not say, degrees. */
export const DEFAULT_BEARING_SIGMA_DEG = 10;

/** A bearing from a known observer towards what was seen or heard. */
export interface BearingObservation extends LatLon {
  /** Azimuth from the observer to the target, degrees clockwise from true north. */
  readonly bearingDeg: number;
  /** 1 σ of the bearing, degrees; default {@link DEFAULT_BEARING_SIGMA_DEG}. */
  readonly sigmaDeg?: number;
  /** The target's distance from the observer lies in [min, max] metres (taken as uniform). */
  readonly distanceBandM?: readonly [min: number, max: number];
}

export type BearingFix =
  | {
      readonly localised: true;
      readonly position: GaussianPoint;
      /** Σ (residual/σ)² over bearings and distance bands at the solution. */
      readonly chiSquare: number;
      /** Constraints − 2. */
      readonly degreesOfFreedom: number;
      /** Per observation, observed − predicted bearing, degrees. */
      readonly residualsDeg: readonly number[];
    }
  | {
      readonly localised: false;
      /**
       * `no-observations`; `no-distance` (one bearing without a distance band is a line, not a point);
       * `parallel` (the lines do not cross in front of the observers).
       */
      readonly reason: 'no-observations' | 'no-distance' | 'parallel';
    };

const RAD = Math.PI / 180;

/**
 * The position that the bearings (and distance bands) agree on, by Gauss–Newton least squares in a
 * local frame; the covariance is the inverse of the information at the solution, so two lines crossing
 * at a shallow angle give the long ellipse they deserve. One observation with a distance band gives
 * {@link bearingWedge}.
 *
 * @example
 * intersectBearings([
 *   { lat: 48.00, lon: 37.70, bearingDeg: 60 },
 *   { lat: 47.95, lon: 37.80, bearingDeg: 10, distanceBandM: [3000, 8000] },
 * ]);
 */
export function intersectBearings(observations: readonly BearingObservation[]): BearingFix {
  observations.forEach(validate);
  const first = observations[0];
  if (first === undefined) return { localised: false, reason: 'no-observations' };
  if (observations.length === 1) {
    const band = first.distanceBandM;
    if (band === undefined) return { localised: false, reason: 'no-distance' };
    return {
      localised: true,
      position: bearingWedge({ ...first, distanceBandM: band }),
      chiSquare: 0,
      degreesOfFreedom: 0,
      residualsDeg: [0],
    };
  }
  const frame = LocalFrame.around(observations);
  const rays = observations.map((o) => {
    const p = frame.toLocal(o.lat, o.lon);
    const azimuth = o.bearingDeg * RAD + frame.convergence(o.lat, o.lon);
    return {
      east: p.east,
      north: p.north,
      sinA: Math.sin(azimuth),
      cosA: Math.cos(azimuth),
      azimuth,
      sigma: (o.sigmaDeg ?? DEFAULT_BEARING_SIGMA_DEG) * RAD,
      band: o.distanceBandM,
    };
  });

  const objective = (x: number, y: number): number => {
    let sum = 0;
    for (const ray of rays) {
      const dx = x - ray.east;
      const dy = y - ray.north;
      const residual = wrap(ray.azimuth - Math.atan2(dx, dy)) / ray.sigma;
      sum += residual * residual;
      if (ray.band !== undefined) {
        const [mean, sd] = bandMoments(ray.band);
        const r = (hypot(dx, dy) - mean) / sd;
        sum += r * r;
      }
    }
    return sum;
  };
  const information = (x: number, y: number): { info: Covariance2; gradient: [number, number] } => {
    let a = 0;
    let b = 0;
    let d = 0;
    let ge = 0;
    let gn = 0;
    for (const ray of rays) {
      const dx = x - ray.east;
      const dy = y - ray.north;
      const r2 = Math.max(dx * dx + dy * dy, 1);
      const w = 1 / ray.sigma ** 2;
      const residual = wrap(ray.azimuth - Math.atan2(dx, dy));
      // ∂atan2(dx, dy)/∂(x, y) = (dy, −dx)/r²
      const je = dy / r2;
      const jn = -dx / r2;
      a += w * je * je;
      b += w * je * jn;
      d += w * jn * jn;
      ge += w * je * residual;
      gn += w * jn * residual;
      if (ray.band !== undefined) {
        const [mean, sd] = bandMoments(ray.band);
        const r = Math.sqrt(r2);
        const wr = 1 / sd ** 2;
        const re = dx / r;
        const rn = dy / r;
        a += wr * re * re;
        b += wr * re * rn;
        d += wr * rn * rn;
        ge += wr * re * (mean - r);
        gn += wr * rn * (mean - r);
      }
    }
    return { info: [a, b, d], gradient: [ge, gn] };
  };

  const starts = startPoints(rays);
  let best: { x: number; y: number; f: number } | null = null;
  for (const s of starts) {
    const f = objective(s.x, s.y);
    if (best === null || f < best.f) best = { ...s, f };
  }
  if (best === null) return { localised: false, reason: 'parallel' };
  let { x, y, f } = best;
  for (let iteration = 0; iteration < 50; iteration++) {
    const { info, gradient } = information(x, y);
    let inverse: Covariance2;
    try {
      inverse = invert2(info);
    } catch {
      return { localised: false, reason: 'parallel' };
    }
    let se = inverse[0] * gradient[0] + inverse[1] * gradient[1];
    let sn = inverse[1] * gradient[0] + inverse[2] * gradient[1];
    let improved = false;
    for (let halving = 0; halving < 30; halving++) {
      const trial = objective(x + se, y + sn);
      if (trial <= f) {
        x += se;
        y += sn;
        const gain = f - trial;
        f = trial;
        improved = gain > 1e-12 * (1 + f) && hypot(se, sn) > 1e-6;
        break;
      }
      se /= 2;
      sn /= 2;
    }
    if (!improved) break;
  }
  const residualsDeg = rays.map((ray) => wrap(ray.azimuth - Math.atan2(x - ray.east, y - ray.north)) / RAD);
  if (residualsDeg.some((r) => Math.abs(r) > 90)) return { localised: false, reason: 'parallel' };
  let covariance: Covariance2;
  try {
    covariance = invert2(information(x, y).info);
  } catch {
    return { localised: false, reason: 'parallel' };
  }
  const constraints = rays.length + rays.filter((r) => r.band !== undefined).length;
  return {
    localised: true,
    position: frame.toGaussianPoint(x, y, covariance),
    chiSquare: f,
    degreesOfFreedom: constraints - 2,
    residualsDeg,
  };
}

/**
 * One bearing with a distance band as a Gaussian: the exact mean and covariance of the wedge
 * r·(sin(β + δ), cos(β + δ)) for r uniform in the band and δ ~ N(0, σ²) — elongated across the bearing
 * when the range is long, along it when the band is wide.
 */
export function bearingWedge(
  observation: BearingObservation & { readonly distanceBandM: readonly [number, number] },
): GaussianPoint {
  validate(observation, 0);
  const [min, max] = observation.distanceBandM;
  const sigma = (observation.sigmaDeg ?? DEFAULT_BEARING_SIGMA_DEG) * RAD;
  const meanR = (min + max) / 2;
  const meanR2 = (min * min + min * max + max * max) / 3;
  const s2 = sigma * sigma;
  const along = meanR * Math.exp(-s2 / 2);
  const alongVariance = Math.max((meanR2 * (1 + Math.exp(-2 * s2))) / 2 - along * along, 1e-6);
  const acrossVariance = Math.max((meanR2 * (1 - Math.exp(-2 * s2))) / 2, 1e-6);
  const beta = observation.bearingDeg * RAD;
  const ue = Math.sin(beta);
  const un = Math.cos(beta);
  // Along = (ue, un), across = (un, −ue).
  const covariance: Covariance2 = [
    alongVariance * ue * ue + acrossVariance * un * un,
    (alongVariance - acrossVariance) * ue * un,
    alongVariance * un * un + acrossVariance * ue * ue,
  ];
  const frame = new LocalFrame(observation.lat, observation.lon);
  return frame.toGaussianPoint(along * ue, along * un, covariance);
}

function startPoints(
  rays: readonly {
    east: number;
    north: number;
    sinA: number;
    cosA: number;
    band: readonly [number, number] | undefined;
  }[],
): { x: number; y: number }[] {
  const starts: { x: number; y: number }[] = [];
  for (const ray of rays) {
    if (ray.band === undefined) continue;
    const r = (ray.band[0] + ray.band[1]) / 2;
    starts.push({ x: ray.east + r * ray.sinA, y: ray.north + r * ray.cosA });
  }
  for (let i = 0; i < rays.length; i++) {
    for (let j = i + 1; j < rays.length; j++) {
      const a = rays[i];
      const b = rays[j];
      if (a === undefined || b === undefined) continue;
      // a + s·ua = b + t·ub
      const det = a.sinA * -b.cosA + b.sinA * a.cosA;
      if (Math.abs(det) < 1e-6) continue;
      const de = b.east - a.east;
      const dn = b.north - a.north;
      const s = (de * -b.cosA + b.sinA * dn) / det;
      const t = (a.sinA * dn - a.cosA * de) / det;
      if (s > 0 && t > 0) starts.push({ x: a.east + s * a.sinA, y: a.north + s * a.cosA });
    }
  }
  return starts;
}

function bandMoments(band: readonly [number, number]): [mean: number, sd: number] {
  return [(band[0] + band[1]) / 2, Math.max((band[1] - band[0]) / Math.sqrt(12), 1)];
}

function wrap(angle: number): number {
  return angle - 2 * Math.PI * Math.round(angle / (2 * Math.PI));
}

function validate(o: BearingObservation, i: number): void {
  if (!(Math.abs(o.lat) <= 90) || !Number.isFinite(o.lon)) {
    throw new RangeError(`observations[${i}] must have a finite lat and lon, got ${o.lat}, ${o.lon}`);
  }
  if (!Number.isFinite(o.bearingDeg))
    throw new RangeError(`observations[${i}].bearingDeg must be finite, got ${o.bearingDeg}`);
  if (o.sigmaDeg !== undefined && !(o.sigmaDeg > 0 && o.sigmaDeg < 90)) {
    throw new RangeError(`observations[${i}].sigmaDeg must be in (0, 90), got ${o.sigmaDeg}`);
  }
  if (o.distanceBandM !== undefined) {
    const [min, max] = o.distanceBandM;
    if (!(min >= 0 && max > min && Number.isFinite(max))) {
      throw new RangeError(
        `observations[${i}].distanceBandM must be [min, max] with 0 ≤ min < max, got [${min}, ${max}]`,
      );
    }
  }
}
