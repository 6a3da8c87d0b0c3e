/**
 * @module Robust acoustic localisation: from a candidate group of arrivals that may hold false alarms
 * and arrivals of another event, the largest subset consistent with one source (deterministic
 * RANSAC over minimal subsets), refitted; and the physical gate that says whether two arrivals can
 * share a source at all.
 */
import { hypot } from '../../hypot.ts';
import { chiSquareSurvival, seededUniform } from '../gaussian.ts';
import { surfaceDistanceM } from '../local-frame.ts';
import { ARRIVAL_SIGMA_S, MAX_WIND_MS, NOMINAL_SOUND_SPEED_MS, SOUND_SPEED_SPREAD } from '../propagation.ts';
import {
  MIN_ARRIVALS_TO_LOCALISE,
  arrivalResidual,
  fitFromStart,
  localiseSubset,
  localiseSubsetWithFit,
  prepareArrivals,
  startPositions,
  type AcousticArrival,
  type AcousticLocalisation,
  type LocaliseOptions,
  type PreparedArrivals,
  type SubsetFit,
} from './localise.ts';
import { DEFAULT_PRIORS } from './model.ts';

/** The fastest a sound front can cross from one sensor to another: the top of the speed's range plus the strongest wind. */
export const MAX_EFFECTIVE_SOUND_SPEED_MS = NOMINAL_SOUND_SPEED_MS * (1 + SOUND_SPEED_SPREAD) + MAX_WIND_MS;

export interface AssociationGateOptions {
  /** Default {@link MAX_EFFECTIVE_SOUND_SPEED_MS}. */
  readonly maxSoundSpeedMs?: number;
  /** Timing slack, seconds; default 4 √(σᵢ² + σⱼ²) with each σ floored at ARRIVAL_SIGMA_S. */
  readonly slackS?: number;
}

/**
 * Whether two arrivals can come from one source: the difference of their times can be no more than
 * the sound's crossing time between the sensors, |tᵢ − tⱼ| ≤ ‖sᵢ − sⱼ‖ / c_max + slack. A necessary
 * condition only: grouping candidates by it leaves the choice of a consistent subset to
 * {@link localiseAcousticRobust}.
 */
export function withinAssociationGate(
  a: AcousticArrival,
  b: AcousticArrival,
  options: AssociationGateOptions = {},
): boolean {
  const cMax = options.maxSoundSpeedMs ?? MAX_EFFECTIVE_SOUND_SPEED_MS;
  const slack =
    options.slackS ?? 4 * hypot(Math.max(a.sigmaS, ARRIVAL_SIGMA_S), Math.max(b.sigmaS, ARRIVAL_SIGMA_S));
  return Math.abs(a.timeS - b.timeS) <= surfaceDistanceM(a.lat, a.lon, b.lat, b.lon) / cMax + slack;
}

export interface RobustOptions extends LocaliseOptions {
  /** An arrival is an inlier when |residual| / its standard deviation is at most this; default 3.5. */
  readonly inlierThreshold?: number;
  /** The most minimal subsets tried; default 200. */
  readonly maxSubsets?: number;
  /** Seed of the order in which subsets are tried; default 1. The same input and seed give the same answer. */
  readonly seed?: number;
}

export interface RobustLocalisation {
  /** The fit on the inliers (or, with fewer than four, why there is none). */
  readonly fix: AcousticLocalisation;
  /** Indices into the input of the arrivals the fix uses, ascending. */
  readonly inliers: readonly number[];
  /** Indices of the arrivals rejected (false alarms, another event), ascending. */
  readonly outliers: readonly number[];
  /** Whether the consensus search ran (false when every arrival fitted at once). */
  readonly searched: boolean;
}

/**
 * Localises the largest subset of `arrivals` consistent with one source. First all arrivals are fitted;
 * if the fit is consistent and no arrival's standardised residual exceeds the threshold, that is the
 * answer. Otherwise minimal subsets of four (pairwise within the association gate) are fitted in a
 * seeded order, each scored by the arrivals it predicts within the threshold (ties: the smaller
 * truncated squared residuals), stopping once the best consensus makes a missed better one unlikely
 * (p < 0.001). The best consensus is refitted and its inliers re-chosen against the refit until stable.
 *
 * With four arrivals an outlier can be seen (the fit is `inconsistent`) but not told apart: they are
 * returned as inliers of that inconsistent fit.
 */
export function localiseAcousticRobust(
  arrivals: readonly AcousticArrival[],
  options: RobustOptions = {},
): RobustLocalisation {
  const n = arrivals.length;
  const all = Array.from({ length: n }, (_, i) => i);
  if (n < MIN_ARRIVALS_TO_LOCALISE) {
    return {
      fix: { localised: false, reason: 'too-few-arrivals', arrivalCount: n },
      inliers: all,
      outliers: [],
      searched: false,
    };
  }
  const threshold = options.inlierThreshold ?? 3.5;
  const problem = prepareArrivals(arrivals, options);
  const whole = localiseSubset(problem, all, options);
  if (n === MIN_ARRIVALS_TO_LOCALISE || (whole.localised && isClean(whole, threshold))) {
    return { fix: whole, inliers: all, outliers: [], searched: false };
  }

  const consensus = searchConsensus(problem, arrivals, threshold, options);
  if (consensus === null || consensus.length < MIN_ARRIVALS_TO_LOCALISE) {
    return { fix: whole, inliers: all, outliers: [], searched: true };
  }
  let inliers = consensus;
  let { result: fix, fit } = localiseSubsetWithFit(problem, inliers, options);
  for (let round = 0; round < 4 && fit !== null; round++) {
    const refit = fit;
    const current = inliers;
    const next = all.filter((i) => {
      const { residualS, varianceS2 } = arrivalResidual(problem, refit, i, current.includes(i));
      return Math.abs(residualS) <= threshold * Math.sqrt(varianceS2);
    });
    if (next.length < MIN_ARRIVALS_TO_LOCALISE || sameSet(next, inliers)) break;
    // Take the new set only if its own fit holds together: an arrival predicted loosely from the
    // consensus (the wind and speed leave its time uncertain) can still spoil the fit it joins.
    const candidate = localiseSubsetWithFit(problem, next, options);
    if (isClean(fix, threshold) && !isClean(candidate.result, threshold)) break;
    inliers = next;
    ({ result: fix, fit } = candidate);
  }
  return { fix, inliers, outliers: all.filter((i) => !inliers.includes(i)), searched: true };
}

function isClean(fix: AcousticLocalisation, threshold: number): boolean {
  return (
    fix.localised &&
    fix.quality !== 'inconsistent' &&
    fix.standardisedResiduals.every((z) => Math.abs(z) <= threshold)
  );
}

/** The inliers (ascending) of the best minimal-subset hypothesis, or null when no subset fits. */
function searchConsensus(
  problem: PreparedArrivals,
  arrivals: readonly AcousticArrival[],
  threshold: number,
  options: RobustOptions,
): number[] | null {
  const n = problem.count;
  const priors = options.priors ?? DEFAULT_PRIORS;
  const gate: boolean[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const a = arrivals[i];
      const b = arrivals[j];
      gate[i * n + j] = a !== undefined && b !== undefined && withinAssociationGate(a, b);
    }
  }
  const alpha = options.inconsistentPValue ?? 0.001;
  const checked = new Map<string, { inliers: number[]; objective: number } | null>();
  /**
   * A consensus counts only if its own fit holds together: a minimal fit predicts loosely (the wind
   * and speed are barely fixed by four arrivals), so it can take in an arrival that a fit on all of
   * them rejects. Arrivals are dropped worst first until the fit is consistent.
   */
  const verify = (
    consensus: number[],
    east: number,
    north: number,
  ): { inliers: number[]; objective: number } | null => {
    const key = consensus.join(',');
    const known = checked.get(key);
    if (known !== undefined) return known;
    let result: { inliers: number[]; objective: number } | null = null;
    const fit =
      consensus.length >= MIN_ARRIVALS_TO_LOCALISE
        ? fitFromStart(problem, consensus, east, north, priors)
        : null;
    if (fit !== null) {
      let worst = -1;
      let worstZ = threshold;
      for (const i of consensus) {
        const { residualS, varianceS2 } = arrivalResidual(problem, fit, i, true);
        const z = Math.abs(residualS) / Math.sqrt(varianceS2);
        if (z > worstZ) {
          worstZ = z;
          worst = i;
        }
      }
      const consistent = chiSquareSurvival(fit.objective, consensus.length - 3) >= alpha;
      if (consistent && worst < 0) result = { inliers: consensus, objective: fit.objective };
      else if (worst >= 0 || consensus.length > MIN_ARRIVALS_TO_LOCALISE) {
        const drop = worst >= 0 ? worst : largestResidual(problem, fit, consensus);
        result = verify(
          consensus.filter((i) => i !== drop),
          fit.theta[0] ?? 0,
          fit.theta[1] ?? 0,
        );
      }
    }
    checked.set(key, result);
    return result;
  };
  const subsets = orderedSubsets(n, options.seed ?? 1, options.maxSubsets ?? 200);
  let best: { inliers: number[]; objective: number } | null = null;
  let needed = subsets.length;
  for (let k = 0; k < subsets.length && k < needed; k++) {
    const subset = subsets[k] ?? [];
    if (!pairwiseGated(subset, gate, n)) continue;
    const margin = options.searchMarginM ?? 25_000;
    const start =
      startPositions(problem, subset, priors, margin, 0)[0] ??
      startPositions(problem, subset, priors, margin, 1)[0];
    if (start === undefined) continue;
    const fit = fitFromStart(problem, subset, start.east, start.north, priors);
    if (fit === null) continue;
    const consensus: number[] = [];
    for (let i = 0; i < n; i++) {
      const { residualS, varianceS2 } = arrivalResidual(problem, fit, i, subset.includes(i));
      if (residualS * residualS <= threshold * threshold * varianceS2) consensus.push(i);
    }
    if (best !== null && consensus.length < best.inliers.length) continue;
    const verified = verify(consensus, fit.theta[0] ?? 0, fit.theta[1] ?? 0);
    if (verified === null) continue;
    if (
      best === null ||
      verified.inliers.length > best.inliers.length ||
      (verified.inliers.length === best.inliers.length && verified.objective < best.objective)
    ) {
      best = verified;
      // Subsets still needed for a 99.9 % chance of having drawn an all-inlier one.
      const share = (best.inliers.length / n) ** MIN_ARRIVALS_TO_LOCALISE;
      needed =
        share >= 1
          ? k + 1
          : Math.min(subsets.length, k + 1 + Math.ceil(Math.log(0.001) / Math.log(1 - share)));
    }
  }
  return best?.inliers ?? null;
}

function largestResidual(problem: PreparedArrivals, fit: SubsetFit, indices: readonly number[]): number {
  let worst = indices[0] ?? 0;
  let worstZ = -1;
  for (const i of indices) {
    const { residualS, varianceS2 } = arrivalResidual(problem, fit, i, true);
    const z = Math.abs(residualS) / Math.sqrt(varianceS2);
    if (z > worstZ) {
      worstZ = z;
      worst = i;
    }
  }
  return worst;
}

/**
 * Every 4-subset of n arrivals in a seeded shuffled order (so that no arrival is in all of the first
 * ones), at most `limit` of them; for large n, seeded random draws without repetition.
 */
function orderedSubsets(n: number, seed: number, limit: number): number[][] {
  const uniform = seededUniform(seed);
  const total = (n * (n - 1) * (n - 2) * (n - 3)) / 24;
  if (total <= 5000) {
    const subsets: number[][] = [];
    for (let a = 0; a < n; a++)
      for (let b = a + 1; b < n; b++)
        for (let c = b + 1; c < n; c++) for (let d = c + 1; d < n; d++) subsets.push([a, b, c, d]);
    for (let i = subsets.length - 1; i > 0; i--) {
      const j = Math.floor(uniform() * (i + 1));
      const swap = subsets[i] ?? [];
      subsets[i] = subsets[j] ?? [];
      subsets[j] = swap;
    }
    return subsets.slice(0, limit);
  }
  const seen = new Set<string>();
  const subsets: number[][] = [];
  while (subsets.length < limit) {
    const pick = new Set<number>();
    while (pick.size < MIN_ARRIVALS_TO_LOCALISE) pick.add(Math.floor(uniform() * n));
    const subset = [...pick].sort((x, y) => x - y);
    const key = subset.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    subsets.push(subset);
  }
  return subsets;
}

function pairwiseGated(subset: readonly number[], gate: readonly boolean[], n: number): boolean {
  for (let x = 0; x < subset.length; x++) {
    for (let y = x + 1; y < subset.length; y++) {
      if (gate[(subset[x] ?? 0) * n + (subset[y] ?? 0)] !== true) return false;
    }
  }
  return true;
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
