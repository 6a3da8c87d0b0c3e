/**
 * @module The engine's acoustic fitter: the arrivals a seed gathered, fitted robustly (the largest
 * subset consistent with one source — false alarms and other rounds' arrivals set aside). A fit that
 * stays inconsistent is no event. An ambiguous fit (a mirror solution across the sensors fits almost as
 * well) is kept with a covariance that spans both solutions, so attribution cannot pick a side the
 * arrivals do not decide.
 */
import { hypot } from '../hypot.ts';
import type { AcousticFitter, Arrival, ArrivalFit } from './engine.ts';
import type { GaussianPoint } from './event.ts';
import { confidenceEllipse, isPositiveDefinite2 } from './gaussian.ts';
import { localiseAcoustic } from './acoustic/localise.ts';
import type { AcousticFix } from './acoustic/localise.ts';
import { LocalFrame } from './local-frame.ts';
import { associate, chiSquaredQuantile, DEFAULT_BEARING_SIGMA_DEG, LevelSpread } from './associate.ts';

/**
 * The fit has six unknowns (position, emission time, speed of sound, two wind components), and the
 * priors on the last three are loose: six arrival times are fitted to within a millisecond by almost
 * any source, whichever rounds they came from. On a simulated worst day, every acoustic-only group of
 * six that claimed a point of origin mixed the rounds of a battery and fitted them to about 1 ms (σ
 * 10 ms), its 99 % ellipse missing the true point. Only with two arrivals beyond the unknowns does a
 * coincidence show in the residuals; fewer place a sound (the event's location) but do not claim a
 * point of origin to attribute.
 */
export const MIN_TRUSTED_ARRIVALS = 8;

/** An arrival farther than this from the fit (in its own standard deviations) is not of the source. */
const MAX_STANDARDISED_RESIDUAL = 3.5;

/**
 * No sensor hears fire farther than this, m: a fix farther from any of its sensors is a coincidence of
 * unrelated arrivals (with four arrivals the fit has one degree of freedom and can fit almost anything).
 */
export const MAX_HEARING_RANGE_M = 45_000;

/** Fits the seed (`candidates[0]`) with the arrivals association finds for it. */
export const fitArrivals: AcousticFitter = (candidates, groupFits) => {
  const hypotheses = associate(candidates, { maxRangeM: MAX_HEARING_RANGE_M });
  // Hypotheses come largest first: the first consistent one is the event. A group large enough to be
  // trusted is trusted only if no rival grouping of the seed (other arrivals, not just fewer) fits too;
  // smaller groups are not trusted anyway, so their rivals need no fitting.
  const groups = hypotheses.map((chosen) =>
    chosen.map((i) => candidates[i]).filter((a): a is Arrival => a !== undefined),
  );
  let bestAt = -1;
  let best: ArrivalFit | null = null;
  const fit = (group: readonly Arrival[]): ArrivalFit | null => {
    const known = groupFits?.get(group);
    if (known !== undefined) return known;
    const made = fitGroup(group);
    groupFits?.set(group, made);
    return made;
  };
  for (const [at, group] of groups.entries()) {
    best = fit(group);
    if (best !== null) {
      bestAt = at;
      break;
    }
  }
  if (best === null) return null;
  if (best.inliers.length < MIN_TRUSTED_ARRIVALS) return best;
  const members = new Set(best.inliers);
  const rival = groups.some(
    (group, at) => at > bestAt && group.some((a) => !members.has(a)) && fit(group) !== null,
  );
  return { ...best, trusted: !rival };
};

/** The full fit of one group (at most one arrival per sensor), or null when it is not one source. */
function fitGroup(group: readonly Arrival[]): ArrivalFit | null {
  const fix = localiseAcoustic(
    group.map((a) => ({ lat: a.lat, lon: a.lon, timeS: a.timeMs / 1000, sigmaS: a.sigmaMs / 1000 })),
  );
  if (!fix.localised || fix.quality === 'inconsistent') return null;
  if (!placesASource(fix.position) || (fix.alternative !== null && !placesASource(fix.alternative)))
    return null;
  if (fix.standardisedResiduals.some((z) => Math.abs(z) > MAX_STANDARDISED_RESIDUAL)) return null;
  if (new Set(group.map((a) => a.input.sourceId)).size !== group.length) return null;
  if (!withinHearing(fix.position, group)) return null;
  if (fix.alternative !== null && !withinHearing(fix.alternative, group)) return null;
  if (!levelsAgree(fix.position, group) || !directionsAgree(fix.position, group)) return null;
  return toFit(group, fix);
}

/**
 * Whether a fix says where the source is: a covariance that is positive definite with no axis longer
 * than the hearing range. Arrivals whose stated timing errors are days long (validation accepts up to
 * years) leave one time difference to fit, and the position's covariance is then numerically of rank
 * one, σ of ~250,000 km: no place, and a matrix the radar merge cannot invert.
 */
function placesASource(point: GaussianPoint): boolean {
  // The 1 σ ellipse (39.35 % in two dimensions).
  return (
    isPositiveDefinite2(point.covariance) &&
    confidenceEllipse(point.covariance, 0.3935).semiMajorM <= MAX_HEARING_RANGE_M
  );
}

/** Whether every sensor could have heard a source at `point`. */
function withinHearing(point: GaussianPoint, arrivals: readonly Arrival[]): boolean {
  const frame = new LocalFrame(point.lat, point.lon);
  return arrivals.every((a) => {
    const p = frame.toLocal(a.lat, a.lon);
    return hypot(p.east, p.north) <= MAX_HEARING_RANGE_M;
  });
}

/** Whether the arrivals' levels fall off from `point` as from one source (see {@link LevelSpread}). */
function levelsAgree(point: GaussianPoint, arrivals: readonly Arrival[]): boolean {
  const frame = new LocalFrame(point.lat, point.lon);
  const levels = new LevelSpread();
  for (const a of arrivals) {
    const p = frame.toLocal(a.lat, a.lon);
    levels.add(a.snrDb ?? Number.NaN, hypot(p.east, p.north));
  }
  return levels.consistent();
}

/**
 * Whether every array's direction of arrival points at the fitted source: each off by at most 3.5 σ
 * (its own error combined with the angle the fit's ellipse subtends across the ray), and all together
 * within χ² at 0.999. Arrivals without a direction are left out.
 */
function directionsAgree(point: GaussianPoint, arrivals: readonly Arrival[]): boolean {
  const frame = new LocalFrame(point.lat, point.lon);
  const [cee, cen, cnn] = point.covariance;
  let sum = 0;
  let count = 0;
  for (const a of arrivals) {
    if (a.bearingDeg === undefined) continue;
    const p = frame.toLocal(a.lat, a.lon);
    // From the sensor towards the source.
    const r = hypot(p.east, p.north);
    if (r < 1) continue;
    const [ae, an] = [-p.east / r, -p.north / r];
    // The fit's variance across the ray, m².
    const across = Math.max(0, an * an * cee - 2 * an * ae * cen + ae * ae * cnn);
    const bearingSigma = ((a.bearingSigmaDeg ?? DEFAULT_BEARING_SIGMA_DEG) * Math.PI) / 180;
    const sigma = hypot(bearingSigma, Math.sqrt(across) / r);
    const b = (a.bearingDeg * Math.PI) / 180;
    const [be, bn] = [Math.sin(b), Math.cos(b)];
    const z = Math.atan2(be * an - bn * ae, be * ae + bn * an) / sigma;
    if (Math.abs(z) > MAX_STANDARDISED_RESIDUAL) return false;
    sum += z * z;
    count += 1;
  }
  return count === 0 || sum <= chiSquaredQuantile(count);
}

function toFit(inliers: readonly Arrival[], fix: AcousticFix): ArrivalFit {
  const location = fix.alternative === null ? fix.position : spanning(fix.position, fix.alternative);
  return {
    inliers,
    location,
    timeMs: fix.emissionTimeS * 1000,
    timeSigmaMs: fix.emissionTimeSigmaS * 1000,
    // The residuals are per input arrival; keep those of the inliers, in their order.
    residualsS: fix.residualsS.slice(0, inliers.length),
    trusted: false,
  };
}

/** The moment-matched Gaussian of an even mixture of two solutions. */
function spanning(a: GaussianPoint, b: GaussianPoint): GaussianPoint {
  const frame = new LocalFrame(a.lat, a.lon);
  const la = frame.toLocalGaussian(a);
  const lb = frame.toLocalGaussian(b);
  const [me, mn] = [(la.east + lb.east) / 2, (la.north + lb.north) / 2];
  const [de, dn] = [(la.east - lb.east) / 2, (la.north - lb.north) / 2];
  const cov: [number, number, number] = [
    (la.covariance[0] + lb.covariance[0]) / 2 + de * de,
    (la.covariance[1] + lb.covariance[1]) / 2 + de * dn,
    (la.covariance[2] + lb.covariance[2]) / 2 + dn * dn,
  ];
  return frame.toGaussianPoint(me, mn, cov);
}
