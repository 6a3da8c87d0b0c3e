/**
 * @module Acoustic TDOA localisation with the speed of sound and the wind as nuisance parameters: a
 * closed-form and grid start, Levenberg–Marquardt on the six unknowns with the priors as
 * pseudo-observations, and the covariance of the fix from the information at the solution.
 */
import { hypot } from '../../hypot.ts';
import type { GaussianPoint } from '../event.ts';
import { chiSquareSurvival } from '../gaussian.ts';
import { LocalFrame } from '../local-frame.ts';
import { ARRIVAL_SIGMA_S } from '../propagation.ts';
import {
  DEFAULT_PRIORS,
  UNKNOWNS,
  addPriorInformation,
  cholesky,
  choleskySolve,
  invertSymmetric,
  travelTime,
  type AcousticArrival,
  type NuisancePriors,
} from './model.ts';

export type { AcousticArrival, NuisancePriors } from './model.ts';

/** Options of {@link localiseAcoustic}. */
export interface LocaliseOptions {
  /** Priors on the speed of sound and the wind; default NUISANCE_PRIORS. */
  readonly priors?: NuisancePriors;
  /** Each arrival's σ is at least this, seconds; default ARRIVAL_SIGMA_S. */
  readonly sigmaFloorS?: number;
  /** How far beyond the sensors' bounding box the start search looks, metres; default 25 km. */
  readonly searchMarginM?: number;
  /** A solution farther than this from the sensors' centroid is not a fix, metres; default 100 km. */
  readonly maxRangeM?: number;
  /** A fit whose chi-square has a p-value below this is `inconsistent`; default 0.001. */
  readonly inconsistentPValue?: number;
}

/** What a fix's quality says. */
export type AcousticFixQuality =
  /** The arrivals agree with the model within their errors. */
  | 'good'
  /** The chi-square is too large: an arrival is a false alarm, of another event, or its σ is understated. */
  | 'inconsistent'
  /** Another, distinct position fits almost as well (typically the mirror image across a line of sensors). */
  | 'ambiguous';

/** A localised acoustic event. */
export interface AcousticFix {
  readonly localised: true;
  /** The source, with the 2×2 position block of the inverse information at the solution. */
  readonly position: GaussianPoint;
  /** The emission time, in the arrivals' time reference, seconds; and its 1 σ. */
  readonly emissionTimeS: number;
  readonly emissionTimeSigmaS: number;
  /** The estimated speed of sound on the day, m/s, and its 1 σ. */
  readonly soundSpeedMs: number;
  readonly soundSpeedSigmaMs: number;
  /** The estimated wind (east, north), m/s (the velocity of the air), and the 1 σ of each component. */
  readonly windMs: readonly [east: number, north: number];
  readonly windSigmaMs: readonly [east: number, north: number];
  /** Per arrival in input order: observed − predicted arrival time, seconds. */
  readonly residualsS: readonly number[];
  /** Per arrival: the residual over its own standard deviation σᵢ √(1 − leverage); ~N(0, 1) for a good arrival. */
  readonly standardisedResiduals: readonly number[];
  /** The minimised objective: Σ (residual/σ)² plus the priors' terms; ~χ² with `degreesOfFreedom`. */
  readonly chiSquare: number;
  /** Arrivals − 3 (six unknowns, three prior pseudo-observations). */
  readonly degreesOfFreedom: number;
  /** P(χ² ≥ chiSquare) under the model. */
  readonly pValue: number;
  readonly quality: AcousticFixQuality;
  /** Whether the source lies inside the convex hull of the sensors (outside, range is poorly fixed). */
  readonly insideSensorHull: boolean;
  /** For an `ambiguous` fix, the other solution; otherwise null. */
  readonly alternative: GaussianPoint | null;
}

/** Why arrivals did not localise. */
export type NotLocalisedReason =
  /** Fewer than four arrivals: they detect an event but cannot fix x, t₀, c and w. */
  | 'too-few-arrivals'
  /** The sensors' geometry leaves the position undetermined (for example all at one place). */
  | 'degenerate-geometry'
  /** No solution within `maxRangeM` of the sensors. */
  | 'no-solution';

export interface AcousticNotLocalised {
  readonly localised: false;
  readonly reason: NotLocalisedReason;
  readonly arrivalCount: number;
}

export type AcousticLocalisation = AcousticFix | AcousticNotLocalised;

/** The fewest arrivals that can localise (x, t₀, c and w with priors on c and w). */
export const MIN_ARRIVALS_TO_LOCALISE = 4;

/**
 * Localises an impulse from its arrival times at four or more sensors. The unknowns are the source
 * position, the emission time, the speed of sound and the wind; the last two have Gaussian priors
 * (NUISANCE_PRIORS), so fixing neither biases the fix nor hides their uncertainty. The covariance is
 * the position block of the inverse of JᵀWJ + the priors' information at the solution: a source beyond
 * the sensors' hull gets the long ellipse its geometry deserves.
 *
 * @example
 * const fix = localiseAcoustic([
 *   { lat: 48.00, lon: 37.80, timeS: 1717000000.12, sigmaS: 0.01 },
 *   …
 * ]);
 * if (fix.localised) console.log(fix.position, fix.quality);
 */
export function localiseAcoustic(
  arrivals: readonly AcousticArrival[],
  options: LocaliseOptions = {},
): AcousticLocalisation {
  if (arrivals.length < MIN_ARRIVALS_TO_LOCALISE) {
    return { localised: false, reason: 'too-few-arrivals', arrivalCount: arrivals.length };
  }
  const problem = prepareArrivals(arrivals, options);
  return localiseSubset(problem, allIndices(arrivals.length), options);
}

// ---------------------------------------------------------------------------------------------------
// Building blocks shared with the robust fit.

/** Arrivals projected once into a local frame, times relative to the earliest, weights 1/σ². */
export interface PreparedArrivals {
  readonly frame: LocalFrame;
  readonly count: number;
  readonly east: Float64Array;
  readonly north: Float64Array;
  /** Seconds after `timeReferenceS`. */
  readonly time: Float64Array;
  readonly sigma: Float64Array;
  readonly timeReferenceS: number;
}

/** Validates and projects arrivals (throws a RangeError naming the first bad field). */
export function prepareArrivals(
  arrivals: readonly AcousticArrival[],
  options: Pick<LocaliseOptions, 'sigmaFloorS'> = {},
): PreparedArrivals {
  const floor = options.sigmaFloorS ?? ARRIVAL_SIGMA_S;
  let timeReferenceS = Infinity;
  arrivals.forEach((a, i) => {
    if (!(Math.abs(a.lat) <= 90)) throw new RangeError(`arrivals[${i}].lat must be a latitude, got ${a.lat}`);
    if (!Number.isFinite(a.lon)) throw new RangeError(`arrivals[${i}].lon must be finite, got ${a.lon}`);
    if (!Number.isFinite(a.timeS))
      throw new RangeError(`arrivals[${i}].timeS must be finite, got ${a.timeS}`);
    if (!(a.sigmaS > 0 && Number.isFinite(a.sigmaS))) {
      throw new RangeError(`arrivals[${i}].sigmaS must be a positive number of seconds, got ${a.sigmaS}`);
    }
    timeReferenceS = Math.min(timeReferenceS, a.timeS);
  });
  const frame = LocalFrame.around(arrivals);
  const n = arrivals.length;
  const east = new Float64Array(n);
  const north = new Float64Array(n);
  const time = new Float64Array(n);
  const sigma = new Float64Array(n);
  arrivals.forEach((a, i) => {
    const p = frame.toLocal(a.lat, a.lon);
    east[i] = p.east;
    north[i] = p.north;
    time[i] = a.timeS - timeReferenceS;
    sigma[i] = Math.max(a.sigmaS, floor);
  });
  return { frame, count: n, east, north, time, sigma, timeReferenceS };
}

/** A converged fit on a subset of prepared arrivals, in the local frame. */
export interface SubsetFit {
  /** θ = (x_east, x_north, t₀ relative to the time reference, c, w_east, w_north). */
  readonly theta: Float64Array;
  /** The inverse information (6×6, row-major) at θ. */
  readonly covariance: Float64Array;
  readonly objective: number;
}

/**
 * The iteration's working arrays, shared by every fit: a worst day fits ~17,000 groups, each from up to
 * four starts, and allocating them every time made localisation ~10 % slower. A fit runs to its end
 * before another starts, and keeps none of them.
 */
const SCRATCH = {
  information: new Float64Array(UNKNOWNS * UNKNOWNS),
  gradient: new Float64Array(UNKNOWNS),
  damped: new Float64Array(UNKNOWNS * UNKNOWNS),
  step: new Float64Array(UNKNOWNS),
  candidate: new Float64Array(UNKNOWNS),
};

/**
 * Levenberg–Marquardt from a start position on the arrivals `indices`, or null when it does not reach
 * a finite solution with positive-definite information.
 */
export function fitFromStart(
  problem: PreparedArrivals,
  indices: readonly number[],
  startEast: number,
  startNorth: number,
  priors: NuisancePriors,
): SubsetFit | null {
  const theta = new Float64Array(UNKNOWNS);
  theta[0] = startEast;
  theta[1] = startNorth;
  theta[3] = priors.soundSpeedMeanMs;
  theta[2] = bestEmissionTime(problem, indices, theta);
  const { information, gradient, damped, step, candidate } = SCRATCH;
  let objective = normalEquations(problem, indices, theta, priors, information, gradient);
  let lambda = 1e-4;
  for (let iteration = 0; iteration < 100; iteration++) {
    // Converged when even the full Gauss–Newton step would gain next to nothing (gᵀA⁻¹g is twice the
    // predicted decrease of the objective).
    damped.set(information);
    step.set(gradient);
    if (cholesky(damped, UNKNOWNS)) {
      choleskySolve(damped, UNKNOWNS, step);
      let predicted = 0;
      for (let k = 0; k < UNKNOWNS; k++) predicted += (gradient[k] ?? 0) * (step[k] ?? 0);
      if (predicted < 1e-12) break;
    }
    let accepted = false;
    for (let attempt = 0; attempt < 12 && !accepted; attempt++) {
      damped.set(information);
      for (let k = 0; k < UNKNOWNS; k++) {
        damped[k * UNKNOWNS + k] = (information[k * UNKNOWNS + k] ?? 0) * (1 + lambda);
      }
      step.set(gradient);
      if (!cholesky(damped, UNKNOWNS)) {
        lambda *= 10;
        continue;
      }
      choleskySolve(damped, UNKNOWNS, step);
      for (let k = 0; k < UNKNOWNS; k++) candidate[k] = (theta[k] ?? 0) + (step[k] ?? 0);
      const trial =
        (candidate[3] ?? 0) > 0.5 * priors.soundSpeedMeanMs
          ? objectiveAt(problem, indices, candidate, priors)
          : Infinity;
      if (trial <= objective) {
        theta.set(candidate);
        objective = trial;
        accepted = true;
        lambda = Math.max(lambda / 10, 1e-10);
      } else {
        lambda *= 10;
      }
    }
    if (!accepted) break;
    objective = normalEquations(problem, indices, theta, priors, information, gradient);
  }
  if (!Number.isFinite(objective)) return null;
  normalEquations(problem, indices, theta, priors, information, gradient);
  const covariance = invertSymmetric(information, UNKNOWNS);
  if (covariance === null) return null;
  return { theta, covariance, objective };
}

/**
 * The best start positions for a fit on `indices`: the closed-form spherical-interpolation solution
 * (c fixed at the prior mean, no wind), then the local minima of a coarse grid of the same model, best
 * first.
 */
export function startPositions(
  problem: PreparedArrivals,
  indices: readonly number[],
  priors: NuisancePriors,
  searchMarginM: number,
  gridMinima: number,
): { east: number; north: number }[] {
  const starts: { east: number; north: number }[] = [];
  const closed = closedFormStart(problem, indices, priors.soundSpeedMeanMs);
  if (closed !== null) starts.push(closed);
  if (gridMinima > 0)
    starts.push(...gridStarts(problem, indices, priors.soundSpeedMeanMs, searchMarginM, gridMinima));
  return starts;
}

/**
 * The arrival's residual (observed − predicted, seconds) under a fit, and its variance: σᵢ² − gᵀPg for
 * an arrival in the fit (`inFit`), σᵢ² + gᵀPg for one predicted from it.
 */
export function arrivalResidual(
  problem: PreparedArrivals,
  fit: SubsetFit,
  index: number,
  inFit: boolean,
): { residualS: number; varianceS2: number } {
  const row = new Float64Array(UNKNOWNS);
  const t = fit.theta;
  const travel = travelTime(
    problem.east[index] ?? 0,
    problem.north[index] ?? 0,
    t[0] ?? 0,
    t[1] ?? 0,
    t[3] ?? 0,
    t[4] ?? 0,
    t[5] ?? 0,
    row,
    0,
  );
  const residualS = (problem.time[index] ?? 0) - (t[2] ?? 0) - travel;
  const leverage = quadraticForm(fit.covariance, row);
  const s2 = (problem.sigma[index] ?? 0) ** 2;
  return { residualS, varianceS2: inFit ? Math.max(s2 - leverage, 1e-4 * s2) : s2 + leverage };
}

/**
 * A fit from the closed-form start whose chi-square has a p-value below this is inconsistent without
 * searching the grid for other starts. The grid finds the basin the closed form misses, and a better
 * minimum there may fit; but on a simulated worst day (donbas-2015, seed 1) none of the 13,904 groups
 * whose closed-form fit was inconsistent (p < 0.001) fitted from any grid start, and 13,079 of them
 * missed by this much, a thousandth of that threshold. Those are three in four of all the groups the
 * engine fits; not searching for them made that day's fusion, attribution and rules ~17 % faster,
 * with the same events.
 */
const HOPELESS_P_VALUE = 1e-6;

/** Localises from a subset of prepared arrivals: every start, the best fit, the result. */
export function localiseSubset(
  problem: PreparedArrivals,
  indices: readonly number[],
  options: LocaliseOptions = {},
): AcousticLocalisation {
  return localiseSubsetWithFit(problem, indices, options).result;
}

/** {@link localiseSubset}, with the fit in the local frame (null when not localised). */
export function localiseSubsetWithFit(
  problem: PreparedArrivals,
  indices: readonly number[],
  options: LocaliseOptions = {},
): { result: AcousticLocalisation; fit: SubsetFit | null } {
  const n = indices.length;
  const fail = (reason: NotLocalisedReason): { result: AcousticNotLocalised; fit: null } => ({
    result: { localised: false, reason, arrivalCount: n },
    fit: null,
  });
  if (n < MIN_ARRIVALS_TO_LOCALISE) return fail('too-few-arrivals');
  const priors = options.priors ?? DEFAULT_PRIORS;
  const maxRangeM = options.maxRangeM ?? 100_000;
  const [centreEast, centreNorth, spread] = centroid(problem, indices);
  if (spread < 1) return fail('degenerate-geometry');

  const fits: SubsetFit[] = [];
  const cell = Math.max(spread, 1000) / 16;
  const fitFrom = (start: { east: number; north: number }): void => {
    // A start already inside a found basin adds nothing.
    if (fits.some((f) => hypot((f.theta[0] ?? 0) - start.east, (f.theta[1] ?? 0) - start.north) < cell))
      return;
    const fit = fitFromStart(problem, indices, start.east, start.north, priors);
    if (fit === null) return;
    const range = hypot((fit.theta[0] ?? 0) - centreEast, (fit.theta[1] ?? 0) - centreNorth);
    if (range <= maxRangeM) fits.push(fit);
  };
  const closed = closedFormStart(problem, indices, priors.soundSpeedMeanMs);
  if (closed !== null) fitFrom(closed);
  const first = fits[0];
  // Hopeless is always inconsistent too, whatever p-value the caller takes for that.
  const hopeless = Math.min(HOPELESS_P_VALUE, options.inconsistentPValue ?? 0.001);
  if (first !== undefined && chiSquareSurvival(first.objective, n - 3) < hopeless)
    return { result: buildFix(problem, indices, first, null, options), fit: first };
  for (const start of gridStarts(
    problem,
    indices,
    priors.soundSpeedMeanMs,
    options.searchMarginM ?? 25_000,
    3,
  ))
    fitFrom(start);
  if (fits.length === 0) return fail('no-solution');
  fits.sort((a, b) => a.objective - b.objective);
  const best = fits[0] as SubsetFit;
  const alternative = fits.slice(1).find((f) => isDistinctAlternative(best, f)) ?? null;
  return { result: buildFix(problem, indices, best, alternative, options), fit: best };
}

// ---------------------------------------------------------------------------------------------------

function buildFix(
  problem: PreparedArrivals,
  indices: readonly number[],
  best: SubsetFit,
  alternative: SubsetFit | null,
  options: LocaliseOptions,
): AcousticFix {
  const t = best.theta;
  const p = best.covariance;
  const residualsS: number[] = [];
  const standardisedResiduals: number[] = [];
  for (const i of indices) {
    const { residualS, varianceS2 } = arrivalResidual(problem, best, i, true);
    residualsS.push(residualS);
    standardisedResiduals.push(residualS / Math.sqrt(varianceS2));
  }
  const degreesOfFreedom = indices.length - 3;
  const pValue = chiSquareSurvival(best.objective, degreesOfFreedom);
  const quality: AcousticFixQuality =
    alternative !== null
      ? 'ambiguous'
      : pValue < (options.inconsistentPValue ?? 0.001)
        ? 'inconsistent'
        : 'good';
  return {
    localised: true,
    position: positionOf(problem, best),
    emissionTimeS: problem.timeReferenceS + (t[2] ?? 0),
    emissionTimeSigmaS: Math.sqrt(p[2 * UNKNOWNS + 2] ?? 0),
    soundSpeedMs: t[3] ?? 0,
    soundSpeedSigmaMs: Math.sqrt(p[3 * UNKNOWNS + 3] ?? 0),
    windMs: [t[4] ?? 0, t[5] ?? 0],
    windSigmaMs: [Math.sqrt(p[4 * UNKNOWNS + 4] ?? 0), Math.sqrt(p[5 * UNKNOWNS + 5] ?? 0)],
    residualsS,
    standardisedResiduals,
    chiSquare: best.objective,
    degreesOfFreedom,
    pValue,
    quality,
    insideSensorHull: insideHull(problem, indices, t[0] ?? 0, t[1] ?? 0),
    alternative: alternative === null ? null : positionOf(problem, alternative),
  };
}

function positionOf(problem: PreparedArrivals, fit: SubsetFit): GaussianPoint {
  const p = fit.covariance;
  return problem.frame.toGaussianPoint(fit.theta[0] ?? 0, fit.theta[1] ?? 0, [
    p[0] ?? 0,
    p[1] ?? 0,
    p[UNKNOWNS + 1] ?? 0,
  ]);
}

/** Another solution is an alternative if it lies outside the best's 99 % ellipse and fits nearly as well. */
function isDistinctAlternative(best: SubsetFit, other: SubsetFit): boolean {
  if (other.objective - best.objective > 6) return false;
  const de = (other.theta[0] ?? 0) - (best.theta[0] ?? 0);
  const dn = (other.theta[1] ?? 0) - (best.theta[1] ?? 0);
  const a = best.covariance[0] ?? 0;
  const b = best.covariance[1] ?? 0;
  const d = best.covariance[UNKNOWNS + 1] ?? 0;
  const det = a * d - b * b;
  const m2 = (d * de * de - 2 * b * de * dn + a * dn * dn) / det;
  return m2 > 9.21;
}

/**
 * Builds JᵀWJ + prior information and Jᵀ W r (r = observed − predicted) at θ; returns the objective.
 * The fit's hottest loop: the travel time and its gradient ({@link travelTime}, the same arithmetic)
 * and the 21 distinct sums of the symmetric information are kept in locals.
 */
function normalEquations(
  problem: PreparedArrivals,
  indices: readonly number[],
  theta: Float64Array,
  priors: NuisancePriors,
  information: Float64Array,
  gradient: Float64Array,
): number {
  const x = theta[0] ?? 0;
  const y = theta[1] ?? 0;
  const t0 = theta[2] ?? 0;
  const c = theta[3] ?? 0;
  const we = theta[4] ?? 0;
  const wn = theta[5] ?? 0;
  const { east, north, time, sigma } = problem;
  let objective = 0;
  // prettier-ignore
  let g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0;
  // prettier-ignore
  let i00 = 0, i10 = 0, i11 = 0, i20 = 0, i21 = 0, i22 = 0, i30 = 0, i31 = 0, i32 = 0, i33 = 0;
  // prettier-ignore
  let i40 = 0, i41 = 0, i42 = 0, i43 = 0, i44 = 0, i50 = 0, i51 = 0, i52 = 0, i53 = 0, i54 = 0, i55 = 0;
  for (const i of indices) {
    const dx = (east[i] ?? 0) - x;
    const dy = (north[i] ?? 0) - y;
    const r = Math.max(Math.sqrt(dx * dx + dy * dy), 1e-3);
    const ux = dx / r;
    const uy = dy / r;
    const along = we * ux + wn * uy;
    const iv = 1 / (c + along);
    const iv2 = iv * iv;
    const j0 = -ux * iv + (we - along * ux) * iv2;
    const j1 = -uy * iv + (wn - along * uy) * iv2;
    const j3 = -r * iv2;
    const j4 = -r * ux * iv2;
    const j5 = -r * uy * iv2;
    const weight = 1 / (sigma[i] ?? 1) ** 2;
    const residual = (time[i] ?? 0) - t0 - r * iv;
    objective += weight * residual * residual;
    const a0 = j0 * weight;
    g0 += a0 * residual;
    i00 += a0 * j0;
    const a1 = j1 * weight;
    g1 += a1 * residual;
    i10 += a1 * j0;
    i11 += a1 * j1;
    const a2 = weight; // ∂t/∂t₀ = 1
    g2 += a2 * residual;
    i20 += a2 * j0;
    i21 += a2 * j1;
    i22 += a2;
    const a3 = j3 * weight;
    g3 += a3 * residual;
    i30 += a3 * j0;
    i31 += a3 * j1;
    i32 += a3;
    i33 += a3 * j3;
    const a4 = j4 * weight;
    g4 += a4 * residual;
    i40 += a4 * j0;
    i41 += a4 * j1;
    i42 += a4;
    i43 += a4 * j3;
    i44 += a4 * j4;
    const a5 = j5 * weight;
    g5 += a5 * residual;
    i50 += a5 * j0;
    i51 += a5 * j1;
    i52 += a5;
    i53 += a5 * j3;
    i54 += a5 * j4;
    i55 += a5 * j5;
  }
  // The sums fill both triangles of the symmetric matrix.
  const m = information;
  m[0] = i00;
  m[1] = i10;
  m[2] = i20;
  m[3] = i30;
  m[4] = i40;
  m[5] = i50;
  m[6] = i10;
  m[7] = i11;
  m[8] = i21;
  m[9] = i31;
  m[10] = i41;
  m[11] = i51;
  m[12] = i20;
  m[13] = i21;
  m[14] = i22;
  m[15] = i32;
  m[16] = i42;
  m[17] = i52;
  m[18] = i30;
  m[19] = i31;
  m[20] = i32;
  m[21] = i33;
  m[22] = i43;
  m[23] = i53;
  m[24] = i40;
  m[25] = i41;
  m[26] = i42;
  m[27] = i43;
  m[28] = i44;
  m[29] = i54;
  m[30] = i50;
  m[31] = i51;
  m[32] = i52;
  m[33] = i53;
  m[34] = i54;
  m[35] = i55;
  addPriorInformation(information, priors);
  const dc = c - priors.soundSpeedMeanMs;
  const sc2 = priors.soundSpeedSigmaMs ** 2;
  const sw2 = priors.windComponentSigmaMs ** 2;
  gradient[0] = g0;
  gradient[1] = g1;
  gradient[2] = g2;
  gradient[3] = g3 - dc / sc2;
  gradient[4] = g4 - we / sw2;
  gradient[5] = g5 - wn / sw2;
  return objective + (dc * dc) / sc2 + (we * we + wn * wn) / sw2;
}

function objectiveAt(
  problem: PreparedArrivals,
  indices: readonly number[],
  theta: Float64Array,
  priors: NuisancePriors,
): number {
  const x = theta[0] ?? 0;
  const y = theta[1] ?? 0;
  const t0 = theta[2] ?? 0;
  const c = theta[3] ?? 0;
  const we = theta[4] ?? 0;
  const wn = theta[5] ?? 0;
  let objective = 0;
  for (const i of indices) {
    const dx = (problem.east[i] ?? 0) - x;
    const dy = (problem.north[i] ?? 0) - y;
    const r = Math.max(Math.sqrt(dx * dx + dy * dy), 1e-3);
    const v = c + (we * dx + wn * dy) / r;
    const residual = ((problem.time[i] ?? 0) - t0 - r / v) / (problem.sigma[i] ?? 1);
    objective += residual * residual;
  }
  const dc = c - priors.soundSpeedMeanMs;
  return (
    objective +
    (dc * dc) / priors.soundSpeedSigmaMs ** 2 +
    (we * we + wn * wn) / priors.windComponentSigmaMs ** 2
  );
}

/** The weighted mean of tᵢ − travel time at θ's position, speed and wind. */
function bestEmissionTime(
  problem: PreparedArrivals,
  indices: readonly number[],
  theta: Float64Array,
): number {
  const row = new Float64Array(UNKNOWNS);
  let sum = 0;
  let weights = 0;
  for (const i of indices) {
    const travel = travelTime(
      problem.east[i] ?? 0,
      problem.north[i] ?? 0,
      theta[0] ?? 0,
      theta[1] ?? 0,
      theta[3] ?? 0,
      theta[4] ?? 0,
      theta[5] ?? 0,
      row,
      0,
    );
    const w = 1 / (problem.sigma[i] ?? 1) ** 2;
    sum += w * ((problem.time[i] ?? 0) - travel);
    weights += w;
  }
  return sum / weights;
}

/**
 * The spherical-interpolation closed form: with c fixed and no wind, ‖x − sᵢ‖² = c²(tᵢ − t₀)² minus the
 * same for a reference sensor is linear in (x, t₀). Least squares over the differences; null when the
 * system is singular or the solution emits after the first arrival.
 */
function closedFormStart(
  problem: PreparedArrivals,
  indices: readonly number[],
  c: number,
): { east: number; north: number } | null {
  const [ce, cn] = centroid(problem, indices);
  let k = indices[0] ?? 0;
  for (const i of indices) if ((problem.time[i] ?? 0) < (problem.time[k] ?? 0)) k = i;
  const ke = (problem.east[k] ?? 0) - ce;
  const kn = (problem.north[k] ?? 0) - cn;
  const kt = problem.time[k] ?? 0;
  const c2 = c * c;
  // Normal equations of rows [2Δe, 2Δn, −2c²Δt] · (x, y, t₀) = rhs, scaled to metres.
  const m = new Float64Array(9);
  const v = new Float64Array(3);
  for (const i of indices) {
    if (i === k) continue;
    const se = (problem.east[i] ?? 0) - ce;
    const sn = (problem.north[i] ?? 0) - cn;
    const st = problem.time[i] ?? 0;
    const a0 = 2 * (se - ke);
    const a1 = 2 * (sn - kn);
    const a2 = -2 * c * (st - kt); // unknown c·t₀ in metres
    const rhs = se * se + sn * sn - ke * ke - kn * kn - c2 * (st * st - kt * kt);
    const row = [a0, a1, a2];
    for (let a = 0; a < 3; a++) {
      v[a] = (v[a] ?? 0) + (row[a] ?? 0) * rhs;
      for (let b = 0; b < 3; b++) m[a * 3 + b] = (m[a * 3 + b] ?? 0) + (row[a] ?? 0) * (row[b] ?? 0);
    }
  }
  if (!cholesky(m, 3)) return null;
  const diagonalProduct = (m[0] ?? 0) * (m[4] ?? 0) * (m[8] ?? 0);
  if (!(diagonalProduct > 0)) return null;
  choleskySolve(m, 3, v);
  const east = (v[0] ?? 0) + ce;
  const north = (v[1] ?? 0) + cn;
  const t0 = (v[2] ?? 0) / c;
  if (!Number.isFinite(east) || !Number.isFinite(north) || t0 > kt + 1) return null;
  return { east, north };
}

/** Local minima of the c-fixed, no-wind misfit (t₀ profiled out) over a grid around the sensors. */
function gridStarts(
  problem: PreparedArrivals,
  indices: readonly number[],
  c: number,
  marginM: number,
  count: number,
): { east: number; north: number }[] {
  let minE = Infinity;
  let maxE = -Infinity;
  let minN = Infinity;
  let maxN = -Infinity;
  for (const i of indices) {
    minE = Math.min(minE, problem.east[i] ?? 0);
    maxE = Math.max(maxE, problem.east[i] ?? 0);
    minN = Math.min(minN, problem.north[i] ?? 0);
    maxN = Math.max(maxN, problem.north[i] ?? 0);
  }
  const size = 28;
  const half = Math.max(maxE - minE, maxN - minN) / 2 + marginM;
  const midE = (minE + maxE) / 2;
  const midN = (minN + maxN) / 2;
  const stepM = (2 * half) / (size - 1);
  const cost = new Float64Array(size * size);
  const invC = 1 / c;
  // The arrivals' values side by side, weights computed once: the loop below runs 784 times per fit.
  const m = indices.length;
  const east = new Float64Array(m);
  const north = new Float64Array(m);
  const time = new Float64Array(m);
  const weight = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const i = indices[k] ?? 0;
    east[k] = problem.east[i] ?? 0;
    north[k] = problem.north[i] ?? 0;
    time[k] = problem.time[i] ?? 0;
    weight[k] = 1 / (problem.sigma[i] ?? 1) ** 2;
  }
  const dy2 = new Float64Array(m);
  for (let gy = 0; gy < size; gy++) {
    const y = midN - half + gy * stepM;
    for (let k = 0; k < m; k++) {
      const dy = (north[k] ?? 0) - y;
      dy2[k] = dy * dy;
    }
    for (let gx = 0; gx < size; gx++) {
      const x = midE - half + gx * stepM;
      let sw = 0;
      let swa = 0;
      let swaa = 0;
      for (let k = 0; k < m; k++) {
        const dx = (east[k] ?? 0) - x;
        const a = (time[k] ?? 0) - Math.sqrt(dx * dx + (dy2[k] ?? 0)) * invC;
        const w = weight[k] ?? 0;
        sw += w;
        swa += w * a;
        swaa += w * a * a;
      }
      cost[gy * size + gx] = swaa - (swa * swa) / sw;
    }
  }
  const minima: { east: number; north: number; cost: number }[] = [];
  for (let gy = 0; gy < size; gy++) {
    for (let gx = 0; gx < size; gx++) {
      const here = cost[gy * size + gx] ?? Infinity;
      let isMinimum = true;
      for (let dy = -1; dy <= 1 && isMinimum; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if (dx === 0 && dy === 0) continue;
          const nx = gx + dx;
          const ny = gy + dy;
          if (nx < 0 || ny < 0 || nx >= size || ny >= size) continue;
          if ((cost[ny * size + nx] ?? Infinity) < here) {
            isMinimum = false;
            break;
          }
        }
      }
      if (isMinimum)
        minima.push({ east: midE - half + gx * stepM, north: midN - half + gy * stepM, cost: here });
    }
  }
  minima.sort((a, b) => a.cost - b.cost);
  return minima.slice(0, count).map(({ east, north }) => ({ east, north }));
}

function centroid(
  problem: PreparedArrivals,
  indices: readonly number[],
): [east: number, north: number, spread: number] {
  let e = 0;
  let n = 0;
  for (const i of indices) {
    e += problem.east[i] ?? 0;
    n += problem.north[i] ?? 0;
  }
  e /= indices.length;
  n /= indices.length;
  let spread = 0;
  for (const i of indices)
    spread = Math.max(spread, hypot((problem.east[i] ?? 0) - e, (problem.north[i] ?? 0) - n));
  return [e, n, spread];
}

/** Whether (x, y) lies inside the convex hull of the sensors (Andrew's monotone chain). */
function insideHull(problem: PreparedArrivals, indices: readonly number[], x: number, y: number): boolean {
  const points = indices
    .map((i) => [problem.east[i] ?? 0, problem.north[i] ?? 0] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: readonly number[], a: readonly number[], b: readonly number[]): number =>
    ((a[0] ?? 0) - (o[0] ?? 0)) * ((b[1] ?? 0) - (o[1] ?? 0)) -
    ((a[1] ?? 0) - (o[1] ?? 0)) * ((b[0] ?? 0) - (o[0] ?? 0));
  const lower: (readonly number[])[] = [];
  for (const p of points) {
    while (lower.length >= 2 && cross(lower[lower.length - 2] ?? [], lower[lower.length - 1] ?? [], p) <= 0)
      lower.pop();
    lower.push(p);
  }
  const upper: (readonly number[])[] = [];
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i] ?? [];
    while (upper.length >= 2 && cross(upper[upper.length - 2] ?? [], upper[upper.length - 1] ?? [], p) <= 0)
      upper.pop();
    upper.push(p);
  }
  const hull = [...lower.slice(0, -1), ...upper.slice(0, -1)];
  if (hull.length < 3) return false;
  for (let i = 0; i < hull.length; i++) {
    if (cross(hull[i] ?? [], hull[(i + 1) % hull.length] ?? [], [x, y]) < 0) return false;
  }
  return true;
}

function quadraticForm(m: Float64Array, v: Float64Array): number {
  let sum = 0;
  for (let a = 0; a < UNKNOWNS; a++) {
    let inner = 0;
    for (let b = 0; b < UNKNOWNS; b++) inner += (m[a * UNKNOWNS + b] ?? 0) * (v[b] ?? 0);
    sum += (v[a] ?? 0) * inner;
  }
  return sum;
}

function allIndices(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
