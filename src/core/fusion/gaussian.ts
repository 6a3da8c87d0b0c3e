/**
 * @module The small toolkit of 2-D Gaussians that every fusion source shares: combining independent
 * estimates by information, Mahalanobis distance, confidence ellipses, the normal and chi-square
 * distributions, and deterministic draws (seeded and quasi-random) for tests and numerical integration.
 */
import { hypot } from '../hypot.ts';
import type { GaussianPoint } from './event.ts';
import { LocalFrame, type EastNorth, type LatLon, type LocalGaussian } from './local-frame.ts';

/** A 2×2 covariance (or information) matrix `[ee, en, nn]`. */
export type Covariance2 = readonly [ee: number, en: number, nn: number];

/** A confidence ellipse: semi-axes in metres, and the azimuth of the major axis (degrees clockwise from north, in [0, 180)). */
export interface Ellipse {
  readonly semiMajorM: number;
  readonly semiMinorM: number;
  readonly majorAxisAzimuthDeg: number;
}

/** The inverse of a symmetric positive-definite 2×2 matrix; throws a RangeError if it is not one. */
export function invert2(m: Covariance2): Covariance2 {
  const [a, b, d] = m;
  const det = a * d - b * b;
  if (!(a > 0 && d > 0 && det > 1e-12 * a * d) || !Number.isFinite(det)) {
    throw new RangeError(`not a positive-definite 2×2 matrix: [${a}, ${b}, ${d}]`);
  }
  return [d / det, -b / det, a / det];
}

/** Whether `m` is a finite symmetric positive-definite 2×2 matrix. */
export function isPositiveDefinite2(m: Covariance2): boolean {
  const [a, b, d] = m;
  return (
    Number.isFinite(a) &&
    Number.isFinite(b) &&
    Number.isFinite(d) &&
    a > 0 &&
    d > 0 &&
    a * d - b * b > 1e-12 * a * d
  );
}

/**
 * The fusion of independent Gaussian estimates of one position in one local frame: information
 * (inverse covariance) adds, and the mean is the information-weighted mean,
 * `P = (Σ Pᵢ⁻¹)⁻¹`, `x = P Σ Pᵢ⁻¹ xᵢ`. An estimate with a poor direction contributes little along it.
 * Throws a RangeError for an empty list or a covariance that is not positive definite.
 */
export function combineByInformation(estimates: readonly LocalGaussian[]): LocalGaussian {
  if (estimates.length === 0) throw new RangeError('combineByInformation needs at least one estimate');
  let iee = 0;
  let ien = 0;
  let inn = 0;
  let ve = 0;
  let vn = 0;
  for (const estimate of estimates) {
    const [a, b, d] = invert2(estimate.covariance);
    iee += a;
    ien += b;
    inn += d;
    ve += a * estimate.east + b * estimate.north;
    vn += b * estimate.east + d * estimate.north;
  }
  const covariance = invert2([iee, ien, inn]);
  const [pee, pen, pnn] = covariance;
  return { east: pee * ve + pen * vn, north: pen * ve + pnn * vn, covariance };
}

/**
 * {@link combineByInformation} for geographic estimates: each is taken into a local frame around the
 * first, combined there, and returned with its covariance in east/north at the combined position.
 */
export function combineGaussianPoints(points: readonly GaussianPoint[]): GaussianPoint {
  const first = points[0];
  if (first === undefined) throw new RangeError('combineGaussianPoints needs at least one estimate');
  const frame = new LocalFrame(first.lat, first.lon);
  const combined = combineByInformation(points.map((p) => frame.toLocalGaussian(p)));
  return frame.toGaussianPoint(combined.east, combined.north, combined.covariance);
}

/** The squared Mahalanobis distance of the offset (de, dn) under covariance `c`: dᵀ C⁻¹ d. */
export function mahalanobisSquared(de: number, dn: number, c: Covariance2): number {
  const [a, b, d] = invert2(c);
  return a * de * de + 2 * b * de * dn + d * dn * dn;
}

/** The Mahalanobis distance of a geographic point from a Gaussian estimate (in its east/north plane). */
export function mahalanobisDistance(point: LatLon, estimate: GaussianPoint): number {
  const p = new LocalFrame(estimate.lat, estimate.lon).toLocal(point.lat, point.lon);
  return Math.sqrt(mahalanobisSquared(p.east, p.north, estimate.covariance));
}

/** The quantile of the chi-square distribution with 2 degrees of freedom: −2 ln(1 − p). */
export function chiSquare2Quantile(p: number): number {
  if (!(p >= 0 && p < 1)) throw new RangeError(`probability must be in [0, 1), got ${p}`);
  return -2 * Math.log1p(-p);
}

/**
 * The ellipse holding probability `p` of a 2-D Gaussian of covariance `c`: the semi-axes are
 * √(λ · χ²₂(p)) for the eigenvalues λ of `c`.
 */
export function confidenceEllipse(c: Covariance2, p: number): Ellipse {
  const [a, b, d] = c;
  const k = chiSquare2Quantile(p);
  const mean = (a + d) / 2;
  const half = hypot((a - d) / 2, b);
  const major = mean + half;
  const minor = Math.max(0, mean - half);
  // The major eigenvector (east, north) is along angle θ from east; azimuth = 90° − θ.
  const theta = 0.5 * Math.atan2(2 * b, a - d);
  let azimuth = 90 - (theta * 180) / Math.PI;
  azimuth = ((azimuth % 180) + 180) % 180;
  return { semiMajorM: Math.sqrt(major * k), semiMinorM: Math.sqrt(minor * k), majorAxisAzimuthDeg: azimuth };
}

/** Whether the offset (de, dn) from the mean lies inside the `p` ellipse of covariance `c`. */
export function insideEllipse(de: number, dn: number, c: Covariance2, p: number): boolean {
  return mahalanobisSquared(de, dn, c) <= chiSquare2Quantile(p);
}

/** Whether a geographic point lies inside the `p` confidence ellipse of an estimate. */
export function isInsideConfidenceEllipse(point: LatLon, estimate: GaussianPoint, p: number): boolean {
  const d = mahalanobisDistance(point, estimate);
  return d * d <= chiSquare2Quantile(p);
}

/** The standard normal distribution function Φ(z) (|error| < 1.5 × 10⁻⁷). */
export function normalCdf(z: number): number {
  // Abramowitz & Stegun 7.1.26 on erf, with Φ(z) = (1 + erf(z/√2)) / 2.
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/** The standard normal quantile Φ⁻¹(p), p in (0, 1) (Acklam's rational approximation, refined by one Halley step). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be in (0, 1), got ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  let x: number;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
      ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  } else if (p > 1 - 0.02425) {
    const q = Math.sqrt(-2 * Math.log1p(-p));
    x =
      -(((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
      ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) /
      (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
  }
  const e = normalCdfPrecise(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/**
 * The probability that a chi-square variable with `k` degrees of freedom exceeds `x` (the p-value of a
 * fit's chi-square): the regularised upper incomplete gamma Q(k/2, x/2).
 */
export function chiSquareSurvival(x: number, k: number): number {
  if (!(k > 0)) throw new RangeError(`degrees of freedom must be positive, got ${k}`);
  if (!(x > 0)) return 1;
  return upperGammaRegularised(k / 2, x / 2);
}

/**
 * A seeded pseudo-random generator of uniform numbers in [0, 1) (sfc32 seeded by splitmix32): the
 * same seed gives the same sequence everywhere, so Monte Carlo tests and randomised searches repeat.
 */
export function seededUniform(seed: number): () => number {
  let s = seed >>> 0;
  const split = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let counter = 1;
  return () => {
    const t = (((a + b) >>> 0) + counter) >>> 0;
    counter = (counter + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
}

/** A seeded standard normal generator (Box–Muller over {@link seededUniform}). */
export function seededNormal(seed: number): () => number {
  const uniform = seededUniform(seed);
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    const u = 1 - uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** The `index`-th element (from 1) of the van der Corput sequence in `base`: a low-discrepancy draw in (0, 1). */
export function halton(index: number, base: number): number {
  let f = 1;
  let r = 0;
  let i = index;
  while (i > 0) {
    f /= base;
    r += f * (i % base);
    i = Math.floor(i / base);
  }
  return r;
}

/**
 * `count` deterministic quasi-random draws from a 2-D Gaussian (Halton bases 2 and 3 through the
 * normal quantile): an even cover of the distribution for numerical integration, for example of the
 * probability that an origin lies on one side of a bent line.
 */
export function quasiRandomDraws(mean: EastNorth, c: Covariance2, count: number): EastNorth[] {
  const [a, b, d] = c;
  if (!(a >= 0 && d >= 0 && a * d - b * b >= -1e-9 * a * d)) {
    throw new RangeError(`not a covariance matrix: [${a}, ${b}, ${d}]`);
  }
  const l11 = Math.sqrt(a);
  const l21 = l11 > 0 ? b / l11 : 0;
  const l22 = Math.sqrt(Math.max(0, d - l21 * l21));
  const draws: EastNorth[] = [];
  for (let i = 1; i <= count; i++) {
    const z1 = normalQuantile(halton(i, 2));
    const z2 = normalQuantile(halton(i, 3));
    draws.push({ east: mean.east + l11 * z1, north: mean.north + l21 * z1 + l22 * z2 });
  }
  return draws;
}

function normalCdfPrecise(z: number): number {
  // erfc through the regularised incomplete gamma: Φ(z) = Q(1/2, z²/2)/2 for z < 0.
  const half = 0.5 * upperGammaRegularised(0.5, (z * z) / 2);
  return z < 0 ? half : 1 - half;
}

function lnGamma(x: number): number {
  // Lanczos (g = 7, n = 9).
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const y = x - 1;
  let sum = coefficients[0] ?? 0;
  for (let i = 1; i < 9; i++) sum += (coefficients[i] ?? 0) / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

function upperGammaRegularised(s: number, x: number): number {
  if (x <= 0) return 1;
  const logPrefix = s * Math.log(x) - x - lnGamma(s);
  if (x < s + 1) {
    // Series for the lower function P, then Q = 1 − P.
    let term = 1 / s;
    let sum = term;
    for (let n = 1; n < 500; n++) {
      term *= x / (s + n);
      sum += term;
      if (term < sum * 1e-16) break;
    }
    return Math.max(0, 1 - sum * Math.exp(logPrefix));
  }
  // Continued fraction for Q (modified Lentz).
  const tiny = 1e-300;
  let b = x + 1 - s;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - s);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(logPrefix) * h;
}
