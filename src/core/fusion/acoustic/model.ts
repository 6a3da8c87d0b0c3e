/**
 * @module The acoustic arrival model shared by the fit and the Cramér–Rao bound: the predicted arrival
 * time of an impulse and its gradient over the six unknowns, and the small dense algebra they need.
 *
 * Sensor i at sᵢ hears a source at x at tᵢ = t₀ + ‖x − sᵢ‖ / (c + w·uᵢ), uᵢ = (sᵢ − x)/‖sᵢ − x‖,
 * with unknowns θ = (x_east, x_north, t₀, c, w_east, w_north).
 */
import { NUISANCE_PRIORS } from '../propagation.ts';

/** One arrival of an impulse at one sensor. */
export interface AcousticArrival {
  /** The sensor's position, degrees (WGS 84). */
  readonly lat: number;
  readonly lon: number;
  /**
   * The arrival time in seconds against any reference common to the group (for example epoch ms /
   * 1000): the fit subtracts the earliest one internally, so no precision is lost.
   */
  readonly timeS: number;
  /** 1 σ timing error, seconds; fusion floors it at ARRIVAL_SIGMA_S by default. */
  readonly sigmaS: number;
}

/** The Gaussian priors on the nuisance parameters (defaults: {@link NUISANCE_PRIORS}). */
export interface NuisancePriors {
  readonly soundSpeedMeanMs: number;
  readonly soundSpeedSigmaMs: number;
  readonly windComponentSigmaMs: number;
}

export const DEFAULT_PRIORS: NuisancePriors = NUISANCE_PRIORS;

/** The number of unknowns: x_east, x_north, t₀, c, w_east, w_north. */
export const UNKNOWNS = 6;

/**
 * The travel time from the source (x, y) to the sensor (sx, sy) with sound speed c and wind (we, wn),
 * seconds; writes ∂tᵢ/∂θ into `gradient[offset .. offset + 6)`.
 *
 * With r = ‖s − x‖, u = (s − x)/r, v = c + w·u: ∂t/∂x = −u/v + w⊥/v² (w⊥ = w − (w·u)u, the wind across
 * the ray, which turns the effective speed as the source moves), ∂t/∂t₀ = 1, ∂t/∂c = −r/v²,
 * ∂t/∂w = −r·u/v².
 */
export function travelTime(
  sx: number,
  sy: number,
  x: number,
  y: number,
  c: number,
  we: number,
  wn: number,
  gradient: Float64Array,
  offset: number,
): number {
  const dx = sx - x;
  const dy = sy - y;
  const r = Math.max(Math.sqrt(dx * dx + dy * dy), 1e-3);
  const ux = dx / r;
  const uy = dy / r;
  const along = we * ux + wn * uy;
  const v = c + along;
  const iv = 1 / v;
  const iv2 = iv * iv;
  const px = we - along * ux;
  const py = wn - along * uy;
  gradient[offset] = -ux * iv + px * iv2;
  gradient[offset + 1] = -uy * iv + py * iv2;
  gradient[offset + 2] = 1;
  gradient[offset + 3] = -r * iv2;
  gradient[offset + 4] = -r * ux * iv2;
  gradient[offset + 5] = -r * uy * iv2;
  return r * iv;
}

/**
 * Adds the priors' information to a 6×6 information matrix (row-major): 1/σc² on c, 1/σw² on each
 * wind component.
 */
export function addPriorInformation(information: Float64Array, priors: NuisancePriors): void {
  information[3 * UNKNOWNS + 3] = (information[3 * UNKNOWNS + 3] ?? 0) + 1 / priors.soundSpeedSigmaMs ** 2;
  const windInformation = 1 / priors.windComponentSigmaMs ** 2;
  information[4 * UNKNOWNS + 4] = (information[4 * UNKNOWNS + 4] ?? 0) + windInformation;
  information[5 * UNKNOWNS + 5] = (information[5 * UNKNOWNS + 5] ?? 0) + windInformation;
}

/**
 * Cholesky factorisation in place of a symmetric positive-definite n×n matrix (row-major; the lower
 * triangle receives L). Returns false when the matrix is not numerically positive definite.
 */
export function cholesky(m: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let diagonal = m[j * n + j] ?? 0;
    for (let k = 0; k < j; k++) {
      const l = m[j * n + k] ?? 0;
      diagonal -= l * l;
    }
    if (!(diagonal > 1e-300) || !Number.isFinite(diagonal)) return false;
    const ljj = Math.sqrt(diagonal);
    m[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let sum = m[i * n + j] ?? 0;
      for (let k = 0; k < j; k++) sum -= (m[i * n + k] ?? 0) * (m[j * n + k] ?? 0);
      m[i * n + j] = sum / ljj;
    }
  }
  return true;
}

/** Solves L Lᵀ z = b in place of b, L the lower triangle left by {@link cholesky}. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let sum = b[i] ?? 0;
    for (let k = 0; k < i; k++) sum -= (l[i * n + k] ?? 0) * (b[k] ?? 0);
    b[i] = sum / (l[i * n + i] ?? 1);
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = b[i] ?? 0;
    for (let k = i + 1; k < n; k++) sum -= (l[k * n + i] ?? 0) * (b[k] ?? 0);
    b[i] = sum / (l[i * n + i] ?? 1);
  }
}

/**
 * The inverse of a symmetric positive-definite n×n matrix (row-major), or null when it is not
 * numerically positive definite. Scaled by its diagonal first, so unknowns in metres, seconds and
 * metres per second do not spoil the conditioning.
 */
export function invertSymmetric(m: Float64Array, n: number): Float64Array | null {
  const scale = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = m[i * n + i] ?? 0;
    if (!(d > 0)) return null;
    scale[i] = 1 / Math.sqrt(d);
  }
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) l[i * n + j] = (m[i * n + j] ?? 0) * (scale[i] ?? 0) * (scale[j] ?? 0);
  }
  if (!cholesky(l, n)) return null;
  const inverse = new Float64Array(n * n);
  const column = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    column.fill(0);
    column[j] = 1;
    choleskySolve(l, n, column);
    for (let i = 0; i < n; i++) inverse[i * n + j] = (column[i] ?? 0) * (scale[i] ?? 0) * (scale[j] ?? 0);
  }
  return inverse;
}
